# runtime/yl/build.mk - libyl, the async runtime.
LIBYL := $(O)/lib/libyl.a
LIBYL_SRCS := $(wildcard runtime/yl/*.c) runtime/yl/switch_$(ARCH).S
LIBYL_OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(LIBYL_SRCS)))
ALL_LIBS += $(LIBYL)

$(LIBYL): $(LIBYL_OBJS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The runtime stands alone: its sources see their own folder, not bench/
# (make check-libyl, run by make test, checks the archive as well).
$(LIBYL_OBJS): CPPFLAGS := $(filter-out -Ibench,$(CPPFLAGS))

# sched.c once more, with the time stamps of phases.h (-DYL_PHASES), for
# tasks/yieldparts only: linked before libyl, it stands in for the plain
# sched.o, which the archive then never pulls in.
YL_PHASES_OBJ := $(O)/obj-phases/runtime/yl/sched.o
$(YL_PHASES_OBJ): runtime/yl/sched.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $< (phases)")
	$(Q)$(CC) $(CPPFLAGS) -DYL_PHASES $(CFLAGS) -c -o $@ $<
-include $(YL_PHASES_OBJ:.o=.d)
