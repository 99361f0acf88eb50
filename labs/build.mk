# labs/build.mk - the course labs (see labs/README.md; handouts leave it out).
#
#   make grade LAB=NN [HIDDEN=1]  build what lab NN needs, run its graded suites
#                                  (tests/labs/NN_*.c), print points and "score: X/Y"
#   make handout LAB=NN           lab NN's starter tree in build/handout/labNN/
#   make grade-submission LAB=NN SUB=DIR   a student's files, with hidden tests
#   make check-labs               full tree: full marks; handouts, chaffs: less
#   make autograder LAB=NN        build/autograder/labNN.zip for Gradescope
#   make grade-all LAB=NN SUBS=DIR   a folder of hand-ins: grades.csv, gradebook.csv
#   make check-autograder         the course tools on every active lab (part of check-labs)

# Lab 01's practice generator is a program like any other (built by `all`).
UNITGEN := $(O)/bin/labs/unitgen
ALL_PROGS += $(UNITGEN)
$(UNITGEN): $(O)/obj/labs/01-units/unitgen.o $(LIBBENCH) $(LIBYL)
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
LAB_NEEDS_09 :=
# Lab 09's suite runs the preemption checks of tests/conc/ (a child each).
LAB_SRCS_09 := tests/conc/preempt.c tests/conc/workers.c tests/conc/conc.c tests/conc/weak.c
LAB_NEEDS_10 := $(O)/bin/tasks/sched $(O)/bin/yl-predict

# One grading binary per lab: its suites, the points reporter, the shared
# test helpers and the context-switch probes. HIDDEN=1 adds the
# instructor-only suites of tests/labs/hidden/ (absent from handouts).
LAB_NUMS := $(sort $(foreach f,$(wildcard tests/labs/[0-9][0-9]_*.c),\
  $(firstword $(subst _, ,$(notdir $(f))))))
