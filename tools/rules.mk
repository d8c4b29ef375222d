# SPDX-License-Identifier: MIT
# The tools. Included by the top Makefile, which builds EXTRA_TARGETS with
# 'all' and installs them with 'make install'.
#
# The guest command line, a static binary per guest architecture:
# build/backdoor for x86-64, build/backdoor-ARCH for the others.
CLI_ARCHES := x86_64 i386 aarch64 riscv64
cli_bin = $(BUILD)/backdoor$(if $(filter x86_64,$(1)),,-$(1))
CLI_BINS := $(foreach a,$(CLI_ARCHES),$(call cli_bin,$(a)))
# The /init of 'qemu-backdoor --linux', per architecture of a Linux kernel
# (i386 programs run on the x86-64 kernel): build/linux-init[-ARCH].
INIT_ARCHES := x86_64 aarch64 riscv64
init_bin = $(BUILD)/linux-init$(if $(filter x86_64,$(1)),,-$(1))
INIT_BINS := $(foreach a,$(INIT_ARCHES),$(call init_bin,$(a)))
# The host command qemu-backdoor, with the version of backdoor.pc.
HOST_CMD := $(BUILD)/qemu-backdoor
# The binary event log's decoder and the JSON writer are the plugin's own
# (--events-to-json writes the very lines events= does), and so is the
# table of QEMU's plugin API levels (qemu-api=).
HOST_CMD_SRCS := $(wildcard tools/qemu-backdoor/*.c) plugin/output/event_bin.c \
	plugin/output/call_json.c plugin/output/json.c plugin/output/text.c \
	plugin/output/checkpoint_file.c plugin/qemu/qemu_version.c
EXTRA_TARGETS += $(CLI_BINS) $(INIT_BINS) $(HOST_CMD)

$(BUILD)/backdoor: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/backdoor-%: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_$*) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/linux-init: tools/linux-init.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) -D_GNU_SOURCE $< -o $@

$(BUILD)/linux-init-%: tools/linux-init.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_$*) $(GUEST_CFLAGS) -D_GNU_SOURCE $< -o $@

$(HOST_CMD): $(HOST_CMD_SRCS) tools/qemu-backdoor/qemu-backdoor.h $(PUBLIC_HEADERS) \
		scripts/backdoor.pc.in plugin/output/event_bin.h plugin/output/call_json.h \
		plugin/output/json.h plugin/output/text.h plugin/output/records.h \
		plugin/output/checkpoint_file.h plugin/qemu/qemu_version.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -DBACKDOOR_VERSION='"$(BACKDOOR_VERSION)"' \
	  -Iinclude -Iplugin $(GLIB_CFLAGS) $(HOST_CMD_SRCS) -o $@ $(GLIB_LIBS) -lelf

# make install: qemu-backdoor with its manual page and bash completion in
# the host's places, and each guest command line as
# share/backdoor/ARCH/backdoor: static guest programs, to be copied into a
# guest, so none of them goes into bin/. A guest command line that was not
# built (it needs the cross compilers 'make deps' installs) is named and
# skipped.
.PHONY: install-tools
install-tools: $(HOST_CMD)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(HOST_CMD) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/qemu-backdoor.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 tools/qemu-backdoor/completion.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/qemu-backdoor
	@for pair in $(foreach a,$(CLI_ARCHES),$(a):backdoor:$(call cli_bin,$(a))) \
	    $(foreach a,$(INIT_ARCHES),$(a):linux-init:$(call init_bin,$(a))); do \
	  arch=$${pair%%:*} rest=$${pair#*:}; name=$${rest%%:*} bin=$${rest#*:}; \
	  if [ -x $$bin ]; then \
	    echo "install -D -m 755 $$bin $(DESTDIR)$(PREFIX)/share/backdoor/$$arch/$$name"; \
	    install -D -m 755 $$bin $(DESTDIR)$(PREFIX)/share/backdoor/$$arch/$$name || exit 1; \
	  else \
	    echo "not installed: $$bin was not built ('make all' builds it)"; \
	  fi; \
	done
