# SPDX-License-Identifier: GPL-2.0-or-later
# The Python companion, $(BUILD)/libbackdoor-python.so: a handler library
# (backdoor/host.h) embedding CPython, which the plugin loads for
# handler=PATH.py only (docs/python.md). Debian's python3-dev by its full
# path: a python3-config from pyenv or a venv may come first on PATH.
PYTHON_CONFIG   ?= /usr/bin/python3-config
PYTHON_LIB      := $(BUILD)/libbackdoor-python.so
PYTHON_SRCS     := $(wildcard python/*.c)
# -isystem: CPython's headers are not ours to keep free of warnings.
PYTHON_INCLUDES  = $(patsubst -I%,-isystem %,$(shell $(PYTHON_CONFIG) --includes))
PYTHON_LDFLAGS   = $(shell $(PYTHON_CONFIG) --embed --ldflags)
PYTHON_PREFIX    = $(shell $(PYTHON_CONFIG) --prefix)

EXTRA_TARGETS += $(PYTHON_LIB)

$(PYTHON_LIB): $(PYTHON_SRCS) python/companion.h $(PUBLIC_HEADERS)
	@mkdir -p $(dir $@)
	@test -x $(PYTHON_CONFIG) || { echo "no $(PYTHON_CONFIG): make deps installs python3-dev" >&2; exit 1; }
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_C11) -D_GNU_SOURCE -fPIC -shared -fvisibility=hidden -Iinclude \
	  $(PYTHON_INCLUDES) -DBACKDOOR_PYTHON_PREFIX='"$(PYTHON_PREFIX)"' $(PYTHON_SRCS) \
	  -o $@ $(PYTHON_LDFLAGS) -lpthread

.PHONY: install-python
install-python: $(PYTHON_LIB)
	install -d $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(PYTHON_LIB) $(DESTDIR)$(PREFIX)/lib/
