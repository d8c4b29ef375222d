/* SPDX-License-Identifier: MIT */
/*
 * Calls a handler (CMD_MIX) from two processes: the program forks while a
 * second thread keeps calling, then parent and child both call. In user
 * mode the fork is QEMU's own, so a handler's state (a Python interpreter)
 * must survive it in both. Prints "parent ok" / "child ok" and exits 0 when
 * every result was right.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <backdoor/guest.h>

#include "test_commands.h"

enum { CALLS = 2000 };

static long wrong_results(unsigned salt)
{
    long wrong = 0;
    for (unsigned i = 0; i < CALLS; i++) {
        backdoor_word_t want = (backdoor_word_t)test_mix(i, salt, i * 3, 7);
        wrong += backdoor_call4(CMD_MIX, i, salt, i * 3, 7, 0) != want;
    }
    return wrong;
}

static void *calling(void *wrong)
{
    *(long *)wrong = wrong_results(11);
    return NULL;
}

int main(void)
{
    pthread_t thread;
    long thread_wrong = 0;
    pthread_create(&thread, NULL, calling, &thread_wrong);
    pid_t child = fork();
    long wrong = wrong_results(child == 0 ? 1 : 2);
    if (child == 0) {
        printf("child %s\n", wrong == 0 ? "ok" : "WRONG");
        fflush(stdout);
        _exit(wrong != 0);
    }
    int status = 1;
    waitpid(child, &status, 0);
    pthread_join(thread, NULL);
    printf("parent %s\n", wrong == 0 && thread_wrong == 0 ? "ok" : "WRONG");
    return wrong != 0 || thread_wrong != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}
