/* SPDX-License-Identifier: MIT */
/*
 * A real workload measured the way a Valgrind user measures it: Debian's
 * zlib (libz.a of zlib1g-dev, linked statically) compresses generated text
 * with compress2 (level 6), inside a Callgrind collection region written
 * with callgrind.h as a user would (CALLGRIND_TOGGLE_COLLECT, for
 * --collect-atstart=no), and a backdoor region (id 1) around that.
 *   zlib_region [BYTES]     BYTES of text (default 2 MiB)
 * Prints the sizes and the Adler-32 of the input and the output, so that
 * every run of the same binary can be checked to have done the same work.
 * The text is made before the region and checked after it: only the
 * compression is counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>
#include <zlib.h>

#include <backdoor/guest.h>

static const char *const words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was",
    "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from",
    "at", "which", "but", "have", "an", "had", "they", "you", "were", "their",
    "one", "all", "we", "can", "her", "has", "there", "been", "if", "more",
    "when", "will", "would", "who", "so", "no", "instruction", "region",
    "translation", "block", "emulator", "counter", "compress", "window",
    "register", "profile", "function", "guest", "host", "plugin", "valgrind",
};

/* Text of n bytes: words drawn by a xorshift generator, a line every few
 * words, a number now and then; compresses about 3.5x at level 6. */
static void make_text(unsigned char *p, size_t n)
{
    uint32_t x = 2463534242u;
    size_t i = 0, nwords = sizeof(words) / sizeof(words[0]);
    unsigned col = 0;
    while (i < n) {
        char buf[32];
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int len;
        if ((x & 31) == 0)
            len = snprintf(buf, sizeof buf, "%u", (x >> 8) % 100000);
        else
            len = snprintf(buf, sizeof buf, "%s", words[(x >> 5) % nwords]);
        col += (unsigned)len + 1;
        buf[len++] = col > 72 ? '\n' : ' ';
        if (col > 72)
            col = 0;
        for (int k = 0; k < len && i < n; k++)
            p[i++] = (unsigned char)buf[k];
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2u << 20;
    unsigned char *in = malloc(n ? n : 1);
    uLongf out_len = compressBound(n);
    unsigned char *out = malloc(out_len);
    if (!in || !out) {
        fprintf(stderr, "zlib_region: out of memory\n");
        return 1;
    }
    make_text(in, n);

    backdoor_roi_begin(1);
    CALLGRIND_TOGGLE_COLLECT;
    int status = compress2(out, &out_len, in, n, 6);
    CALLGRIND_TOGGLE_COLLECT;
    backdoor_roi_end(1);

    if (status != Z_OK) {
        fprintf(stderr, "zlib_region: compress2 failed: %d\n", status);
        return 1;
    }
    printf("zlib %s: %zu bytes (adler32 %08lx) -> %lu bytes (adler32 %08lx)\n",
           zlibVersion(), n, adler32(1, in, n), (unsigned long)out_len,
           adler32(1, out, out_len));
    free(out);
    free(in);
    return 0;
}
