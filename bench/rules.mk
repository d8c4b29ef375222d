# SPDX-License-Identifier: MIT
# Build rules of the benchmarks (bench/README.md), for the top Makefile:
#   include bench/rules.mk      (after the include of tests/*/rules.mk)
# Until then bench/run.py builds the same targets with
#   make -f Makefile -f bench/rules.mk bench-build
# Outputs, in $(BUILD)/bench/:
#   calls, workload   static x86-64 guests (bench/guest/calls.c, workload.c)
#   exit_now          a static x86-64 guest that exits at once (row 14)
#   zlib_region       static x86-64 guest linking Debian's libz.a (zlib1g-dev)
#                     and using Debian's callgrind.h (bench/guest/zlib_region.c)
#   zlib_dynamic      the same program linked as users link it, against
#                     Debian's shared libz.so and libc (row 8d)
#   libfloor.so       the "empty plugin" floor (bench/floor_plugin.c)
#   libadd.so         row 10's C handler (bench/handlers/add.c)
#   bench.elf         the bare-metal kernel (bench/guest/kernel.c), linked
#                     with the runtime of tests/baremetal/x86
# and, for row 10, the tests' thread_keys.elf (tests/baremetal/x86).

BENCH_OUT := $(BUILD)/bench
BENCH_GUESTS := $(BENCH_OUT)/calls $(BENCH_OUT)/workload
BENCH_TARGETS := $(BENCH_GUESTS) $(BENCH_OUT)/exit_now $(BENCH_OUT)/zlib_region $(BENCH_OUT)/zlib_dynamic \
	$(BENCH_OUT)/libfloor.so \
	$(BENCH_OUT)/bench.elf $(BENCH_OUT)/libadd.so $(BUILD)/libbackdoor-python.so \
	$(BM_X86_OUT)/thread_keys.elf

EXTRA_TARGETS += $(BENCH_TARGETS)

.PHONY: bench-build
bench-build: $(BENCH_TARGETS)

$(BENCH_GUESTS): $(BENCH_OUT)/%: bench/guest/%.c bench/guest/workload.h $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) -Ibench/guest $< -o $@

$(BENCH_OUT)/exit_now: bench/guest/exit_now.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) -nostdlib -static $< -o $@

# -lz with -static takes /usr/lib/x86_64-linux-gnu/libz.a, as a user's
# static build would.
ZLIB_A := /usr/lib/x86_64-linux-gnu/libz.a

$(BENCH_OUT)/zlib_region: bench/guest/zlib_region.c $(PUBLIC_HEADERS) | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $(dir $@)
	@test -f $(ZLIB_A) || { echo "no $(ZLIB_A): scripts/install-deps.sh bench installs zlib1g-dev" >&2; exit 1; }
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@ -lz

# Dynamic, with debug information: what a user profiles.
$(BENCH_OUT)/zlib_dynamic: bench/guest/zlib_region.c $(PUBLIC_HEADERS) | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -g -Iinclude -I$(VALGRIND_INCLUDE) $< -o $@ -lz

FLOOR_SRCS := bench/floor_plugin.c plugin/qemu/qemu_compat.c plugin/qemu/qemu_version.c

$(BENCH_OUT)/libfloor.so: $(FLOOR_SRCS) $(wildcard plugin/qemu/qemu_*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -fPIC -shared -fvisibility=hidden -Iplugin \
		$(GLIB_CFLAGS) $(FLOOR_SRCS) -o $@ $(GLIB_LIBS)

$(BENCH_OUT)/libadd.so: bench/handlers/add.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -fPIC -shared -Iinclude $< -o $@

$(BENCH_OUT)/kernel/%.o: bench/guest/%.c bench/guest/workload.h $(BM_X86_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -Ibench/guest -c $< -o $@

$(BENCH_OUT)/kernel/%.o: bench/guest/%.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_CFLAGS) -c $< -o $@

$(BENCH_OUT)/bench.elf: $(BENCH_OUT)/kernel/kernel.o $(BENCH_OUT)/kernel/ap_boot.o \
		$(BM_X86_RUNTIME_OBJS) $(BM_X86_SRC)/runtime/link.ld
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_i386) $(BM_X86_LDFLAGS) $(BENCH_OUT)/kernel/kernel.o \
		$(BENCH_OUT)/kernel/ap_boot.o $(BM_X86_RUNTIME_OBJS) -o $@

.SECONDARY: $(BENCH_OUT)/kernel/kernel.o $(BENCH_OUT)/kernel/ap_boot.o

# 'make clean' removes the benchmark builds too; the goal is put back as in
# tests/baremetal/x86/rules.mk, so this rule cannot become the default.
BENCH_GOAL := $(.DEFAULT_GOAL)
.PHONY: clean-bench
clean: clean-bench
clean-bench:
	rm -rf $(BENCH_OUT)
.DEFAULT_GOAL := $(BENCH_GOAL)
