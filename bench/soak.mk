# bench/soak.mk - yl-soak (bench/soak/*.c, with yl-load's server and wrk
# code) and `make soak`: every server for SOAK_S seconds under wrk and
# bad clients, its RSS, fds and threads sampled and plotted.
YL_SOAK := $(O)/bin/yl-soak
YL_SOAK_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard bench/soak/*.c)) \
  $(filter-out %/main.o,$(YL_LOAD_OBJS))
ALL_PROGS += $(YL_SOAK)
$(YL_SOAK): $(YL_SOAK_OBJS) $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# Seconds per server (seven servers: SOAK_S=8 is about a minute in all).
SOAK_S ?= 60
SOAK_OUT ?= results/soak
# Checks whose failure is known and awaits a fix (comma-separated, e.g.
# slowloris,nonreader): reported as KNOWN, they do not fail make soak.
SOAK_KNOWN ?=
# MODEL/server:its flags, blanks as '_' (idle connections cut after 1 s,
# a head not whole or a reply not read after 2 s).
# A pool thread or a prefork child serves one connection until it ends:
# 32 of them, for the 30-odd connections the clients hold at once.
SOAK_SERVERS := tasks:--exec_single tasks:--exec_sharded_--workers_2 tasks:--exec_stealing_--workers_2 \
  threads:--variant_per-conn threads:--variant_pool_--workers_32 procs:--variant_per-conn \
  procs:--variant_prefork_--workers_32
.PHONY: soak
soak:
	$(Q)mk/deps.sh build bench
	$(Q)$(MAKE) --no-print-directory $(YL_SOAK) $(O)/bin/tasks/server $(O)/bin/threads/server $(O)/bin/procs/server
	$(Q)mkdir -p $(SOAK_OUT) && rm -f $(SOAK_OUT)/soak-*.csv $(SOAK_OUT)/checks.txt
	$(Q)fails=0; for s in $(SOAK_SERVERS); do \
	  m=$${s%%:*}; a=$$(echo "$${s#*:}" | tr _ ' '); \
	  $(YL_SOAK) --server $$m/server --server-args "$$a --idle-ms 1000 --head-ms 2000 --write-ms 2000" \
	    --seconds $(SOAK_S) --out $(SOAK_OUT) $(if $(SOAK_KNOWN),--known $(SOAK_KNOWN)) 2>&1 | tee -a $(SOAK_OUT)/checks.txt; \
	  [ $${PIPESTATUS[0]} -eq 0 ] || fails=$$((fails + 1)); \
	done; \
	gnuplot -e "dir='$(SOAK_OUT)'" bench/soak/soak.gp && echo "soak: plot in $(SOAK_OUT)/soak.png"; \
	echo "soak: failed checks (KNOWN: in SOAK_KNOWN), by server:"; \
	awk '$$4 == "FAIL:" || $$4 == "KNOWN:" {f[$$2] = f[$$2] " " $$3 ($$4 == "KNOWN:" ? "(known)" : "")} \
	  END {for (s in f) print "  " s f[s]; if (!length(f)) print "  none"}' $(SOAK_OUT)/checks.txt | sort; \
	[ $$fails -eq 0 ]
HELP_LINES += "  soak           every server SOAK_S s (default 60) under wrk and bad clients; RSS, fds, threads plotted"
