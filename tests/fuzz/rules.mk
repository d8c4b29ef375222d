# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets for the plugin's pure parts, built with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer (any report aborts):
#   fuzz_decode   the request decoder and translation-time predecoding
#   fuzz_options  the option parser
#   fuzz_json     the JSON writer and its text buffer
# Each links only the plugin sources it tests. tests/fuzz/corpus/NAME is the
# seed corpus in the tree, tests/fuzz/NAME.dict an optional dictionary.
# 'make fuzz' runs each target FUZZ_SECONDS (300 by default), keeping what it
# finds in $(BUILD)/fuzz/corpus/NAME and crashing inputs in
# $(BUILD)/fuzz/artifacts; tests/test_fuzz.py runs each for a few seconds in
# 'make check'.
# Included by the top Makefile, which builds EXTRA_TARGETS with 'all'.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_TARGETS := fuzz_decode fuzz_options fuzz_json
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/%)
FUZZ_CFLAGS  := -std=c11 $(WARN) -g -O1 -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Iinclude -Iplugin -Itests/fuzz

FUZZ_SRCS_fuzz_decode  := $(addprefix plugin/translate/,decode.c site.c arch.c arch_x86.c \
	arch_aarch64.c arch_riscv64.c) $(UNIT_STUBS)
FUZZ_SRCS_fuzz_options := plugin/core/options.c
FUZZ_SRCS_fuzz_json    := plugin/output/json.c plugin/output/text.c
FUZZ_LIBS_fuzz_json     = $(GLIB_CFLAGS) $(GLIB_LIBS)

EXTRA_TARGETS += $(FUZZ_BINS)

define fuzz_rule
$(FUZZ_OUT)/$(1): tests/fuzz/$(1).c tests/fuzz/fuzz.h $(FUZZ_SRCS_$(1)) $(PLUGIN_HDRS) $(PUBLIC_HEADERS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZ    $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$< $(FUZZ_SRCS_$(1)) -o $$@ $$(FUZZ_LIBS_$(1))
endef
$(foreach f,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(f))))

# New inputs go to the first corpus directory, so the tree's seeds stay as
# they are.
FUZZ_GOAL := $(.DEFAULT_GOAL)
.PHONY: fuzz clean-fuzz
fuzz:
	@scripts/install-deps.sh build
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@mkdir -p $(FUZZ_OUT)/artifacts
	@for f in $(FUZZ_TARGETS); do \
	  echo "==> $$f for $(FUZZ_SECONDS) s"; \
	  dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
	  mkdir -p $(FUZZ_OUT)/corpus/$$f; \
	  $(FUZZ_OUT)/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	    -artifact_prefix=$(FUZZ_OUT)/artifacts/$$f- \
	    $(FUZZ_OUT)/corpus/$$f tests/fuzz/corpus/$$f || exit 1; \
	done
clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_OUT)
.DEFAULT_GOAL := $(FUZZ_GOAL)
