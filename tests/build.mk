# tests/build.mk - one Criterion binary with every suite in tests/*.c.
YLTEST := $(O)/tests/yltest
TEST_SRCS := $(wildcard tests/*.c tests/support/*.c) \
  $(wildcard tests/arch/*_$(ARCH).S) tests/arch/regcheck.c tests/conc/conc.c tests/conc/workers.c tests/conc/fd_wake.c \
  tests/conc/steal_io.c tests/conc/preempt.c tests/conc/weak.c
TEST_OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(TEST_SRCS)))
# Tests run the real programs of the same build.
$(TEST_OBJS): CPPFLAGS += -Itests -DYL_BIN_DIR='"$(abspath $(O))/bin"' -DYL_SRC_DIR='"$(CURDIR)"'

# -lm: the preemption checks set rounding modes (fesetround).
$(YLTEST): LDLIBS += -lm
$(YLTEST): $(TEST_OBJS) $(LIBBENCH) $(LIBYL)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# Criterion runs each test in its own process; -j2 keeps a 2-core CI box
# responsive for the timing-based program tests. Under ASan, Criterion 2.4
# leaks a small block of its own when timed tests run in parallel:
# tests/lsan.supp names it, so a leak of ours still fails the run.
TEST_ARGS ?= -j2

# Criterion cannot start under ThreadSanitizer (its inheritable arena
# collides with TSan's memory layout), so SAN=thread runs the concurrency
# checks through a plain runner instead of the Criterion binary.
TSAN_TEST := $(O)/tests/conc-plain
TSAN_TEST_OBJS := $(patsubst %,$(O)/obj/tests/%.o,conc/conc conc/workers conc/preempt conc/main_plain \
  conc/server_check conc/steal_io conc/fd_wake conc/weak support/httpc support/run)
$(TSAN_TEST): LDLIBS += -lm
$(TSAN_TEST): $(TSAN_TEST_OBJS) $(LIBBENCH) $(LIBYL)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(O)/obj/tests/conc/%.o: CPPFLAGS += -Itests

.PHONY: test test-build
ifeq ($(SAN),thread)
test-build: $(ALL_LIBS) $(O)/bin/tasks/server $(O)/bin/threads/server $(TSAN_TEST)
test: deps-test
	$(Q)$(MAKE) --no-print-directory test-build
	$(TSAN_TEST)
else
test-build: all $(YLTEST)
test: deps-test
	$(Q)$(MAKE) --no-print-directory test-build
	$(if $(filter address,$(SAN)),LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp) \
	  $(YLTEST) $(TEST_ARGS)
endif

# The AArch64 switch is tested too: cross-built statically and run under
# qemu-user (plain C checks, no Criterion in the cross toolchain).
AARCH64_CC ?= aarch64-linux-gnu-gcc
AARCH64_TEST := build/aarch64/switch-test
AARCH64_SRCS := runtime/yl/ctx.c runtime/yl/switch_aarch64.S \
  tests/arch/regcheck.c tests/arch/regcheck_aarch64.S tests/arch/main_plain.c
# ... and so is the whole runtime's concurrency (tests/conc/, the TSan
# runner's checks): AArch64 keeps fewer orders than x86, and qemu-user
# lets a store pass a later load as the hardware may. The server checks
# are left out there: they start the host's server programs.
AARCH64_CONC := build/aarch64/conc-plain
# libyl is built as an archive with its .text renamed and linked after the
# checks, as runtime/yl/build.mk does (preemption's safe points need both),
# and everything with -ffixed-x18 (runtime/yl/preempt_aarch64.S says why).
AARCH64_YL_SRCS := $(filter-out %_$(ARCH).S,$(LIBYL_SRCS)) runtime/yl/switch_aarch64.S \
  runtime/yl/preempt_aarch64.S
AARCH64_CONC_SRCS := tests/conc/conc.c tests/conc/workers.c tests/conc/steal_io.c tests/conc/fd_wake.c \
  tests/conc/preempt.c tests/conc/weak.c tests/conc/main_plain.c
AARCH64_OBJCOPY ?= aarch64-linux-gnu-objcopy
AARCH64_AR ?= aarch64-linux-gnu-ar
AARCH64_FLAGS := -std=gnu17 -O2 -g -Wall -Wextra $(WERROR) -D_GNU_SOURCE -ffixed-x18
.PHONY: test-aarch64
test-aarch64:
	$(Q)mk/deps.sh build aarch64
	@mkdir -p $(dir $(AARCH64_TEST))
	$(Q)$(AARCH64_CC) -std=gnu17 -O2 -g -Wall -Wextra $(WERROR) -D_GNU_SOURCE -static \
	  -Iruntime/yl -Itests/arch -o $(AARCH64_TEST) $(AARCH64_SRCS)
	qemu-aarch64 $(AARCH64_TEST)
	$(Q)rm -rf build/aarch64/yl && mkdir -p build/aarch64/yl && cd build/aarch64/yl && \
	  $(AARCH64_CC) $(AARCH64_FLAGS) -pthread -I$(CURDIR)/runtime/yl -c \
	    $(addprefix $(CURDIR)/,$(AARCH64_YL_SRCS)) && \
	  $(AARCH64_AR) rcs libyl.a *.o && $(AARCH64_OBJCOPY) --rename-section .text=yl_text libyl.a
	$(Q)$(AARCH64_CC) $(AARCH64_FLAGS) -static -pthread \
	  -DYL_CONC_NO_SERVER -DWEAK_S=15 -Iruntime/yl -Itests -o $(AARCH64_CONC) $(AARCH64_CONC_SRCS) \
	  build/aarch64/yl/libyl.a -lm
	qemu-aarch64 $(AARCH64_CONC)
	$(Q)for f in deque ready; do $(AARCH64_CC) -std=gnu17 -O2 -D_GNU_SOURCE -Iruntime/yl \
	  -c -o build/aarch64/$$f.o runtime/yl/$$f.c || exit 1; done
	$(Q)tests/arch/fences.sh aarch64 aarch64-linux-gnu-objdump build/aarch64/deque.o build/aarch64/ready.o
# Preemption in a static link, where libc sits in the program's own text
# (the QEMU guest runs such programs): the same checks, linked -static.
PREEMPT_STATIC := build/static/tests/preempt-plain
.PHONY: test-preempt-static
test-preempt-static:
	$(Q)$(MAKE) --no-print-directory STATIC=1 build/static/lib/libyl.a build/static/lib/libbench.a
	@mkdir -p $(dir $(PREEMPT_STATIC))
	$(Q)$(CC) -std=gnu17 -O2 -g -Wall -Wextra $(WERROR) -D_GNU_SOURCE -static -pthread \
	  -Iruntime/yl -Ibench -Itests -o $(PREEMPT_STATIC) tests/conc/main_preempt.c \
	  tests/conc/preempt.c tests/conc/workers.c tests/conc/weak.c tests/conc/conc.c \
	  build/static/lib/libbench.a build/static/lib/libyl.a -lm
	$(PREEMPT_STATIC)
HELP_LINES += "  test-preempt-static  preemption's checks in a STATIC=1 link (libc inside the program)"
HELP_LINES += "  test-aarch64   cross-build the context-switch and concurrency checks for AArch64, run under qemu-aarch64"

# libyl alone: no symbol it needs may come from libbench, and a program
# built with only -Iruntime/yl and linked with only libyl.a runs (traced
# through a tracer of its own). Part of make test, sanitizers included.
LIBYL_ALONE := $(O)/tests/libyl-alone
$(LIBYL_ALONE): tests/alone/main.c $(LIBYL)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -D_GNU_SOURCE -Iruntime/yl $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
.PHONY: check-libyl
check-libyl: $(LIBYL_ALONE) $(LIBBENCH)
	$(Q)from_bench=$$(comm -12 <(nm -u $(LIBYL) | awk '{print $$NF}' | sort -u) \
	  <(nm --defined-only $(LIBBENCH) | awk 'NF == 3 && $$2 ~ /[A-Z]/ {print $$3}' | sort -u)); \
	if [ -n "$$from_bench" ]; then \
	  echo "check-libyl: $(LIBYL) needs symbols of libbench: $$from_bench" >&2; exit 1; fi; \
	echo "check-libyl: $(LIBYL) needs no symbol of $(LIBBENCH)"
	$(LIBYL_ALONE)
test: check-libyl
HELP_LINES += "  check-libyl    libyl without bench/: nm of the archive, a program linked with it alone"

# The fences of the deque and of parking, in the machine code (the ones no
# test can show on an x86 machine: tests/arch/fences.sh). Plain builds
# only: TSan's build makes every operation seq_cst instead of fencing.
FENCE_OBJS := $(O)/obj/runtime/yl/deque.o $(O)/obj/runtime/yl/ready.o
.PHONY: check-fences
check-fences: $(FENCE_OBJS)
	$(Q)tests/arch/fences.sh $(ARCH) objdump $(FENCE_OBJS)
ifeq ($(SAN),)
test: check-fences
endif
HELP_LINES += "  check-fences   the deque's and parking's fences are in the machine code (objdump)"
