# runtime/yl/build.mk - libyl, the async runtime.
LIBYL := $(O)/lib/libyl.a
LIBYL_SRCS := $(wildcard runtime/yl/*.c) runtime/yl/switch_$(ARCH).S runtime/yl/preempt_$(ARCH).S
LIBYL_OBJS := $(patsubst %,$(O)/obj/%.o,$(basename $(LIBYL_SRCS)))
ALL_LIBS += $(LIBYL)
OBJCOPY ?= objcopy

# libyl's code goes in a section of its own, yl_text, so that preemption
# can tell it from the program's (runtime/yl/preempt.c): the linker places
# it apart from .text and defines __start_yl_text and __stop_yl_text. Only
# .text is renamed: cold and startup parts (.text.unlikely...) land at the
# front of .text, outside the program's range too, and the marker
# .text.yl_user_end stays where libyl.a is linked. So every program links
# libyl.a after its own objects and libbench.a, before the C library.
YL_RENAME_TEXT = $(OBJCOPY) --rename-section .text=yl_text
$(LIBYL): $(LIBYL_OBJS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^ && $(YL_RENAME_TEXT) $@

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
	$(Q)$(CC) $(CPPFLAGS) -DYL_PHASES $(CFLAGS) -c -o $@ $< && $(YL_RENAME_TEXT) $@
-include $(YL_PHASES_OBJ:.o=.d)
