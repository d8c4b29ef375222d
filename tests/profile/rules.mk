# SPDX-License-Identifier: GPL-2.0-or-later
# Programs of tests/test_profile.py: as users build them, dynamically
# linked against Debian's shared libraries (zlib1g-dev, libm), with debug
# information; a stripped copy and one with a corrupt debug file beside it.
PROFILE_OUT := $(BUILD)/profile
PROFILE_BINS := $(PROFILE_OUT)/dynamic $(PROFILE_OUT)/dynamic-stripped \
	$(PROFILE_OUT)/dynamic-baddebug $(PROFILE_OUT)/dlopen_loop $(PROFILE_OUT)/named
PROFILE_CFLAGS := -std=c11 $(WARN) -O2 -g -D_GNU_SOURCE -I$(VALGRIND_INCLUDE)

EXTRA_TARGETS += $(PROFILE_BINS)

$(PROFILE_OUT)/dynamic: tests/profile/dynamic.c | $(VALGRIND_INCLUDE)/valgrind
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PROFILE_CFLAGS) $< -o $@ -lz -lm

$(PROFILE_OUT)/dynamic-stripped: $(PROFILE_OUT)/dynamic
	$(Q)objcopy --strip-all $< $@

# The debug part split off, the program pointing at it, then the debug
# file overwritten with garbage of the same size.
$(PROFILE_OUT)/dynamic-baddebug: $(PROFILE_OUT)/dynamic
	$(Q)objcopy --only-keep-debug $< $@.debug
	$(Q)objcopy --strip-debug --strip-unneeded --add-gnu-debuglink=$@.debug $< $@
	$(Q)head -c $$(stat -c %s $@.debug) /dev/urandom > $@.debug.tmp && mv $@.debug.tmp $@.debug

$(PROFILE_OUT)/dlopen_loop: tests/profile/dlopen_loop.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PROFILE_CFLAGS) $< -o $@ -ldl

$(PROFILE_OUT)/named: tests/profile/named.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(PROFILE_CFLAGS) $< -o $@
