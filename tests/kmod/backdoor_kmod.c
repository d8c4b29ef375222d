// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls from ring 0, in the three contexts a driver has: the module's init
 * (process context, insmod's), a workqueue (a kernel thread) and a
 * hard-interrupt timer. Each issues backdoor_sum(N, 0, 0, 0) with its own N
 * (1, 2, 3), so the event log tells them apart, and logs what it got back:
 * N when the call was taken, a negative BACKDOOR_E* when it was refused.
 */
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/workqueue.h>

#include "backdoor/guest.h"

static long from_work, from_timer;
static bool timer_in_hardirq;
static DECLARE_COMPLETION(work_done);
static DECLARE_COMPLETION(timer_done);
static struct hrtimer timer;

static void work_fn(struct work_struct *work)
{
    (void)work;
    from_work = (long)backdoor_sum(2, 0, 0, 0);
    complete(&work_done);
}
static DECLARE_WORK(work, work_fn);

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
    (void)t;
    timer_in_hardirq = in_hardirq();
    from_timer = (long)backdoor_sum(3, 0, 0, 0);
    complete(&timer_done);
    return HRTIMER_NORESTART;
}

static int __init backdoor_kmod_init(void)
{
    long from_init = (long)backdoor_sum(1, 0, 0, 0);
    schedule_work(&work);
    hrtimer_init(&timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
    timer.function = timer_fn;
    hrtimer_start(&timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
    if (!wait_for_completion_timeout(&work_done, 5 * HZ) ||
        !wait_for_completion_timeout(&timer_done, 5 * HZ)) {
        pr_err("backdoor_kmod: a context never ran\n");
        return -ETIMEDOUT;
    }
    pr_info("backdoor_kmod: present %ld init %ld work %ld timer %ld hardirq %d\n",
            (long)backdoor_present(), from_init, from_work, from_timer, timer_in_hardirq);
    return 0;
}

static void __exit backdoor_kmod_exit(void)
{
    hrtimer_cancel(&timer);
    flush_work(&work);
}

module_init(backdoor_kmod_init);
module_exit(backdoor_kmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("backdoor calls from ring 0, for the tests");