LAB_COMMON_SRCS := tests/labs/grade_report.c tests/labs/grade_format.c $(wildcard tests/support/*.c) \
  tests/arch/regcheck.c $(wildcard tests/arch/regcheck_$(ARCH).S)
lab_objs = $(patsubst %,$(O)/obj/%.o,$(basename $(1)))
LAB_ALL_OBJS := $(call lab_objs,$(LAB_COMMON_SRCS) $(wildcard tests/labs/*.c tests/labs/hidden/*.c))
# The same flags as the main test binary (objects it shares already get them).
$(filter-out $(TEST_OBJS),$(LAB_ALL_OBJS)): CPPFLAGS += -Itests \
  -DYL_BIN_DIR='"$(abspath $(O))/bin"' -DYL_SRC_DIR='"$(CURDIR)"'

define lab_grader
$(O)/labs/grade-$(1): $(call lab_objs,$(LAB_COMMON_SRCS) $(LAB_SRCS_$(1)) $(wildcard tests/labs/$(1)_*.c)) $$(LIBBENCH) $$(LIBYL)
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) -lcriterion -lm
$(O)/labs/grade-$(1)-hidden: $(call lab_objs,$(LAB_COMMON_SRCS) $(LAB_SRCS_$(1)) $(wildcard tests/labs/$(1)_*.c tests/labs/hidden/$(1)_*.c)) $$(LIBBENCH) $$(LIBYL)
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
# FORMAT=gradescope or junit also writes the run as Gradescope's
# results.json or JUnit XML to GRADE_OUT (the text is printed either way).
FORMAT ?= text
GRADE_OUT ?= $(O)/labs/grade-$(LAB)$(if $(filter 1,$(HIDDEN)),-hidden,).$(if $(filter junit,$(FORMAT)),xml,json)

.PHONY: grade grade-build handout grade-submission check-labs autograder grade-all \
  check-autograder check-autograder-clean
# Grading needs the compiler and Criterion only, not the bench's packages.
grade-build:
	$(Q)mk/deps.sh build test
	@if [ -z "$(LAB)" ]; then \
	  echo "grade: say which lab, LAB=NN; graded labs here: $(or $(LAB_NUMS),none)" >&2; exit 2; fi
	@if [ -z "$(filter $(LAB),$(LAB_NUMS))" ]; then \
	  echo "grade: lab $(LAB) has no graded suites (tests/labs/$(LAB)_*.c); graded labs here: $(or $(LAB_NUMS),none)" >&2; exit 2; fi
	@if [ -z "$(filter text gradescope junit,$(FORMAT))" ]; then \
	  echo "grade: FORMAT=$(FORMAT): say text, gradescope or junit" >&2; exit 2; fi
	$(Q)$(MAKE) --no-print-directory -s $(LIBYL) $(LIBBENCH) $(LAB_NEEDS_$(LAB)) $(LAB_GRADER)

grade: grade-build
	@echo "grade: lab $(LAB)$(if $(filter 1,$(HIDDEN)),$(if $(wildcard tests/labs/hidden/$(LAB)_*.c), with hidden tests, -- HIDDEN=1 but this tree has no hidden tests (a handout never does: your instructor runs them); public tests only),), $(LAB_GRADER)"
	$(Q)env -u YL_EXEC -u YL_WORKERS -u YL_CPUS -u YL_TRACE -u YL_STACK_GUARD \
	  YL_TIMERS=heap \
	  $(if $(filter address,$(SAN)),LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp) \
	  $(if $(filter-out text,$(FORMAT)),YL_GRADE_FORMAT=$(FORMAT) YL_GRADE_OUTPUT=$(abspath $(GRADE_OUT))) \
	  $(LAB_GRADER) $(GRADE_ARGS)$(if $(filter-out text,$(FORMAT)),; rc=$$?; \
	  echo "grade: $(FORMAT) results in $(GRADE_OUT)"; exit $$rc)

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
grade-submission: deps-course
	@if [ ! -x labs/tools/grade-submission.sh ]; then \
	  echo "grade-submission: labs/tools/ is not in this tree" >&2; exit 2; fi
	$(Q)labs/tools/grade-submission.sh '$(LAB)' '$(SUB)'

check-labs: deps-labs
	@if [ ! -x labs/tools/check.sh ]; then \
	  echo "check-labs: labs/tools/ is not in this tree (it is left out of handouts)" >&2; exit 2; fi
	$(Q)labs/tools/check.sh
	$(Q)$(MAKE) --no-print-directory check-autograder

# The course tools (labs/README.md, "Using the labs in a course"): the
# sandbox needs bubblewrap, the zip zip, the workflow check python3-yaml.
.PHONY: deps-course
deps-course: deps-labs
	$(Q)mk/deps.sh course

define need_course_tools
	@if [ ! -x labs/tools/$(1) ]; then \
	  echo "$@: labs/tools/ is not in this tree (it is left out of handouts)" >&2; exit 2; fi
endef

autograder: deps-course
	$(call need_course_tools,autograder.sh)
	$(Q)labs/tools/autograder.sh '$(LAB)' build/autograder

# SUBS: one sub-folder per student; TIME_LIMIT: seconds per hand-in.
TIME_LIMIT ?= 600
grade-all: deps-course
	$(call need_course_tools,grade-all.sh)
	$(Q)labs/tools/grade-all.sh '$(LAB)' '$(SUBS)' '$(TIME_LIMIT)'

check-autograder: deps-course
	$(call need_course_tools,check-autograder.sh)
	$(Q)labs/tools/check-autograder.sh

# setup.sh in a clean Debian 12 root (debootstrap, chroot): minutes and the
# network to Debian's mirror, so not part of CI. LAB defaults to 03.
check-autograder-clean: deps-course
	$(call need_course_tools,check-autograder-clean.sh)
	$(Q)labs/tools/check-autograder-clean.sh $(or $(LAB),03)

HELP_LINES += "  grade LAB=NN   build, run lab NN's graded suites, print points (HIDDEN=1: also hidden tests)"
HELP_LINES += "  handout LAB=NN write lab NN's starter tree to build/handout/labNN/ and labNN.tar.gz"
HELP_LINES += "  grade-submission LAB=NN SUB=DIR  grade a student's files (labs/NN-*/HANDIN) with hidden tests"
HELP_LINES += "  check-labs     full tree full marks; each handout and chaff less (active labs)"
HELP_LINES += "  autograder LAB=NN  build/autograder/labNN.zip, Gradescope's autograder for lab NN"
HELP_LINES += "  grade-all LAB=NN SUBS=DIR  grade a folder of hand-ins: grades.csv and a Canvas gradebook"
HELP_LINES += "  check-autograder   run_autograder, grade-all and the sandbox against the chaffs"
