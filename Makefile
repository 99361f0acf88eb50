# yieldlab - one non-recursive Makefile. Each folder adds its rules in
# <folder>/build.mk; this file holds only what they all share.
#
#   make            build everything into build/ (or build/san-$(SAN)/)
#   make help       list targets and variables
.DEFAULT_GOAL := all
SHELL := /bin/bash

CC      ?= cc
SAN     ?=
V       ?= 0
PROFILE ?= quick

# Output folder: one per compiler and sanitizer, so objects never mix.
CCNAME := $(if $(findstring clang,$(notdir $(CC))),clang,)
BASE := build$(if $(CCNAME),/$(CCNAME),)
ifeq ($(SAN),)
O := $(BASE)$(if $(filter 1,$(STATIC)),/static,)
else ifneq ($(filter $(SAN),address undefined thread),)
O := $(BASE)/san-$(SAN)
else
$(error SAN must be address, undefined or thread, not '$(SAN)')
endif

ARCH := $(shell uname -m)
WERROR := $(if $(CI),-Werror,)
SANFLAGS_address   := -fsanitize=address -fno-omit-frame-pointer
SANFLAGS_undefined := -fsanitize=undefined -fno-sanitize-recover=undefined
SANFLAGS_thread    := -fsanitize=thread
SANFLAGS := $(SANFLAGS_$(SAN))

CPPFLAGS += -D_GNU_SOURCE -Iruntime/yl -Ibench -MMD -MP
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu17 -Wall -Wextra $(WERROR) -pthread $(SANFLAGS)
LDFLAGS  += -pthread $(SANFLAGS) $(if $(filter 1,$(STATIC)),-static,)
LDLIBS   +=

ifeq ($(V),0)
Q := @
else
Q :=
endif

# Every object under $(O)/obj mirrors its source path.
$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AS      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# $(call program_dir,FOLDER,MODEL,LIBS): every FOLDER/NAME.c is one program,
# linked with LIBS into $(O)/bin/MODEL/NAME.
define program_dir
$(2)_PROGS := $$(patsubst $(1)/%.c,$(O)/bin/$(2)/%,$$(wildcard $(1)/*.c))
ALL_PROGS += $$($(2)_PROGS)
$(O)/bin/$(2)/%: $(O)/obj/$(1)/%.o $(3)
	@mkdir -p $$(@D)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef

# Filled in by the build.mk files.
ALL_PROGS :=
ALL_LIBS  :=
HELP_LINES :=

include $(wildcard mk/deps.mk runtime/yl/build.mk bench/build.mk \
  runtime/build.mk threads/build.mk procs/build.mk tests/build.mk \
  plots/build.mk vm/build.mk labs/build.mk peers/build.mk)

.PHONY: all clean help
all: $(ALL_LIBS) $(ALL_PROGS)

clean:
	rm -rf build

help:
	@echo "yieldlab make targets:"
	@echo "  all            build the runtime, the programs and the tests (default)"
	@echo "  test           check packages, build, run every Criterion suite"
	@echo "  deps           check (and as root install) the Debian packages needed"
	@echo "  clean          remove build/"
	@printf '%s\n' $(HELP_LINES)
	@echo "variables:"
	@echo "  SAN=address|undefined|thread   build and test under a sanitizer (build/san-SAN/)"
	@echo "  CC=clang       build with another compiler"
	@echo "  CI=1           add -Werror (set by CI)"
	@echo "  V=1            show the full compiler command lines"
	@echo "  STATIC=1       link statically into build/static/ (for the QEMU guest)"
	@echo "  PROFILE=quick|full|smoke   size of the benchmark sweep (bench/profiles/)"
	@echo "  RESULTS=dir    results folder for make report (default results/latest)"
	@echo "  CPUS=1|2|4     vCPUs of the guest for make vm-bench"
	@echo "  LAB=NN         the lab for make handout / grade"

.SECONDARY:

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
