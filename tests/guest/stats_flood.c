/* SPDX-License-Identifier: MIT */
/*
 * Many regions, then many statistics dumps: what a stats_dump writes must
 * stay bounded per call. Usage: stats_flood REGIONS DUMPS.
 */
#include <stdlib.h>

#include <backdoor/guest.h>

int main(int argc, char **argv)
{
    long regions = argc > 1 ? atol(argv[1]) : 3000;
    long dumps = argc > 2 ? atol(argv[2]) : 100;
    for (long id = 1; id <= regions; id++) {
        backdoor_roi_begin((backdoor_word_t)id);
        backdoor_roi_end((backdoor_word_t)id);
    }
    for (long i = 0; i < dumps; i++) {
        backdoor_stats_dump();
    }
    return 0;
}
