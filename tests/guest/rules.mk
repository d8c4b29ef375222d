# SPDX-License-Identifier: GPL-2.0-or-later
# Dynamically linked guests, for 'qemu-backdoor --linux' and user mode with
# Debian's cross libraries (libc6-ARCH-cross); the other guests are static.
DYNAMIC_GUEST_ARCHES := x86_64 aarch64 riscv64
DYNAMIC_GUESTS := $(DYNAMIC_GUEST_ARCHES:%=$(BUILD)/guest/%/linux_program-dynamic)
EXTRA_TARGETS += $(DYNAMIC_GUESTS)

$(BUILD)/guest/%/linux_program-dynamic: tests/guest/linux_program.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_$*) $(filter-out -static,$(GUEST_CFLAGS)) $< -o $@
