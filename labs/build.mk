# labs/build.mk - the course labs (see labs/README.md; handouts leave it out).
#
#   make grade LAB=NN [HIDDEN=1]  build what lab NN needs, run its graded suites
#                                  (tests/labs/NN_*.c), print points and "score: X/Y"
#   make handout LAB=NN           lab NN's starter tree in build/handout/labNN/
#   make grade-submission LAB=NN SUB=DIR   a student's files, with hidden tests
#   make check-labs               full tree: full marks; handouts, chaffs: less

# Lab 01's practice generator is a program like any other (built by `all`).
UNITGEN := $(O)/bin/labs/unitgen
ALL_PROGS += $(UNITGEN)
$(UNITGEN): $(O)/obj/labs/01-units/unitgen.o $(LIBYL) $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# What each lab's tests run besides the test binary: only these are built
# before grading, which keeps `make check-labs` (a dozen trees) quick.
LAB_NEEDS_01 := $(O)/bin/tasks/foo $(UNITGEN)
LAB_NEEDS_02 := $(O)/bin/tasks/foo
LAB_NEEDS_03 := $(O)/bin/tasks/counter
LAB_NEEDS_04 :=
LAB_NEEDS_05 :=
# Lab 07 runs the language peers and the harness (recursive: peers/build.mk
# is read after this file).
LAB_NEEDS_07 = $(python_PROGS) $(node_PROGS) $(YL_PEER_SPAWN)
LAB_NEEDS_08 := $(O)/bin/tasks/server

# One grading binary per lab: its suites, the points reporter, the shared
# test helpers and the context-switch probes. HIDDEN=1 adds the
# instructor-only suites of tests/labs/hidden/ (absent from handouts).
LAB_NUMS := $(sort $(foreach f,$(wildcard tests/labs/[0-9][0-9]_*.c),\
  $(firstword $(subst _, ,$(notdir $(f))))))
LAB_COMMON_SRCS := tests/labs/grade_report.c $(wildcard tests/support/*.c) \
  tests/arch/regcheck.c $(wildcard tests/arch/regcheck_$(ARCH).S)
lab_objs = $(patsubst %,$(O)/obj/%.o,$(basename $(1)))
LAB_ALL_OBJS := $(call lab_objs,$(LAB_COMMON_SRCS) $(wildcard tests/labs/*.c tests/labs/hidden/*.c))
# The same flags as the main test binary (objects it shares already get them).
$(filter-out $(TEST_OBJS),$(LAB_ALL_OBJS)): CPPFLAGS += -Itests \
  -DYL_BIN_DIR='"$(abspath $(O))/bin"' -DYL_SRC_DIR='"$(CURDIR)"'

define lab_grader
$(O)/labs/grade-$(1): $(call lab_objs,$(LAB_COMMON_SRCS) $(wildcard tests/labs/$(1)_*.c)) $$(LIBYL) $$(LIBBENCH)
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) -lcriterion -lm
$(O)/labs/grade-$(1)-hidden: $(call lab_objs,$(LAB_COMMON_SRCS) $(wildcard tests/labs/$(1)_*.c tests/labs/hidden/$(1)_*.c)) $$(LIBYL) $$(LIBBENCH)
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) -lcriterion -lm
endef
$(foreach n,$(LAB_NUMS),$(eval $(call lab_grader,$(n))))

# LAB=3 and LAB=03 both name lab 03.
ifneq ($(LAB),)
override LAB := $(if $(filter 1 2 3 4 5 6 7 8 9,$(LAB)),0$(LAB),$(LAB))
endif
LAB_GRADER := $(O)/labs/grade-$(LAB)$(if $(filter 1,$(HIDDEN)),-hidden,)
# Criterion runs each test in its own process, two at a time; a test that
# hangs is stopped after its own .timeout or this one. The graded orders
# are those of the single executor: the runtime's environment overrides
# are cleared for the run, and sleeps go to the binary heap (lab 01's;
# the runtime's default is the timing wheel).
GRADE_ARGS ?= -j2 --timeout 120

.PHONY: grade grade-build handout grade-submission check-labs
# Grading needs the compiler and Criterion only, not the bench's packages.
grade-build:
	$(Q)mk/deps.sh build test
	@if [ -z "$(LAB)" ]; then \
	  echo "grade: say which lab, LAB=NN; graded labs here: $(or $(LAB_NUMS),none)" >&2; exit 2; fi
	@if [ -z "$(filter $(LAB),$(LAB_NUMS))" ]; then \
	  echo "grade: lab $(LAB) has no graded suites (tests/labs/$(LAB)_*.c); graded labs here: $(or $(LAB_NUMS),none)" >&2; exit 2; fi
	$(Q)$(MAKE) --no-print-directory -s $(LIBYL) $(LIBBENCH) $(LAB_NEEDS_$(LAB)) $(LAB_GRADER)

grade: grade-build
	@echo "grade: lab $(LAB)$(if $(filter 1,$(HIDDEN)),$(if $(wildcard tests/labs/hidden/$(LAB)_*.c), with hidden tests, -- HIDDEN=1 but this tree has no hidden tests (a handout never does: your instructor runs them); public tests only),), $(LAB_GRADER)"
	$(Q)env -u YL_EXEC -u YL_WORKERS -u YL_CPUS -u YL_TRACE -u YL_STACK_GUARD \
	  YL_TIMERS=heap \
	  $(if $(filter address,$(SAN)),LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp) \
	  $(LAB_GRADER) $(GRADE_ARGS)

# Handouts need unifdef, chaffs need patch: mk/deps.sh's "labs" group.
.PHONY: deps-labs
deps-labs:
	$(Q)if grep -q '^pkgs_labs=' mk/deps.sh; then mk/deps.sh build test labs; \
	  else mk/deps.sh build test; fi

# The instructor's tools live in labs/tools/, which handouts leave out.
handout: deps-labs

	@if [ ! -x labs/tools/handout.sh ]; then \
	  echo "handout: labs/tools/ is not in this tree (a handout cannot make handouts)" >&2; exit 2; fi
	$(Q)labs/tools/handout.sh '$(LAB)' build/handout

# An instructor grades a hand-in with the hidden tests: SUB is a folder
# holding the student's files at their paths in the tree.
grade-submission: deps-labs
	@if [ ! -x labs/tools/grade-submission.sh ]; then \
	  echo "grade-submission: labs/tools/ is not in this tree" >&2; exit 2; fi
	$(Q)labs/tools/grade-submission.sh '$(LAB)' '$(SUB)'

check-labs: deps-labs
	@if [ ! -x labs/tools/check.sh ]; then \
	  echo "check-labs: labs/tools/ is not in this tree (it is left out of handouts)" >&2; exit 2; fi
	$(Q)labs/tools/check.sh

HELP_LINES += "  grade LAB=NN   build, run lab NN's graded suites, print points (HIDDEN=1: also hidden tests)"
HELP_LINES += "  handout LAB=NN write lab NN's starter tree to build/handout/labNN/ and labNN.tar.gz"
HELP_LINES += "  grade-submission LAB=NN SUB=DIR  grade a student's files (labs/NN-*/HANDIN) with hidden tests"
HELP_LINES += "  check-labs     full tree full marks; each handout and chaff less (active labs)"
