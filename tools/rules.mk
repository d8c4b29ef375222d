# SPDX-License-Identifier: MIT
# The guest command line, a static binary per guest architecture:
# build/backdoor for x86-64, build/backdoor-ARCH for the others.
CLI_BINS := $(BUILD)/backdoor $(foreach a,i386 aarch64 riscv64,$(BUILD)/backdoor-$(a))
EXTRA_TARGETS += $(CLI_BINS)

$(BUILD)/backdoor: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_x86_64) $(GUEST_CFLAGS) $< -o $@

$(BUILD)/backdoor-%: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(GUEST_CC_$*) $(GUEST_CFLAGS) $< -o $@
