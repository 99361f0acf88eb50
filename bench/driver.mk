# bench/driver.mk - the experiment driver yl-bench, `make bench` and
# `make report`.
YL_BENCH := $(O)/bin/yl-bench
YL_BENCH_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard bench/driver/*.c))
ALL_PROGS += $(YL_BENCH)

$(YL_BENCH): $(YL_BENCH_OBJS) $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# make bench: one run of the profile into results/<UTC stamp>-host/, then
# the report. results/latest points at the newest complete run (bench/run.sh).
RESULTS ?= results/latest
.PHONY: bench report
bench:
	$(Q)mk/deps.sh build test bench peers
	$(Q)$(MAKE) --no-print-directory all
	$(Q)rc=0; dir=$$(bench/run.sh $(YL_BENCH) $(PROFILE) results) || rc=$$?; \
	  if [ $$rc -ne 0 ]; then echo "bench: yl-bench failed (exit $$rc), see above" >&2; exit $$rc; fi; \
	  plots/report.sh $$dir; \
	  echo "bench: report in $$dir/REPORT.md (also results/latest/REPORT.md)"

report:
	$(Q)mk/deps.sh bench
	$(Q)plots/report.sh $(RESULTS)

HELP_LINES += "  bench          run the PROFILE benchmark into results/<stamp>-host/, then the report"
HELP_LINES += "  report         rebuild plots and REPORT.md from RESULTS=dir (default results/latest)"
