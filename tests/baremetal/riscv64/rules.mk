# SPDX-License-Identifier: MIT
# Bare-metal riscv64 test kernels for qemu-system-riscv64 -M virt -bios none
# (M-mode, no MMU), booted by tests/test_system_arm_riscv.py with -kernel.
# The kernels and the parts that do not depend on the architecture are
# those of aarch64 (tests/baremetal/common), compiled here for
# riscv64, so both architectures issue the very same sequence. runtime/ is
# the riscv64 side: boot, trap vector, NS16550A output, exit through the
# SiFive test device, link.ld.
#   calls.elf         common/calls.c
#   calls-denied.elf  the same built with -DEXPECT_DENIED (allow-from=user)
# Included by the top Makefile, which builds EXTRA_TARGETS with 'all'.

BM_RV_SRC := tests/baremetal/riscv64
BM_RV_OUT := $(BUILD)/baremetal/riscv64
BM_RV_PORTABLE := tests/baremetal/common
BM_RV_RUNTIME_OBJS := $(BM_RV_OUT)/runtime/boot.o $(BM_RV_OUT)/runtime/platform.o \
	$(BM_RV_OUT)/portable/console.o $(BM_RV_OUT)/portable/mem.o
BM_RV_HEADERS := $(wildcard $(BM_RV_PORTABLE)/*.h) $(PUBLIC_HEADERS) \
	$(wildcard tests/guest/*.h)

# No floating point (rv64imac, lp64; zicsr names the CSR instructions, which
# binutils 2.40 no longer implies), code anywhere in the address space
# (medany: the kernels live at 0x80000000), no stack protector or unwind
# tables (no runtime for them), and no loops turned into memset/memcpy calls
# that portable/mem.c would make recursive.
BM_RV_ARCH := -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany
BM_RV_CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-pic -fno-pie $(BM_RV_ARCH) \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns \
	-Iinclude -Itests/guest -I$(BM_RV_PORTABLE)
BM_RV_LDFLAGS := $(BM_RV_ARCH) -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-T,$(BM_RV_SRC)/runtime/link.ld

EXTRA_TARGETS += $(BM_RV_OUT)/calls.elf $(BM_RV_OUT)/calls-denied.elf

$(BM_RV_OUT)/runtime/%.o: $(BM_RV_SRC)/runtime/%.c $(BM_RV_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_riscv64) $(BM_RV_CFLAGS) -c $< -o $@

$(BM_RV_OUT)/runtime/%.o: $(BM_RV_SRC)/runtime/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_riscv64) $(BM_RV_CFLAGS) -c $< -o $@

$(BM_RV_OUT)/portable/%.o: $(BM_RV_PORTABLE)/%.c $(BM_RV_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_riscv64) $(BM_RV_CFLAGS) -c $< -o $@

$(BM_RV_OUT)/portable/calls-denied.o: $(BM_RV_PORTABLE)/calls.c $(BM_RV_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_riscv64) $(BM_RV_CFLAGS) -DEXPECT_DENIED -c $< -o $@

$(BM_RV_OUT)/%.elf: $(BM_RV_OUT)/portable/%.o $(BM_RV_RUNTIME_OBJS) \
		$(BM_RV_SRC)/runtime/link.ld
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_riscv64) $(BM_RV_LDFLAGS) $< $(BM_RV_RUNTIME_OBJS) -o $@

# Kept between builds, so an unchanged tree builds nothing.
.SECONDARY: $(BM_RV_RUNTIME_OBJS) $(BM_RV_OUT)/portable/calls.o \
	$(BM_RV_OUT)/portable/calls-denied.o

# 'make clean' removes the kernels too. The rule must not become the default
# goal (this file is included before 'all'), so the goal is put back after it.
BM_RV_GOAL := $(.DEFAULT_GOAL)
.PHONY: clean-baremetal-riscv64
clean: clean-baremetal-riscv64
clean-baremetal-riscv64:
	rm -rf $(BM_RV_OUT)
.DEFAULT_GOAL := $(BM_RV_GOAL)
