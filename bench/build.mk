# bench/build.mk - libbench: measurement and command-line helpers shared by
# every program (bench/*.c), plus the driver's own rules (bench/*.mk).
LIBBENCH := $(O)/lib/libbench.a
LIBBENCH_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard bench/*.c))
ALL_LIBS += $(LIBBENCH)

$(LIBBENCH): $(LIBBENCH_OBJS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

include $(filter-out bench/build.mk,$(wildcard bench/*.mk))
