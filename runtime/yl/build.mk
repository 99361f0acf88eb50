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
