/* SPDX-License-Identifier: MIT */
/*
 * Round trip: random arguments go to the test handler, which returns
 * test_mix() of them; the guest checks every result. Usage: roundtrip [N]
 * (default 100000). Prints the number of mismatches; exits 0 only when none.
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

#include "test_commands.h"

static uint64_t state = 0x9e3779b97f4a7c15ull;

static backdoor_word_t random_word(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (backdoor_word_t)state;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    long bad = 0, bad_sum = 0;
    if (backdoor_present() == 0) {
        printf("no host answers: nothing to check\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        backdoor_word_t a0 = random_word(), a1 = random_word();
        backdoor_word_t a2 = random_word(), a3 = random_word();
        backdoor_word_t want = (backdoor_word_t)test_mix(a0, a1, a2, a3);
        backdoor_word_t got = backdoor_call4(CMD_MIX, a0, a1, a2, a3, 0);
        if (got != want) {
            if (bad++ < 5) {
                printf("call %ld: got %#llx, want %#llx\n", i, (unsigned long long)got,
                       (unsigned long long)want);
            }
        }
        if (backdoor_sum(a0, a1, a2, a3) != a0 + a1 + a2 + a3) {
            bad_sum++;
        }
    }
    printf("%ld round trips, %ld mismatches, %ld sum mismatches\n", n, bad, bad_sum);
    return bad == 0 && bad_sum == 0 ? 0 : 1;
}
