/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable text buffer for the records written on the call path. Appends
 * are inline memcpy's: GString's generic insert was a fifth of the cost of
 * an event record.
 */
#ifndef BACKDOOR_PLUGIN_TEXT_H
#define BACKDOOR_PLUGIN_TEXT_H

#include <stddef.h>
#include <string.h>

struct text {
    char *data;
    size_t len;
    size_t cap;
};

void text_init(struct text *t, size_t cap);
void text_free(struct text *t);
/* Makes room for n more bytes. */
void text_grow(struct text *t, size_t n);

static inline void text_append(struct text *t, const char *bytes, size_t n)
{
    if (t->len + n > t->cap) {
        text_grow(t, n);
    }
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
}

static inline void text_char(struct text *t, char c)
{
    if (t->len == t->cap) {
        text_grow(t, 1);
    }
    t->data[t->len++] = c;
}

static inline void text_str(struct text *t, const char *s)
{
    text_append(t, s, strlen(s));
}

#define text_lit(t, literal) text_append((t), (literal), sizeof(literal) - 1)

#endif
