# bench/fuzz.mk - libFuzzer targets (bench/fuzz/NAME.c, one file each, seed
# corpus in bench/fuzz/corpus/NAME/), their line coverage, and the
# differential check of the HTTP parser against Node's (llhttp).
#
#   make fuzz [FUZZ=http] [FUZZ_S=60]   fuzz each target (or one) FUZZ_S seconds
#   make fuzz-cov [FUZZ=http]           line coverage of the corpus, >= FUZZ_COV_MIN %
#   make fuzz-diff                      the HTTP corpus through Node's parser and ours
#
# A target is one file defining LLVMFuzzerTestOneInput; it links against
# libbench, the driver (without its main) and libyl, built once more with
# the fuzzer's instrumentation, so any parser of the tree is in reach. Its
# comment names the source it is about ("fuzz-covers: bench/http.c"),
# which make fuzz-cov measures, and may lower the bar for it
# ("fuzz-cov-min: 90", with the reason; FUZZ_COV_MIN otherwise).
FUZZ_CC ?= clang
FUZZ_S ?= 60
FUZZ ?=
FUZZ_COV_MIN ?= 95
FUZZ_O := build/fuzz
FUZZ_TARGETS := $(basename $(notdir $(wildcard bench/fuzz/*.c)))
FUZZ_LIB_SRCS := $(wildcard bench/*.c) $(filter-out bench/driver/main.c,$(wildcard bench/driver/*.c)) \
  $(LIBYL_SRCS)
FUZZ_CPPFLAGS := -D_GNU_SOURCE -Iruntime/yl -Ibench -MMD -MP
FUZZ_CFLAGS := -std=gnu17 -Wall -Wextra $(WERROR) -g -O1 -pthread

# Two builds: "asan" finds bugs (fuzzer, ASan, UBSan), "cov" counts lines
# (clang's source-based coverage, run over the corpus by libFuzzer's main).
FUZZ_FLAGS_asan := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LINK_asan := -fsanitize=fuzzer,address,undefined
FUZZ_FLAGS_cov := -fprofile-instr-generate -fcoverage-mapping
FUZZ_LINK_cov := -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping

# $(call fuzz_build,VARIANT): objects, the archive and one binary per target.
define fuzz_build
$(FUZZ_O)/$(1)/obj/%.o: %.c
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  FUZZCC  $$<")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CPPFLAGS) $$(FUZZ_CFLAGS) $$(FUZZ_FLAGS_$(1)) -c -o $$@ $$<
$(FUZZ_O)/$(1)/obj/%.o: %.S
	@mkdir -p $$(@D)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CPPFLAGS) -c -o $$@ $$<
$(FUZZ_O)/$(1)/libtree.a: $$(patsubst %,$(FUZZ_O)/$(1)/obj/%.o,$$(basename $$(FUZZ_LIB_SRCS)))
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
$(FUZZ_O)/$(1)/bin/%: $(FUZZ_O)/$(1)/obj/bench/fuzz/%.o $(FUZZ_O)/$(1)/libtree.a
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  FUZZLD  $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_LINK_$(1)) -pthread -o $$@ $$^ -lm
endef
$(eval $(call fuzz_build,asan))
$(eval $(call fuzz_build,cov))

FUZZ_PICK = $(if $(FUZZ),$(FUZZ),$(FUZZ_TARGETS))
.PHONY: fuzz fuzz-cov fuzz-diff fuzz-check-name
fuzz-check-name:
	$(Q)for t in $(FUZZ_PICK); do case " $(FUZZ_TARGETS) " in *" $$t "*) ;; \
	  *) echo "fuzz: no target '$$t' (there are: $(FUZZ_TARGETS))" >&2; exit 2;; esac; done
	$(Q)mk/deps.sh build clang

# New inputs go to build/fuzz/work/NAME (the tree's corpus stays as it is);
# a crash leaves its input in build/fuzz/artifacts/NAME/ and fails make.
fuzz: fuzz-check-name
	$(Q)$(MAKE) --no-print-directory $(patsubst %,$(FUZZ_O)/asan/bin/%,$(FUZZ_PICK))
	$(Q)for t in $(FUZZ_PICK); do \
	  mkdir -p $(FUZZ_O)/work/$$t $(FUZZ_O)/artifacts/$$t; \
	  echo "fuzz: $$t for $(FUZZ_S) s (corpus bench/fuzz/corpus/$$t)"; \
	  $(FUZZ_O)/asan/bin/$$t -max_total_time=$(FUZZ_S) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_O)/artifacts/$$t/ \
	    $(FUZZ_O)/work/$$t bench/fuzz/corpus/$$t 2>$(FUZZ_O)/$$t.log \
	    || { tail -40 $(FUZZ_O)/$$t.log >&2; echo "fuzz: $$t found a bug, input in $(FUZZ_O)/artifacts/$$t/" >&2; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' $(FUZZ_O)/$$t.log; \
	  echo "fuzz: $$t: no finding"; \
	done

# Each target's "fuzz-covers" file, as clang's coverage counts its lines
# when the tree's corpus alone is run.
fuzz-cov: fuzz-check-name
	$(Q)$(MAKE) --no-print-directory $(patsubst %,$(FUZZ_O)/cov/bin/%,$(FUZZ_PICK))
	$(Q)for t in $(FUZZ_PICK); do \
	  src=$$(sed -n 's/.*fuzz-covers: *\([^ ]*\).*/\1/p' bench/fuzz/$$t.c | head -1); \
	  min=$$(sed -n 's/.*fuzz-cov-min: *\([0-9.]*\).*/\1/p' bench/fuzz/$$t.c | head -1); \
	  min=$${min:-$(FUZZ_COV_MIN)}; \
	  rm -f $(FUZZ_O)/cov/$$t.profraw; \
	  LLVM_PROFILE_FILE=$(FUZZ_O)/cov/$$t.profraw $(FUZZ_O)/cov/bin/$$t \
	    $$(find bench/fuzz/corpus/$$t -type f | sort) >/dev/null 2>&1 || exit 1; \
	  llvm-profdata merge -o $(FUZZ_O)/cov/$$t.profdata $(FUZZ_O)/cov/$$t.profraw || exit 1; \
	  llvm-cov report $(FUZZ_O)/cov/bin/$$t -instr-profile=$(FUZZ_O)/cov/$$t.profdata $$src; \
	  pct=$$(llvm-cov report $(FUZZ_O)/cov/bin/$$t -instr-profile=$(FUZZ_O)/cov/$$t.profdata $$src \
	    | awk '$$1 == "TOTAL" {print $$(NF-3)}' | tr -d %); \
	  echo "fuzz-cov: $$t: the corpus covers $$pct % of the lines of $$src (at least $$min % wanted)"; \
	  awk -v p="$$pct" -v m=$$min 'BEGIN {exit !(p >= m)}' || \
	    { echo "fuzz-cov: $$t: under $$min %: add seeds to bench/fuzz/corpus/$$t" >&2; \
	      llvm-cov show $(FUZZ_O)/cov/bin/$$t -instr-profile=$(FUZZ_O)/cov/$$t.profdata $$src \
	        | grep -E '^ +[0-9]+\| +0\|' >&2; exit 1; }; \
	done

# Every request of the HTTP corpus through Node's http module and through
# ours: Node refuses, we refuse; both accept, same route. The other
# disagreements are decided, each in bench/fuzz/diff/decisions.txt.
FUZZ_VERDICT := $(O)/bin/http-verdict
ALL_PROGS += $(FUZZ_VERDICT)
$(FUZZ_VERDICT): $(O)/obj/bench/fuzz/diff/verdict.o $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
fuzz-diff: $(FUZZ_VERDICT)
	$(Q)mk/deps.sh peers
	$(Q)node bench/fuzz/diff/llhttp.js $(FUZZ_VERDICT) bench/fuzz/corpus/http bench/fuzz/diff/decisions.txt

HELP_LINES += "  fuzz           libFuzzer each bench/fuzz target FUZZ_S s (FUZZ=http for one)"
HELP_LINES += "  fuzz-cov       line coverage of each fuzz target's source by its seed corpus (>= 95 %)"
HELP_LINES += "  fuzz-diff      the HTTP seed corpus through Node's parser (llhttp) and ours"

-include $(shell find $(FUZZ_O) -name '*.d' 2>/dev/null)
