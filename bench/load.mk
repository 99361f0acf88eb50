# bench/load.mk - yl-load, the load generator and experiment program of the
# server experiment (bench/load/*.c), linked with libbench.
YL_LOAD := $(O)/bin/yl-load
YL_LOAD_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard bench/load/*.c))
ALL_PROGS += $(YL_LOAD)

$(YL_LOAD): $(YL_LOAD_OBJS) $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm
