# SPDX-License-Identifier: GPL-2.0-or-later
# backdoor: a guest-initiated command channel for QEMU TCG.
#   make demo    install what is missing, build QEMU (cached) and the project,
#                run the demo
#   make check   the same set-up, then every test
#   make bench   the benchmarks (bench/README.md)
#   make fuzz    the libFuzzer targets, FUZZ_SECONDS (300) each (tests/fuzz)
#   make install PREFIX=/usr/local
# QEMU_PREFIX=/path/to/qemu uses an existing plugin-enabled QEMU (>= 9.0)
# instead of building one: Debian's own (QEMU_PREFIX=/usr) serves system
# mode; user mode needs a qemu-x86_64 that loads plugins, which Debian's
# static qemu-user cannot.

BUILD       ?= build
QEMU_LINK   := $(BUILD)/qemu
QEMU_PREFIX ?= $(QEMU_LINK)
PREFIX      ?= /usr/local
export BACKDOOR_CACHE ?= $(HOME)/.cache/backdoor

CC          ?= cc
# Parallel builds for the set-up targets (check, demo, bench): one job per core.
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
# make V=1 shows the full commands.
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
WARN        := -Wall -Wextra -Werror
CFLAGS_C11  := -std=c11 $(WARN) -O2 -g
GLIB_CFLAGS  = $(shell pkg-config --cflags glib-2.0)
GLIB_LIBS    = $(shell pkg-config --libs glib-2.0)
# profile='s symbols and source lines (plugin/qemu/symbols.c) come from
# elfutils, which the plugin dlopens with profile= only (plugin/qemu/elfutils.h):
# linked, it would cost every QEMU start about 1 ms of CPU (bench row 14).
# Its headers are needed to build.

# The plugin.
# One folder per layer (README, "Layout"); includes name the layer:
# #include "qemu/vcpu.h".
PLUGIN_SRCS := $(wildcard plugin/*/*.c)
PLUGIN_HDRS := $(wildcard plugin/*/*.h)
PLUGIN_OBJS := $(PLUGIN_SRCS:plugin/%.c=$(BUILD)/plugin/%.o)
# One version for the plugin (checkpoints record it) and the tools.
BACKDOOR_VERSION := $(shell sed -n 's/^Version: *//p' scripts/backdoor.pc.in)
PLUGIN_CFLAGS = $(CFLAGS_C11) -D_GNU_SOURCE -fPIC -fvisibility=hidden \
	-DBACKDOOR_VERSION='"$(BACKDOOR_VERSION)"' \
	-Iinclude -Iplugin $(GLIB_CFLAGS)
PUBLIC_HEADERS := $(wildcard include/backdoor/*.h)

# Guest programs (tests and examples), static, for every guest architecture.
# i386 uses the i686 cross compiler: Debian 12's gcc-multilib conflicts with
# the aarch64 and riscv64 cross compilers.
GUEST_ARCHES     := x86_64 i386 aarch64 riscv64
GUEST_CC_x86_64  := $(CC) -m64
GUEST_CC_i386    := i686-linux-gnu-gcc
GUEST_CC_aarch64 := aarch64-linux-gnu-gcc
GUEST_CC_riscv64 := riscv64-linux-gnu-gcc
# Guests including Valgrind's headers find Debian's unmodified ones through
# a directory holding only them: adding /usr/include itself would give the
# cross compilers the host's libc headers.
VALGRIND_INCLUDE := $(BUILD)/valgrind-include
GUEST_CFLAGS := -std=c11 $(WARN) -O2 -Iinclude -Itests/guest -I$(VALGRIND_INCLUDE) -static -pthread
# Programs written in x86-64 assembly, and the test guests for every arch.
X86_64_ONLY  := adversarial many_cpuids valgrind_reps
TEST_GUESTS  := $(filter-out $(X86_64_ONLY),$(basename $(notdir $(wildcard tests/guest/*.c))))
# Guests of Valgrind's client requests: Debian's valgrind.h (3.19) has no
# riscv64 port, so they are built for the other three.
VALGRIND_GUESTS := $(basename $(notdir $(wildcard tests/guest/valgrind_*.c)))
guests_for = $(if $(filter riscv64,$(1)),$(filter-out $(VALGRIND_GUESTS),$(TEST_GUESTS)),$(TEST_GUESTS))
GUEST_BINS   := $(foreach a,$(GUEST_ARCHES),$(addprefix $(BUILD)/guest/$(a)/,$(call guests_for,$(a)))) \
	$(foreach a,$(GUEST_ARCHES),$(BUILD)/guest/$(a)/seed_sequence-disabled) \
	$(X86_64_ONLY:%=$(BUILD)/guest/x86_64/%) $(BUILD)/guest/x86_64/whole_program

# Handler libraries used by the tests.
TEST_HANDLERS := $(basename $(notdir $(wildcard tests/handlers/*.c)))
HANDLER_LIBS  := $(TEST_HANDLERS:%=$(BUILD)/handlers/lib%.so)

# Host unit tests of the plugin's pure parts.
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/unit/%)
# What the architecture descriptors name but a host program cannot run.
UNIT_STUBS := tests/unit/mmu_stubs.c
UNIT_PLUGIN_OBJS := translate/decode core/options translate/arch translate/arch_x86 translate/repeat_rule \
	translate/arch_aarch64 translate/arch_riscv64 translate/site qemu/qemu_version \
	translate/valgrind_cpu output/clock output/json output/text output/call_json output/trace_json \
	commands/marks

# The demo (examples/print).
EXAMPLE_BINS := $(BUILD)/examples/print-guest $(BUILD)/examples/libprint-handler.so \
	$(BUILD)/examples/regions-workload $(BUILD)/examples/readfile-guest \
	$(BUILD)/examples/libreadfile-handler.so

.DEFAULT_GOAL := all

# Parts with build rules of their own add their outputs to EXTRA_TARGETS.
EXTRA_TARGETS :=
include $(wildcard tests/*/rules.mk tests/*/*/rules.mk tools/rules.mk bench/rules.mk python/rules.mk)

