# SPDX-License-Identifier: GPL-2.0-or-later
"""A reader of the binary event log (events=PATH.bin; the layout is in
plugin/output/event_bin.h and docs/outputs.md), for the tests: the records
as the JSON Lines log would hold them, so the two can be compared."""
import json
import struct

import abi

SLOT = 64
MAGIC = b"BDEVLOG1"
EXACT_LIMIT = 1 << 53
TYPE_NAMES = {number: name for name, number in abi.TYPES.items()}
STATUS_NAMES = list(abi.STATUSES)
OP_NAMES = {b.number: name for name, b in abi.BUILTINS.items()}
RESULT, ATTRIBUTED, KERNEL, OP, TEXT = 1, 2, 4, 8, 16


def number(value):
    """An integer as the JSON writers write it: a string past 2^53."""
    return str(value) if abs(value) > EXACT_LIMIT else value


def implied_op(type_, command):
    if type_ in (abi.TYPE_I8, abi.TYPE_I8_V32):
        return "seed"
    if command >= abi.USER_COMMAND_FIRST:
        return "handler"
    return OP_NAMES.get(command, "unknown")


def call(slot, tail):
    kind, type_, status, flags, nargs, n_extra, command, vcpu, _, ts, pc = struct.unpack_from(
        "<BBBBBBHIIQQ", slot)
    args = struct.unpack_from("<4Q", slot, 32)[:nargs]
    record = {"ts_ns": number(ts), "vcpu": vcpu, "event": "call", "pc": hex(pc),
              "type": TYPE_NAMES.get(type_, "?"), "cmd": hex(command)}
    at = 0
    result = asid = None
    if flags & RESULT:
        result = struct.unpack_from("<q", tail, at)[0]
        at += 8
    if flags & ATTRIBUTED:
        asid = struct.unpack_from("<Q", tail, at)[0]
        at += 8
    extras = []
    for _ in range(n_extra):
        length = tail[at]
        key = tail[at + 1:at + 1 + length].decode()
        at += 1 + length
        extras.append((key, struct.unpack_from("<Q", tail, at)[0]))
        at += 8
    op = implied_op(type_, command)
    if flags & OP:
        length = tail[at]
        op = tail[at + 1:at + 1 + length].decode()
        at += 1 + length
    text = None
    if flags & TEXT:
        length = struct.unpack_from("<I", tail, at)[0]
        text = tail[at + 4:at + 4 + length]
    record["op"] = op
    record["args"] = [number(a) for a in args]
    record["status"] = STATUS_NAMES[status]
    if result is not None:
        record["result"] = number(result)
    for key, value in extras:
        record[key] = number(value)
    if text is not None:
        # As the plugin escapes it: invalid UTF-8 becomes U+FFFD.
        record["text"] = text.decode("utf-8", errors="replace")
    if asid is not None:
        record["asid"] = hex(asid)
        record["priv"] = "kernel" if flags & KERNEL else "user"
    return record


def read(path):
    """The records of a binary event log, raw (as json.loads gives them
    from the JSON Lines log); a last record cut short is left out."""
    data = open(path, "rb").read()
    if data[:8] != MAGIC:
        raise ValueError("%s: no binary event log header" % path)
    records = []
    at = SLOT
    while at + SLOT <= len(data):
        slot = data[at:at + SLOT]
        tail_bytes = struct.unpack_from("<I", slot, 12)[0]
        size = SLOT + (tail_bytes + SLOT - 1) // SLOT * SLOT
        if slot[0] == 0:
            at += SLOT
            continue
        if at + size > len(data):
            break
        tail = data[at + SLOT:at + SLOT + tail_bytes]
        if slot[0] == 1:
            records.append(call(slot, tail))
        elif slot[0] == 2:
            records.append(json.loads(tail))
        else:
            raise ValueError("%s: no record at offset %d" % (path, at))
        at += size
    return records
