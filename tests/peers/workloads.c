/* SPDX-License-Identifier: MIT */
/*
 * Programs nobody here tuned, measured as a Callgrind user measures them:
 * each workload runs between two CALLGRIND_TOGGLE_COLLECT (run with
 * --collect-atstart=no), or inside its own function run_WORKLOAD (for
 * --toggle-collect=run_*). Debian's libraries do the work; glibc picks its
 * string functions and thresholds from CPUID, which is what
 * tests/test_callgrind_peers.py compares with Callgrind.
 *   workloads qsort|tail|memcpy|zlib|bzip2|xz|sqlite [SCALE [nomarkers]]
 * (nomarkers: no CALLGRIND_TOGGLE_COLLECT, for --toggle-collect=run_*).
 * (sqlite in the dynamic build only: libsqlite3.a calls dlopen, which a
 * static program cannot use safely.)
 * Prints a checksum of the work, so that both runs can be seen to do the
 * same.
 */
#include <bzlib.h>
#include <lzma.h>
#ifdef WITH_SQLITE
#include <sqlite3.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <valgrind/callgrind.h>

static uint32_t state = 2463534242u;

static uint32_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

/* Words with a number now and then: text that compresses about 3.5x. */
static unsigned char *make_text(size_t n)
{
    static const char *const words[] = {
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was",
        "with", "be", "by", "on", "not", "this", "are", "or", "from", "at", "which",
        "instruction", "region", "translation", "block", "emulator", "counter",
        "compress", "window", "register", "profile", "function", "guest", "host",
    };
    unsigned char *p = malloc(n);
    size_t i = 0, nwords = sizeof words / sizeof words[0];
    while (p != NULL && i < n) {
        char buf[32];
        uint32_t x = next_random();
        int len = (x & 31) == 0 ? snprintf(buf, sizeof buf, "%u ", (x >> 8) % 100000)
                                : snprintf(buf, sizeof buf, "%s%c", words[(x >> 5) % nwords],
                                           (x & 0x700) == 0 ? '\n' : ' ');
        for (int k = 0; k < len && i < n; k++) {
            p[i++] = (unsigned char)buf[k];
        }
    }
    return p;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

__attribute__((noinline)) static unsigned long
run_qsort(int *v, size_t n)
{
    qsort(v, n, sizeof v[0], compare_ints);
    return (unsigned long)v[n / 2];
}

/* Ends in a tail call (a jump to run_qsort): leaving it is run_qsort's
 * return, for toggle-collect=run_tail. */
__attribute__((noinline)) static unsigned long
run_tail(int *v, size_t n)
{
    v[0] ^= 1;
    return run_qsort(v, n);
}

/* Sizes from 3,000 to 8,192 bytes: above glibc's rep movsb threshold on
 * some CPUs, below it on others. */
__attribute__((noinline)) static unsigned long
run_memcpy(unsigned char *dst, const unsigned char *src, unsigned rounds)
{
    unsigned long sum = 0;
    for (unsigned r = 0; r < rounds; r++) {
        size_t size = 3000 + (r * 977) % 5193;
        memcpy(dst + (r & 7), src + (r & 3), size);
        sum += dst[size / 2];
    }
    return sum;
}

__attribute__((noinline)) static unsigned long
run_zlib(const unsigned char *in, size_t n, unsigned char *out,
                              size_t cap)
{
    uLongf len = cap;
    return compress2(out, &len, in, n, 6) == Z_OK ? len : 0;
}

__attribute__((noinline)) static unsigned long
run_bzip2(const unsigned char *in, size_t n, unsigned char *out,
                               size_t cap)
{
    unsigned len = (unsigned)cap;
    return BZ2_bzBuffToBuffCompress((char *)out, &len, (char *)in, (unsigned)n, 9, 0, 0) ==
                   BZ_OK
               ? len
               : 0;
}

__attribute__((noinline)) static unsigned long
run_xz(const unsigned char *in, size_t n, unsigned char *out,
                            size_t cap)
{
    size_t pos = 0;
    return lzma_easy_buffer_encode(3, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap) ==
                   LZMA_OK
               ? pos
               : 0;
}

#ifdef WITH_SQLITE
static int add_row(void *sum, int ncols, char **cols, char **names)
{
    (void)names;
    for (int i = 0; i < ncols; i++) {
        *(unsigned long *)sum += cols[i] != NULL ? strtoul(cols[i], NULL, 10) : 0;
    }
    return 0;
}

/* An in-memory table filled, indexed and queried with SQL. */
__attribute__((noinline)) static unsigned long
run_sqlite(unsigned rows)
{
    sqlite3 *db;
    unsigned long sum = 0;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        return 0;
    }
    sqlite3_exec(db, "CREATE TABLE t(k INTEGER, v TEXT); BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *insert;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, ?)", -1, &insert, NULL);
    for (unsigned i = 0; i < rows; i++) {
        char text[24];
        snprintf(text, sizeof text, "row %u", next_random() % 100000);
        sqlite3_bind_int(insert, 1, (int)(next_random() % 100000));
        sqlite3_bind_text(insert, 2, text, -1, SQLITE_TRANSIENT);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(db, "COMMIT; CREATE INDEX tk ON t(k)", NULL, NULL, NULL);
    sqlite3_exec(db, "SELECT count(*), sum(k) FROM t WHERE k BETWEEN 1000 AND 60000; "
                     "SELECT length(group_concat(v)) FROM (SELECT v FROM t ORDER BY v)",
                 add_row, &sum, NULL);
    sqlite3_close(db);
    return sum;
}
#endif

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "qsort";
    unsigned long scale = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
    size_t n = 256 * 1024 * scale;
    unsigned char *text = make_text(n), *out = malloc(2 * n + 1024);
    int *ints = malloc(n * sizeof(int) / 8);
    if (text == NULL || out == NULL || ints == NULL) {
        return 2;
    }
    for (size_t i = 0; i < n / 8; i++) {
        ints[i] = (int)next_random();
    }
    unsigned long result;
    int markers = !(argc > 3 && strcmp(argv[3], "nomarkers") == 0);
    if (markers) {
        CALLGRIND_TOGGLE_COLLECT;
    }
    if (strcmp(what, "qsort") == 0) {
        result = run_qsort(ints, n / 8);
    } else if (strcmp(what, "tail") == 0) {
        result = run_tail(ints, n / 8);
    } else if (strcmp(what, "memcpy") == 0) {
        result = run_memcpy(out, text, (unsigned)(2000 * scale));
    } else if (strcmp(what, "zlib") == 0) {
        result = run_zlib(text, n, out, 2 * n + 1024);
    } else if (strcmp(what, "bzip2") == 0) {
        result = run_bzip2(text, n / 4, out, 2 * n + 1024);
    } else if (strcmp(what, "xz") == 0) {
        result = run_xz(text, n / 4, out, 2 * n + 1024);
#ifdef WITH_SQLITE
    } else if (strcmp(what, "sqlite") == 0) {
        result = run_sqlite((unsigned)(4000 * scale));
#endif
    } else {
        fprintf(stderr, "usage: %s qsort|tail|memcpy|zlib|bzip2|xz|sqlite [SCALE [nomarkers]]\n",
                argv[0]);
        return 2;
    }
    if (markers) {
        CALLGRIND_TOGGLE_COLLECT;
    }
    printf("%s: %lu\n", what, result);
    free(text);
    free(out);
    free(ints);
    return 0;
}
