/* SPDX-License-Identifier: MIT */
/*
 * A handler in the project's ABI (backdoor/host.h): lets the guest read one
 * host file, named by handler-arg=file=PATH, like gem5's "m5 readfile".
 * Command 0x800, a receive: fill the guest's buffer from the file at the
 * offset in argument 2; the result is the number of bytes, 0 at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <backdoor/host.h>

BACKDOOR_HANDLER_ABI;

enum { CMD_READ_FILE = 0x800 };

static int file = -1;

int backdoor_handler_init(const struct backdoor_host *host, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "file=", 5) == 0) {
            file = open(argv[i] + 5, O_RDONLY | O_CLOEXEC);
            if (file < 0) {
                host->log("readfile: cannot open %s: %s", argv[i] + 5, strerror(errno));
                return 1;
            }
        }
    }
    if (file < 0) {
        host->log("readfile: give the file with handler-arg=file=PATH");
        return 1;
    }
    return 0;
}

int backdoor_handler_call(struct backdoor_call *call)
{
    if (call->type != BACKDOOR_CALL_RECV || call->command != CMD_READ_FILE) {
        return BACKDOOR_UNHANDLED;
    }
    /* pread: calls from several vCPUs share no file position. */
    ssize_t n = pread(file, call->out, call->out_capacity, (off_t)call->args[2]);
    if (n < 0) {
        call->result = (uint64_t)(int64_t)-EIO;
    } else {
        call->out_len = (size_t)n;
        call->result = (uint64_t)n;
    }
    return BACKDOOR_HANDLED;
}

void backdoor_handler_fini(void)
{
    if (file >= 0) {
        close(file);
    }
}
