/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growth of struct text: doubling, so appends stay amortised O(1). */
#include "output/text.h"

#include <glib.h>

void text_init(struct text *t, size_t cap)
{
    t->data = g_malloc(cap);
    t->len = 0;
    t->cap = cap;
}

void text_free(struct text *t)
{
    g_free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
}

void text_grow(struct text *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 64;
    while (cap < t->len + n) {
        cap *= 2;
    }
    t->data = g_realloc(t->data, cap);
    t->cap = cap;
}
