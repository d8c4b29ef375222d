# SPDX-License-Identifier: GPL-2.0-or-later
"""The public headers as their users compile them: guest.h and ops.h in
strict C99 and C++11 with every guest architecture's compiler, host.h in a
handler library built for a host the guest code does not know (aarch64 and
the build machine), and each header carrying the full MIT licence text it
is distributed under."""
import os
import re
import shutil

from harness import ARCHES, Failure, ROOT

INCLUDE = os.path.join(ROOT, "include")
HEADERS = ("guest.h", "host.h", "ops.h")
# The C and C++ compiler of each guest architecture (the Makefile's
# GUEST_CC_*); scripts/install-deps.sh build installs them.
COMPILERS = {
    "x86_64": (["gcc", "-m64"], ["g++", "-m64"]),
    "i386": (["i686-linux-gnu-gcc"], ["i686-linux-gnu-g++"]),
    "aarch64": (["aarch64-linux-gnu-gcc"], ["aarch64-linux-gnu-g++"]),
    "riscv64": (["riscv64-linux-gnu-gcc"], ["riscv64-linux-gnu-g++"]),
}
C_FLAGS = ["-std=c99", "-pedantic", "-Werror", "-Wall", "-Wextra", "-ffreestanding"]
CXX_FLAGS = ["-std=c++11", "-pedantic", "-Werror", "-Wall", "-Wextra"]

# Every request guest.h offers, so that each inline function and its asm is
# compiled; valid C99 and C++11 alike. ops.h comes first: it stands alone.
GUEST_SOURCE = r"""
#include <backdoor/ops.h>
#include <backdoor/guest.h>

backdoor_word_t every_request(backdoor_word_t x);

static backdoor_word_t print_list(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    backdoor_word_t r = backdoor_vprintf(format, ap);
    va_end(ap);
    return r;
}

backdoor_word_t every_request(backdoor_word_t x)
{
    char buf[64] = "text";
    backdoor_word_t r = 0;
    uint64_t ns;
    BACKDOOR_i8(1);
    BACKDOOR_i8_v32(2, 3);
    BACKDOOR_i8_v32(4, (uint32_t)x);
    r += backdoor_present() + backdoor_features();
    r += backdoor_call0(0x900, 0) + backdoor_call1(0x900, x, 0);
    r += backdoor_call2(0x900, x, 1, 0) + backdoor_call3(0x900, x, 1, 2, 0);
    r += backdoor_call4(0x900, 1, 2, 3, 4, 0) + backdoor_call4(0x900, x, x, x, x, 0);
    r += backdoor_send(0x901, buf, sizeof buf, 0) + backdoor_recv(0x902, buf, sizeof buf, 0);
    r += backdoor_send4(0x901, buf, 4, x, 1, 0) + backdoor_recv4(0x902, buf, 4, x, 1, 0);
    backdoor_roi_begin(1);
    backdoor_mark(7, x);
    backdoor_roi_end(1);
    backdoor_stats_reset();
    backdoor_stats_dump();
    ns = backdoor_host_time_ns();
    r += backdoor_sum(1, 2, 3, x) + backdoor_host_info(buf, sizeof buf);
    r += backdoor_print("text\n") + backdoor_write(buf, 3) + backdoor_name_thread("worker");
    r += backdoor_readfile(buf, sizeof buf, x) + backdoor_writefile("out.txt", buf, 3, x);
    r += backdoor_checkpoint("boot");
    r += backdoor_printf("%d %u %lx %zu %s %p %c %%\n", -1, 2u, (unsigned long)x,
                         sizeof buf, buf, (void *)buf, 'c');
    r += print_list("%d\n", 1);
    if (BACKDOOR_IS_ERROR(r))
        backdoor_exit(1);
    return r + (backdoor_word_t)ns + BACKDOOR_LEAF(BACKDOOR_TYPE_CALL, 0xb4) +
           BACKDOOR_SELECTOR(BACKDOOR_OP_SUM) + BACKDOOR_PROTOCOL_VERSION +
           (backdoor_word_t)BACKDOOR_FEATURE_SYSTEM + (backdoor_word_t)BACKDOOR_ENOSYS +
           (backdoor_word_t)BACKDOOR_STATUS_COUNT + (backdoor_word_t)BACKDOOR_USER_COMMAND_FIRST;
}
"""

# A handler library that includes host.h and nothing of the guest side.
HANDLER_SOURCE = r"""
#include <backdoor/host.h>

BACKDOOR_HANDLER_ABI;

__attribute__((visibility("default"))) int backdoor_handler_call(struct backdoor_call *call);

int backdoor_handler_call(struct backdoor_call *call)
{
    if (call->type != BACKDOOR_CALL_CALL || call->command != BACKDOOR_USER_COMMAND_FIRST)
        return BACKDOOR_UNHANDLED;
    call->result = call->nargs == BACKDOOR_EXT_MAX_ARGS ? call->args[3] : (uint64_t)BACKDOOR_EINVAL;
    call->host->emit_event("seen", call->result);
    return BACKDOOR_HANDLED;
}
"""


