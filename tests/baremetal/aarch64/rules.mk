# SPDX-License-Identifier: MIT
# Bare-metal aarch64 test kernels for qemu-system-aarch64 -M virt (EL1, MMU
# off), booted by tests/test_system_arm_riscv.py with -kernel.
# tests/baremetal/common holds what does not depend on the architecture: the
# kernels (calls.c), formatted output and memset/memcpy; the riscv64 rules
# compile the same files. runtime/ is the aarch64 side: boot,
# exception vectors, PL011 output, semihosting exit, link.ld.
#   calls.elf         common/calls.c
#   calls-denied.elf  the same built with -DEXPECT_DENIED (allow-from=user)
# Included by the top Makefile, which builds EXTRA_TARGETS with 'all'.

BM_A64_SRC := tests/baremetal/aarch64
BM_A64_OUT := $(BUILD)/baremetal/aarch64
BM_PORTABLE_SRC := tests/baremetal/common
BM_A64_RUNTIME_OBJS := $(BM_A64_OUT)/runtime/boot.o $(BM_A64_OUT)/runtime/platform.o \
	$(BM_A64_OUT)/portable/console.o $(BM_A64_OUT)/portable/mem.o
BM_A64_HEADERS := $(wildcard $(BM_PORTABLE_SRC)/*.h) $(PUBLIC_HEADERS) \
	$(wildcard tests/guest/*.h)

# No FP/SIMD (nothing enables it in CPACR_EL1), no unaligned accesses (with
# the MMU off all data accesses are Device memory, where they fault), no
# stack protector or unwind tables (no runtime for them), and no loops turned
# into memset/memcpy calls that portable/mem.c would make recursive.
BM_A64_CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-pic -fno-pie \
	-mgeneral-regs-only -mstrict-align -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-Iinclude -Itests/guest -I$(BM_PORTABLE_SRC)
BM_A64_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-T,$(BM_A64_SRC)/runtime/link.ld

EXTRA_TARGETS += $(BM_A64_OUT)/calls.elf $(BM_A64_OUT)/calls-denied.elf

$(BM_A64_OUT)/runtime/%.o: $(BM_A64_SRC)/runtime/%.c $(BM_A64_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_aarch64) $(BM_A64_CFLAGS) -c $< -o $@

$(BM_A64_OUT)/runtime/%.o: $(BM_A64_SRC)/runtime/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_aarch64) $(BM_A64_CFLAGS) -c $< -o $@

$(BM_A64_OUT)/portable/%.o: $(BM_PORTABLE_SRC)/%.c $(BM_A64_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_aarch64) $(BM_A64_CFLAGS) -c $< -o $@

$(BM_A64_OUT)/portable/calls-denied.o: $(BM_PORTABLE_SRC)/calls.c $(BM_A64_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_aarch64) $(BM_A64_CFLAGS) -DEXPECT_DENIED -c $< -o $@

$(BM_A64_OUT)/%.elf: $(BM_A64_OUT)/portable/%.o $(BM_A64_RUNTIME_OBJS) \
		$(BM_A64_SRC)/runtime/link.ld
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_aarch64) $(BM_A64_LDFLAGS) $< $(BM_A64_RUNTIME_OBJS) -o $@

# Kept between builds, so an unchanged tree builds nothing.
.SECONDARY: $(BM_A64_RUNTIME_OBJS) $(BM_A64_OUT)/portable/calls.o \
	$(BM_A64_OUT)/portable/calls-denied.o

# 'make clean' removes the kernels too. The rule must not become the default
# goal (this file is included before 'all'), so the goal is put back after it.
BM_A64_GOAL := $(.DEFAULT_GOAL)
.PHONY: clean-baremetal-aarch64
clean: clean-baremetal-aarch64
clean-baremetal-aarch64:
	rm -rf $(BM_A64_OUT)
.DEFAULT_GOAL := $(BM_A64_GOAL)
