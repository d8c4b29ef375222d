/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bad input for profile='s symbols (tests/test_profile.py): Debian's zlib
 * and libm loaded and unloaded in turn, so one is mapped where the other
 * was; code written at run time into anonymous memory (no file, no
 * symbol); then the functions called again.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef unsigned long (*bound_fn)(unsigned long);
typedef double (*math_fn)(double);

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    double total = 0;
    for (int i = 0; i < rounds; i++) {
        void *z = dlopen("libz.so.1", RTLD_NOW);
        if (z == NULL) {
            fprintf(stderr, "dlopen libz: %s\n", dlerror());
            return 1;
        }
        bound_fn bound = (bound_fn)dlsym(z, "compressBound");
        total += (double)bound((unsigned long)i * 1000);
        dlclose(z);
        void *m = dlopen("libm.so.6", RTLD_NOW);
        math_fn cosine = m != NULL ? (math_fn)dlsym(m, "cos") : NULL;
        if (cosine == NULL) {
            fprintf(stderr, "dlopen libm: %s\n", dlerror());
            return 1;
        }
        total += cosine(i * 0.1);
        dlclose(m);
    }
    /* x86-64 "mov $42, %eax; ret", written and run: code without a file. */
    static const unsigned char code[] = {0xb8, 42, 0, 0, 0, 0xc3};
    unsigned char *jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (jit == MAP_FAILED) {
        return 1;
    }
    memcpy(jit, code, sizeof code);
    int (*generated)(void) = (int (*)(void))(void *)jit;
    int sum = 0;
    for (int i = 0; i < 1000; i++) {
        sum += generated();
    }
    printf("rounds %d total %.3f generated %d\n", rounds, total, sum);
    return 0;
}
