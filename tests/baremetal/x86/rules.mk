# SPDX-License-Identifier: MIT
# Bare-metal x86 test kernels (multiboot v1, 32-bit protected mode), booted
# by tests/test_system_x86.py with qemu-system-x86_64 -kernel. Each file
# kernels/NAME.c defines kernel_main() (runtime/kernel.h) and becomes
# $(BUILD)/baremetal/x86/NAME.elf, linked with everything in runtime/: boot,
# debugcon output, isa-debug-exit, and optional paging, IDT, PIC and PIT.
# Included by the top Makefile, which builds EXTRA_TARGETS with 'all'.

BM_X86_SRC := tests/baremetal/x86
BM_X86_OUT := $(BUILD)/baremetal/x86
BM_X86_KERNELS := $(basename $(notdir $(wildcard $(BM_X86_SRC)/kernels/*.c)))
BM_X86_RUNTIME := $(basename $(notdir $(wildcard $(BM_X86_SRC)/runtime/*.c \
	$(BM_X86_SRC)/runtime/*.S)))
# memset and friends and kprintf come from tests/baremetal/common, shared by
# all arches.
BM_X86_RUNTIME_OBJS := $(BM_X86_RUNTIME:%=$(BM_X86_OUT)/runtime/%.o) \
	$(BM_X86_OUT)/common/mem.o $(BM_X86_OUT)/common/console.o
BM_X86_HEADERS := $(wildcard $(BM_X86_SRC)/runtime/*.h tests/baremetal/common/*.h) \
	$(PUBLIC_HEADERS) \
	$(wildcard tests/guest/*.h)

# No SSE or x87 (nothing sets CR4.OSFXSR or initialises the FPU), no stack
# protector or unwind tables (no runtime for them), and no loops turned into
# memset/memcpy calls that runtime/mem.c would make recursive.
BM_X86_CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -m32 -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns \
	-Iinclude -Itests/guest -I$(BM_X86_SRC)/runtime -Itests/baremetal/common
BM_X86_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-T,$(BM_X86_SRC)/runtime/link.ld

EXTRA_TARGETS += $(BM_X86_KERNELS:%=$(BM_X86_OUT)/%.elf)

$(BM_X86_OUT)/runtime/%.o: $(BM_X86_SRC)/runtime/%.c $(BM_X86_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -c $< -o $@

$(BM_X86_OUT)/runtime/%.o: $(BM_X86_SRC)/runtime/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -c $< -o $@

$(BM_X86_OUT)/common/%.o: tests/baremetal/common/%.c $(BM_X86_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -c $< -o $@

$(BM_X86_OUT)/kernels/%.o: $(BM_X86_SRC)/kernels/%.c $(BM_X86_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -c $< -o $@

$(BM_X86_OUT)/%.elf: $(BM_X86_OUT)/kernels/%.o $(BM_X86_RUNTIME_OBJS) \
		$(BM_X86_SRC)/runtime/link.ld
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_LDFLAGS) $< $(BM_X86_RUNTIME_OBJS) -o $@

# Kept between builds, so an unchanged tree builds nothing.
.SECONDARY: $(BM_X86_RUNTIME_OBJS) $(BM_X86_KERNELS:%=$(BM_X86_OUT)/kernels/%.o)

# 'make clean' removes the kernels too. The rule must not become the default
# goal (this file is included before 'all'), so the goal is put back after it.
BM_X86_GOAL := $(.DEFAULT_GOAL)
.PHONY: clean-baremetal-x86
clean: clean-baremetal-x86
clean-baremetal-x86:
	rm -rf $(BM_X86_OUT)
.DEFAULT_GOAL := $(BM_X86_GOAL)
