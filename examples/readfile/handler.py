# SPDX-License-Identifier: MIT
"""The Python twin of handler.c: lets the guest read one host file, named by
handler-arg=file=PATH, like gem5's "m5 readfile". Command 0x800, a receive:
the bytes of the file at the offset in the guest's first extra word, as
many as its buffer holds; the guest gets their count, 0 at the end."""
import os

import backdoor

CMD_READ_FILE = 0x800
file = None


def init(args):
    global file
    names = [arg[5:] for arg in args if arg.startswith("file=")]
    if not names:
        raise ValueError("readfile: give the file with handler-arg=file=PATH")
    file = os.open(names[-1], os.O_RDONLY | os.O_CLOEXEC)


@backdoor.command(CMD_READ_FILE)
def read_file(call, capacity, offset, *rest):
    # pread: calls from several vCPUs share no file position.
    try:
        return os.pread(file, capacity, offset)
    except OSError:
        return backdoor.EIO


def fini():
    if file is not None:
        os.close(file)
