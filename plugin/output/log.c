/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages (output/log.h). */
#include "output/log.h"

#include <stdarg.h>
#include <stdio.h>

void plugin_log(const char *format, ...)
{
    char line[1200];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    /* One write, so that lines of concurrent vCPUs do not interleave. */
    fprintf(stderr, "backdoor: %s\n", line);
}
