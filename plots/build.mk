# plots/build.mk - the report generator's Python tests (tests/report/),
# one test file per section module; part of make test.
.PHONY: test-report
test-report:
	$(Q)python3 -m unittest discover -s tests/report $(if $(filter 0,$(V)),,-v)
test: test-report
HELP_LINES += "  test-report    the report generator's section tests (python3 -m unittest)"
