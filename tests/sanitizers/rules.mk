# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin built with AddressSanitizer and UndefinedBehaviorSanitizer, as
# $(BUILD)/asan/libbackdoor.so, for tests/test_sanitizers.py: QEMU is not
# instrumented, so it runs with the sanitizer runtimes preloaded. -O1 keeps
# the reports' stacks readable; every UBSan finding stops the run.
# Included by the top Makefile, which builds EXTRA_TARGETS with 'all'.

ASAN_OUT    := $(BUILD)/asan
ASAN_OBJS   := $(PLUGIN_SRCS:plugin/%.c=$(ASAN_OUT)/plugin/%.o)
ASAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

EXTRA_TARGETS += $(ASAN_OUT)/libbackdoor.so

$(ASAN_OUT)/plugin/%.o: plugin/%.c $(PLUGIN_HDRS) $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) -O1 $(ASAN_FLAGS) -c $< -o $@

$(ASAN_OUT)/libbackdoor.so: $(ASAN_OBJS)
	@echo "  CC      $@"
	$(Q)$(CC) -shared $(ASAN_FLAGS) -o $@ $^ $(GLIB_LIBS) -ldl -lpthread

ASAN_GOAL := $(.DEFAULT_GOAL)
.PHONY: clean-asan
clean: clean-asan
clean-asan:
	rm -rf $(ASAN_OUT)
.DEFAULT_GOAL := $(ASAN_GOAL)
