# SPDX-License-Identifier: GPL-2.0-or-later
# Programs of tests/test_callgrind_peers.py and bench row 8e: what CPUID
# says (cpuid_dump), and workloads on
# Debian's libraries (zlib1g-dev, libbz2-dev, liblzma-dev, libsqlite3-dev),
# linked statically and dynamically, as users build them.
PEERS_OUT := $(BUILD)/peers
PEERS_BINS := $(PEERS_OUT)/workloads-static $(PEERS_OUT)/workloads-dynamic \
	$(PEERS_OUT)/cpuid_dump $(PEERS_OUT)/cpuid_signals
PEERS_CFLAGS := -std=c11 $(WARN) -O2 -g -D_GNU_SOURCE -I$(VALGRIND_INCLUDE)
PEERS_LIBS := -llzma -lbz2 -lz -lm

EXTRA_TARGETS += $(PEERS_BINS)

$(PEERS_OUT)/workloads-static: tests/peers/workloads.c | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PEERS_CFLAGS) -static -pthread $< -o $@ $(PEERS_LIBS)

$(PEERS_OUT)/workloads-dynamic: tests/peers/workloads.c | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PEERS_CFLAGS) -DWITH_SQLITE $< -o $@ -lsqlite3 $(PEERS_LIBS)

$(PEERS_OUT)/cpuid_dump: tests/peers/cpuid_dump.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -static $< -o $@

$(PEERS_OUT)/cpuid_signals: tests/peers/cpuid_signals.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -static $< -o $@
