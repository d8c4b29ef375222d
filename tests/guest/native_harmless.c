/* SPDX-License-Identifier: MIT */
/*
 * Every kind of request, run anywhere: natively, under QEMU without the
 * plugin, or with it. Prints what came back, so a test can compare the runs:
 * without a host every call must return its default and nothing may crash.
 */
#include <stdio.h>

#include <backdoor/guest.h>

int main(void)
{
    char buf[64] = "untouched";
    BACKDOOR_i8(3);
    BACKDOOR_i8_v32(4, 5);
    unsigned long present = (unsigned long)backdoor_present();
    unsigned long features = (unsigned long)backdoor_features();
    long sum = (long)backdoor_sum(1, 2, 3, 4);
    long call = (long)backdoor_call2(0x900, 1, 2, 77);
    long info = (long)backdoor_host_info(buf, sizeof buf);
    long printed = (long)backdoor_print("native-harmless\n");
    backdoor_roi_begin(1);
    backdoor_roi_end(1);
    backdoor_mark(1, 2);
    backdoor_stats_reset();
    backdoor_stats_dump();
    unsigned long long t = (unsigned long long)backdoor_host_time_ns();
    printf("present=%lu features=%lu sum=%ld call=%ld info=%ld buf=%s printed=%ld time=%s\n",
           present, features, sum, call, info, info > 0 ? "filled" : buf, printed,
           t ? "set" : "0");
    return 0;
}