def compiler(t, command):
    if shutil.which(command[0]) is None:
        raise Failure("no %s: scripts/install-deps.sh build installs it" % command[0])
    return command


def write(t, name, text):
    path = t.path(name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_guest_and_ops_strict_c99_and_cxx11(t):
    """guest.h and ops.h compile without a warning in C99 -pedantic and in
    C++11 -pedantic, optimised (constant requests as immediates) and not,
    for each guest architecture; with BACKDOOR_DISABLE too."""
    source = write(t, "every_request.c", GUEST_SOURCE)
    built = []
    for arch in ARCHES:
        cc, cxx = (compiler(t, c) for c in COMPILERS[arch])
        for lang, command, flags in (("c", cc, C_FLAGS), ("c++", cxx, CXX_FLAGS)):
            for extra in (["-O0"], ["-O2"], ["-O2", "-DBACKDOOR_DISABLE"]):
                obj = t.path("%s-%s-%d.o" % (arch, lang.replace("+", "x"), len(built)))
                t.run(command + flags + extra + ["-I", INCLUDE, "-x", lang, "-c", source,
                                                 "-o", obj], check=0)
                built.append(obj)
    t.check(all(os.path.getsize(o) > 0 for o in built), "every object written", built)
    t.eq(len(built), len(ARCHES) * 2 * 3, "compilations")


def test_every_guest_function_is_compiled(t):
    """The source above calls every public function guest.h defines, so the
    strict compilations cover each (backdoor_name_thread was left out)."""
    header = open(os.path.join(INCLUDE, "backdoor", "guest.h")).read()
    public = set(re.findall(r"^(?:BACKDOOR_IMPL_INLINE|static inline) [\w *]*?\b(backdoor_(?!impl_)\w+)\(",
                            header, re.M))
    t.check(len(public) > 20, "guest.h's functions found", sorted(public))
    t.eq(sorted(f for f in public if f + "(" not in GUEST_SOURCE), [],
         "guest.h functions the strict compilations never call")


def test_handler_builds_with_host_h_alone(t):
    """A handler library needs only host.h (which needs ops.h, not guest.h):
    it builds as a shared library for aarch64 and with the build machine's
    compiler, and exports what the plugin looks up."""
    source = write(t, "handler.c", HANDLER_SOURCE)
    for name, cc in (("aarch64", "aarch64-linux-gnu-gcc"), ("host", "cc")):
        lib = t.path("libhandler-%s.so" % name)
        t.run([compiler(t, [cc])[0], "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
               "-shared", "-fPIC", "-I", INCLUDE, source, "-o", lib], check=0)
        nm = "aarch64-linux-gnu-nm" if name == "aarch64" else "nm"
        symbols = t.run([nm, "-D", "--defined-only", lib], check=0).stdout.split()
        for symbol in ("backdoor_handler_abi_version", "backdoor_handler_call"):
            t.check(symbol in symbols, "%s exports %s" % (name, symbol), symbols)
    # Not by accident: the source indeed sees nothing of guest.h.
    pre = t.run(["cc", "-E", "-I", INCLUDE, source], check=0).stdout
    t.check("backdoor_call0" not in pre and "guest.h" not in pre,
            "host.h does not include guest.h", pre[-2000:])


def licence_words(text):
    return re.sub(r"[\s*/]+", " ", text).strip()


def test_public_headers_carry_the_mit_licence(t):
    """Each public header is installed and copied on its own, so each holds
    the complete MIT permission and warranty text of LICENSES/MIT.txt."""
    with open(os.path.join(ROOT, "LICENSES", "MIT.txt")) as f:
        paragraphs = f.read().split("\n\n")[2:]
    t.eq(len(paragraphs), 3, "LICENSES/MIT.txt: permission, condition, warranty")
    for name in HEADERS:
        with open(os.path.join(INCLUDE, "backdoor", name)) as f:
            text = f.read()
        t.check(text.startswith("/* SPDX-License-Identifier: MIT */\n"), name + ": SPDX line")
        for paragraph in paragraphs:
            t.contains(licence_words(text), licence_words(paragraph),
                       name + ": the MIT licence text")


def test_no_reserved_identifiers(t):
    """No identifier of the public headers is reserved to the C or C++
    implementation: none contains a double underscore or begins with an
    underscore and a capital letter, except the compiler's own keywords and
    predefined macros that the headers test (kbuild's __KERNEL__ among
    them)."""
    allowed = {"__asm__", "__volatile__", "__attribute__", "__always_inline__",
               "__builtin_constant_p", "__GNUC__", "__cplusplus", "__x86_64__", "__i386__",
               "__aarch64__", "__riscv", "__riscv_xlen", "__format__", "__printf__",
               "__visibility__", "__KERNEL__"}
    for name in HEADERS:
        with open(os.path.join(INCLUDE, "backdoor", name)) as f:
            code = re.sub(r'/\*.*?\*/|"(?:[^"\\]|\\.)*"', " ", f.read(), flags=re.S)
        reserved = {w for w in re.findall(r"\b[A-Za-z_]\w*", code)
                    if ("__" in w or re.match(r"_[A-Z]", w)) and w not in allowed}
        t.eq(sorted(reserved), [], name + ": reserved identifiers")
