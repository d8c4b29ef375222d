# SPDX-License-Identifier: MIT
"""Test handler in Python, the twin of record.c: appends one line per call,
in record.c's format, to the file named by handler-arg=log=PATH, and
answers the commands of tests/guest/test_commands.h (read from that header,
as the guests and record.c compile it). handler-arg=asids=PATH writes the
(vCPU, address space) pairs of the CMD_MIX calls there at the end."""
import os
import re
import threading

import backdoor

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest",
                      "test_commands.h")
with open(HEADER) as f:
    CMD = {name: int(value, 16) for name, value in
           re.findall(r"^\s*CMD_(\w+) = (0x[0-9a-fA-F]+)", f.read(), re.M)}

log = None
log_lock = threading.Lock()
asids_path = None
asids = set()


def init(args):
    global log, asids_path
    for arg in args:
        if arg.startswith("log="):
            log = open(arg[4:], "w")
        elif arg.startswith("asids="):
            asids_path = arg[6:]
        elif arg == "fail":
            raise RuntimeError("init refuses on request")
        else:
            raise ValueError("unknown handler argument %r" % arg)
    backdoor.log("record.py ready (plugin API %d, target %s, %s mode)" % (
        backdoor.plugin_api, backdoor.target, "system" if backdoor.system_mode else "user"))


def record(call, data_len=None):
    if log is None:
        return
    line = "%d %d" % (getattr(backdoor, "TYPE_" + call.type.upper()), call.command)
    line += "".join(" %d" % word for word in call.args)
    if data_len is not None:
        line += " data=%d" % data_len
    with log_lock:
        log.write(line + "\n")


@backdoor.seed_i8
def seed_i8(call, i8):
    record(call)


@backdoor.seed_i8_v32
def seed_i8_v32(call, i8, v32):
    record(call)


@backdoor.command(CMD["MIX"])
def mix(call, a0, a1, a2, a3):
    record(call)
    if asids_path is not None:
        asids.add((call.vcpu, call.asid))
    return a0 * 3 + (a1 ^ 0x5555555555555555) - a2 + (a3 << 1)


@backdoor.command(CMD["FILL"])
def fill(call, capacity, first=0, *rest):
    record(call)
    return bytes((i * 7 + first) & 0xff for i in range(capacity))


@backdoor.command(CMD["CHECKSUM"])
def checksum(call, data, *rest):
    record(call, len(data))
    return sum(data) * 31 + len(data)


@backdoor.command(CMD["READ_REG"])
def read_register(call, name, length, *rest):
    record(call)
    try:
        # A C string, as record.c reads it: up to the first NUL.
        return call.register(call.read(name, min(length, 31)).split(b"\0")[0].decode())
    except (OSError, ValueError):
        return -1


@backdoor.command(CMD["WRITE_MEM"])
def write_memory(call, address, length, value, *rest):
    record(call)
    try:
        call.write(address, value.to_bytes(8, "little")[:min(length, 8)])
    except OSError as e:
        return -e.errno
    return 0


@backdoor.command(CMD["READ_MEM"])
def read_memory(call, address, *rest):
    record(call)
    try:
        return int.from_bytes(call.read(address, 8), "little")
    except OSError as e:
        return -e.errno


@backdoor.command(CMD["WRITE_REG"])
def write_register(call, name, value, *rest):
    record(call)
    try:
        call.set_register(call.read(name, 8).split(b"\0")[0].decode(), value)
    except OSError as e:
        return -e.errno
    except ValueError:
        return -1
    return 0


@backdoor.command(CMD["EVENT"])
def event(call, value, *rest):
    record(call)
    call.emit("guest-event", value)


@backdoor.command(CMD["EXIT"])
def exit_request(call, status, *rest):
    record(call)
    backdoor.exit(status)


@backdoor.command(CMD["PRIVILEGE"])
def privilege(call, *rest):
    record(call)
    return call.priv


@backdoor.command(CMD["VCPU"])
def vcpu(call, *rest):
    record(call)
    return call.vcpu


def fini():
    if log is not None:
        log.close()
    if asids_path is not None:
        with open(asids_path, "w") as f:
            f.writelines("%d %s\n" % pair for pair in sorted(asids, key=str))
