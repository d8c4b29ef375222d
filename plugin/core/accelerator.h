/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether QEMU was asked for an accelerator other than TCG. A run in which
 * QEMU translated nothing is either such a run (the channel cannot work:
 * said at the end) or one in which QEMU failed before running anything (a
 * missing ROM, a bad option: QEMU's own message says why, and a word about
 * TCG would send the user the wrong way). The plugin API says neither, so
 * QEMU's command line is read from /proc/self/cmdline.
 */
#ifndef BACKDOOR_PLUGIN_CORE_ACCELERATOR_H
#define BACKDOOR_PLUGIN_CORE_ACCELERATOR_H

#include <stdbool.h>

/* -enable-kvm, -accel X or -machine accel=X with X other than tcg. */
bool accelerator_other_than_tcg(void);

#endif
