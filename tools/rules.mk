# The guest command line, a static binary per guest architecture.
CLI_BINS := $(BUILD)/backdoor $(BUILD)/backdoor-i386
EXTRA_TARGETS += $(CLI_BINS)

$(BUILD)/backdoor: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -m64 $< -o $@

$(BUILD)/backdoor-i386: tools/backdoor.c $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -m32 $< -o $@
