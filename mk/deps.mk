# mk/deps.mk - `make deps`: the Debian packages every target needs.
DEPS_GROUPS ?= build test bench vm aarch64 clang labs course peers
.PHONY: deps
deps:
	$(Q)mk/deps.sh $(DEPS_GROUPS)
.PHONY: deps-test
deps-test:
	$(Q)mk/deps.sh build test bench vm peers
