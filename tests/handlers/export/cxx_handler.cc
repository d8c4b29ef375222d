// SPDX-License-Identifier: MIT
// A handler written in C++, built by tests/test_handler_export.py with g++
// and -fvisibility=hidden: host.h's declarations give the entry points C
// linkage and keep them exported. It uses the standard library (a string
// from handler-arg, a map, an exception caught inside) to show that nothing
// about C++ is in the way. Command 0xc00 returns arg0 * scale + arg1;
// 0xc01 returns how many 0xc00 calls came before; anything else is not
// handled. fini prints the count on stderr.
#include <backdoor/host.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

BACKDOOR_HANDLER_ABI;

namespace {

constexpr uint32_t CMD_SCALE = 0xc00, CMD_COUNT = 0xc01;

uint64_t scale = 1;
std::map<uint32_t, uint64_t> calls;
std::mutex calls_lock; // several guest threads may call at once

uint64_t parse_scale(const std::string &text)
{
    std::size_t used = 0;
    uint64_t value = std::stoull(text, &used);
    if (used != text.size()) {
        throw std::invalid_argument(text);
    }
    return value;
}

} // namespace

int backdoor_handler_init(const struct backdoor_host *host, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        std::string arg(argv[i]);
        if (arg.rfind("scale=", 0) != 0) {
            host->log("cxx handler: unknown argument '%s'", argv[i]);
            return 1;
        }
        try {
            scale = parse_scale(arg.substr(6));
        } catch (const std::exception &) {
            host->log("cxx handler: '%s' is not a number", argv[i]);
            return 2;
        }
    }
    return 0;
}

int backdoor_handler_call(struct backdoor_call *call)
{
    std::lock_guard<std::mutex> hold(calls_lock);
    switch (call->command) {
    case CMD_SCALE:
        call->result = call->args[0] * scale + call->args[1];
        calls[CMD_SCALE]++;
        return BACKDOOR_HANDLED;
    case CMD_COUNT:
        call->result = calls[CMD_SCALE];
        return BACKDOOR_HANDLED;
    default:
        return BACKDOOR_UNHANDLED;
    }
}

void backdoor_handler_fini(void)
{
    std::fprintf(stderr, "cxx handler: %llu scale calls\n",
                 static_cast<unsigned long long>(calls[CMD_SCALE]));
}