.PHONY: all plugin guests deps qemu demo check test unit bench install clean
all: plugin guests $(HANDLER_LIBS) $(UNIT_BINS) $(EXAMPLE_BINS) $(EXTRA_TARGETS)

plugin: $(BUILD)/libbackdoor.so
guests: $(GUEST_BINS)

$(BUILD)/plugin/%.o: plugin/%.c $(PLUGIN_HDRS) $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -c $< -o $@

$(BUILD)/libbackdoor.so: $(PLUGIN_OBJS)
	@echo "  CC      $@"
	$(Q)$(CC) -shared -o $@ $^ $(GLIB_LIBS) -ldl -lpthread

$(VALGRIND_INCLUDE)/valgrind:
	@mkdir -p $(VALGRIND_INCLUDE)
	@test -f /usr/include/valgrind/callgrind.h || { echo "no /usr/include/valgrind: make deps installs valgrind" >&2; exit 1; }
	$(Q)ln -sfn /usr/include/valgrind $@

define guest_rules
$(BUILD)/guest/$(1)/%: tests/guest/%.c $(PUBLIC_HEADERS) $(wildcard tests/guest/*.h) | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	$(Q)$(GUEST_CC_$(1)) $(GUEST_CFLAGS) $$< -o $$@
$(BUILD)/guest/$(1)/seed_sequence-disabled: tests/guest/seed_sequence.c $(PUBLIC_HEADERS) $(wildcard tests/guest/*.h)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	$(Q)$(GUEST_CC_$(1)) $(GUEST_CFLAGS) -DBACKDOOR_DISABLE $$< -o $$@
endef
$(foreach a,$(GUEST_ARCHES),$(eval $(call guest_rules,$(a))))

$(BUILD)/guest/x86_64/adversarial: tests/guest/adversarial.c tests/guest/adversarial.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $^ -o $@

$(BUILD)/guest/x86_64/whole_program: tests/guest/whole_program.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -m64 -nostdlib -static $< -o $@

$(BUILD)/handlers/lib%.so: tests/handlers/%.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -fPIC -shared -Iinclude -Itests/guest $< -o $@ -lpthread

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_PLUGIN_OBJS:%=plugin/%.c) $(UNIT_STUBS) $(PLUGIN_HDRS) $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -Iinclude -Iplugin $(GLIB_CFLAGS) $< \
	  $(UNIT_PLUGIN_OBJS:%=plugin/%.c) $(UNIT_STUBS) -o $@ $(GLIB_LIBS) -lpthread

$(BUILD)/examples/print-guest: examples/print/guest.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/examples/regions-workload: examples/regions/workload.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/examples/readfile-guest: examples/readfile/guest.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/examples/libreadfile-handler.so: examples/readfile/handler.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -fPIC -shared -Iinclude $< -o $@

$(BUILD)/examples/libprint-handler.so: examples/print/handler.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -fPIC -shared $< -o $@

# Set-up: Debian packages, then QEMU (built once into the cache).
deps:
	@scripts/install-deps.sh build system

qemu: deps
ifeq ($(origin QEMU_PREFIX),file)
	@scripts/build-qemu.sh $(QEMU_LINK)
else
	@test -x $(QEMU_PREFIX)/bin/qemu-system-x86_64 -o -x $(QEMU_PREFIX)/bin/qemu-x86_64 \
	  || { echo "QEMU_PREFIX=$(QEMU_PREFIX) has neither bin/qemu-system-x86_64 nor bin/qemu-x86_64" >&2; exit 1; }
	@echo "==> using QEMU at $(QEMU_PREFIX)"
endif

# Only what the demo runs (the plugin, the examples, the guest command line)
# and qemu-backdoor, which the README's example uses next.
DEMO_TARGETS = plugin $(EXAMPLE_BINS) $(BUILD)/backdoor $(HOST_CMD)

demo: qemu
	@$(MAKE) --no-print-directory -j$(JOBS) $(DEMO_TARGETS)
	@QEMU_PREFIX=$(QEMU_PREFIX) scripts/demo.sh

check: qemu
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@scripts/install-deps.sh compat debian-qemu
	@scripts/fetch-valgrind-src.sh >/dev/null
	@python3 tests/run.py

# Only the tests, without the set-up (for a warm tree).
test: all
	@python3 tests/run.py $(TESTS)

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

bench: qemu
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@scripts/install-deps.sh bench
	@python3 bench/run.py

# The docs' ABI tables and tests/lib/abi.py, from include/backdoor/ops.h.
.PHONY: gen-abi
gen-abi:
	@python3 scripts/gen-abi.py

# Headers, plugin and pkg-config file; install-tools (tools/rules.mk) adds
# qemu-backdoor and the guest command lines (share/backdoor/ARCH/backdoor).
install: plugin install-tools install-python
	install -d $(DESTDIR)$(PREFIX)/include/backdoor $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/backdoor/
	install -m 755 $(BUILD)/libbackdoor.so $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|' scripts/backdoor.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/backdoor.pc

clean:
	rm -rf $(BUILD)/plugin $(BUILD)/libbackdoor.so $(BUILD)/guest $(BUILD)/handlers \
	  $(BUILD)/unit $(BUILD)/examples $(BUILD)/tests $(BUILD)/qemu-backdoor $(BUILD)/libbackdoor-python.so
