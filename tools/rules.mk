# The tools. Included by the top Makefile, which builds EXTRA_TARGETS with
# 'all' and installs them with 'make install'.
#
# The guest command line, a static binary per guest architecture:
# build/backdoor for x86-64, build/backdoor-ARCH for the others.
CLI_ARCHES := x86_64 i386 aarch64 riscv64
cli_bin = $(BUILD)/backdoor$(if $(filter x86_64,$(1)),,-$(1))
CLI_BINS := $(foreach a,$(CLI_ARCHES),$(call cli_bin,$(a)))
# The host command qemu-backdoor, with the version of backdoor.pc.
HOST_CMD := $(BUILD)/qemu-backdoor
HOST_CMD_SRCS := $(wildcard tools/qemu-backdoor/*.c)
BACKDOOR_VERSION := $(shell sed -n 's/^Version: *//p' scripts/backdoor.pc.in)
EXTRA_TARGETS += $(CLI_BINS) $(HOST_CMD)

$(BUILD)/backdoor: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/backdoor-%: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_$*) $(GUEST_CFLAGS) $< -o $@

$(HOST_CMD): $(HOST_CMD_SRCS) tools/qemu-backdoor/qemu-backdoor.h $(PUBLIC_HEADERS) \
		scripts/backdoor.pc.in
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -DBACKDOOR_VERSION='"$(BACKDOOR_VERSION)"' \
	  -Iinclude $(HOST_CMD_SRCS) -o $@
