/* SPDX-License-Identifier: MIT */
/*
 * A CPU-bound guest workload that never calls the channel unless asked
 * (workload.h): N rounds of sort and encode.
 *   workload [rounds]             no backdoor call at all
 *   workload [rounds] roi         one region of interest around all rounds
 *   workload [rounds] roi-rounds  one region per round
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

#include "workload.h"

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    const char *roi = argc > 2 ? argv[2] : "";
    int around_all = strcmp(roi, "roi") == 0;
    int per_round = strcmp(roi, "roi-rounds") == 0;
    uint32_t seed = 12345, checksum = 0;
    if (around_all)
        backdoor_roi_begin(1);
    for (int r = 0; r < rounds; r++) {
        if (per_round)
            backdoor_roi_begin(1);
        checksum ^= workload_round(&seed);
        if (per_round)
            backdoor_roi_end(1);
    }
    if (around_all)
        backdoor_roi_end(1);
    printf("checksum %08x\n", checksum);
    return 0;
}
