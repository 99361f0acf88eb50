# vm/build.mk - the QEMU guest: Debian's kernel (downloaded into build/vm/,
# never installed on the host), an initramfs with our static init and the
# statically built programs, and `make vm-bench`.
#
#   make vm-bench CPUS=2 PROFILE=quick   run the bench in a 2-vCPU guest
#   make vm-bench ... VM_MEM_MB=8192      guest memory (default by profile)
#   make vm-bench ... VM_TIMEOUT=3600     seconds for the whole boot
#   make vm-guest                        only build the kernel and initramfs
VM_DIR := build/vm
CPUS ?= 1

# The guest's init must be static (the initramfs has no C library); a
# sanitizer runtime cannot be linked statically, so sanitizer builds skip it.
ifeq ($(SAN),)
ALL_PROGS += $(O)/bin/vm/init
endif
ALL_PROGS += $(O)/bin/vm/unwire

$(O)/bin/vm/init: $(O)/obj/vm/init.o $(O)/obj/vm/tune.o
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -static -o $@ $^

$(O)/bin/vm/unwire: $(O)/obj/vm/unwire.o $(LIBBENCH)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# vm-guest: everything a boot needs. The programs are built by a nested
# make because they go to another output folder (build/static).
.PHONY: vm-guest vm-kernel vm-bench
vm-kernel:
	$(Q)mk/deps.sh build vm
	$(Q)vm/kernel.sh $(VM_DIR)

vm-guest: vm-kernel
	$(Q)$(MAKE) -s --no-print-directory SAN= STATIC=1 all
	$(Q)vm/mkinitramfs.sh build/static/bin $(VM_DIR)/initramfs.cpio

vm-bench: vm-guest
	$(Q)vm/run.sh --no-build --cpus $(CPUS) --profile $(PROFILE) \
	  $(if $(VM_MEM_MB),--mem $(VM_MEM_MB)) $(if $(VM_TIMEOUT),--timeout $(VM_TIMEOUT))

# Where QEMU is installed, the test suite boots the guest (tests/test_vm.c):
# build it before the tests start rather than inside one of them, where the
# static build would compete with the timing-sensitive tests running next
# to it. A failure here (no network for the kernel, say) must not stop the
# other suites: the boot test then tries again and reports it.
.PHONY: vm-guest-for-tests
vm-guest-for-tests:
	$(Q)$(MAKE) --no-print-directory vm-guest || \
	  echo "vm: building the guest failed; the boot test will say why" >&2
ifneq ($(shell command -v qemu-system-x86_64 2>/dev/null),)
ifneq ($(STATIC),1)
test-build: vm-guest-for-tests
endif
endif
# tests/build.mk lists ALL_PROGS before this file adds to it.
test-build: $(O)/bin/vm/unwire

HELP_LINES += "  vm-bench       run PROFILE in a QEMU guest with CPUS vCPUs (1, 2, 4) into results/<stamp>-vmCPUS/"
HELP_LINES += "  vm-guest       build the guest only: Debian kernel and our initramfs in build/vm/"
