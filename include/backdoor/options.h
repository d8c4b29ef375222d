/* SPDX-License-Identifier: MIT */
/*
 * backdoor/options.h - the plugin's options in one table. The plugin's
 * parser and its list of keys, the check that no two outputs share a file,
 * qemu-backdoor's long options and --help, and the texts that list them
 * (README's option table, qemu-backdoor(1), the shell completion: written by
 * scripts/gen-abi.py) are all made from it. A new option is one line here
 * and, for the plugin, one field of struct options (plugin/core/options.h)
 * named in the line.
 *
 * X(key, field, kind, fallback, syntax, doc)
 *   key       the KEY of KEY=VALUE, and qemu-backdoor's --KEY
 *   field     the member of struct options that holds the value
 *   kind      how the value is read:
 *               INPUT   a file the plugin reads (qemu-backdoor makes it absolute)
 *               OUTPUT  a file the plugin writes; the words of syntax that are
 *                       not PATH name streams (stderr, stdout, none)
 *               OUTDIR  a directory the plugin writes files into (qemu-backdoor
 *                       makes it absolute and checks that it is one)
 *               TEXT    text, repeatable (each goes to the handler's argv)
 *               BOOL    on|off (yes|no, true|false, 1|0); qemu-backdoor's
 *                       --KEY alone means on when the fallback is off
 *               SIZE    bytes, with an optional K, M or G
 *               NUMBER  an unsigned integer (decimal, or 0x hexadecimal)
 *               CHOICE  one of the words of syntax; the field holds its index
 *               COMMANDS built-in command names separated by ':'
 *               SOCKET  a Unix socket the plugin connects to (qemu-backdoor
 *                       makes it absolute)
 *   fallback  the value when the option is not given, as it would be written
 *             (NULL: none)
 *   syntax    the VALUE part as the docs write it
 *   doc       one sentence or two, for the README's table and --help
 *
 * Copyright (c) 2026 The backdoor developers
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
#ifndef BACKDOOR_OPTIONS_H
#define BACKDOOR_OPTIONS_H

#define BACKDOOR_PLUGIN_OPTIONS(X)                                                          \
    X("handler", handler_path, INPUT, NULL, "PATH",                                         \
      "handler library, loaded at start-up; PATH.py: a Python script (docs/python.md)")      \
    X("handler-arg", handler_argv, TEXT, NULL, "TEXT",                                      \
      "passed to the handler's init (repeatable)")                                          \
    X("summary", summary_path, OUTPUT, "stderr", "PATH|stdout|stderr|none",                 \
      "summary at exit")                                                                    \
    X("events", events_path, OUTPUT, NULL, "PATH",                                          \
      "one JSON object per call (JSON Lines); `PATH.bin`: the same records in binary "      \
      "(`qemu-backdoor --events-to-json` converts)")                                        \
    X("regions-by", regions_by_vcpu, CHOICE, "thread", "thread|vcpu",                       \
      "system mode: regions belong to the guest thread that opened them and count its "    \
      "instructions wherever the guest's scheduler runs it (on riscv64 the process), or "   \
      "to the vCPU (everything it runs: a shell script whose regions span processes)")     \
    X("regions", regions_path, OUTPUT, NULL, "PATH",                                        \
      "the final regions, a row per id and vCPU (guest thread) plus a total per id: CSV "   \
      "if PATH ends in `.csv`, else JSON")                                                  \
    X("trace", trace_path, OUTPUT, NULL, "PATH",                                            \
      "Chrome/Perfetto trace-event JSON")                                                   \
    X("print", print_path, OUTPUT, "stderr", "PATH|stdout|stderr",                          \
      "where guest text goes")                                                              \
    X("qemu-api", qemu_api, NUMBER, NULL, "N",                                              \
      "the plugin API level of the QEMU that loads the plugin, which qemu-backdoor finds "  \
      "in the QEMU binary it starts; without it the plugin tells the level from QEMU's "    \
      "exports and, where they cannot, its version text (docs/qemu-versions.md)")          \
    X("max-buffer", max_buffer, SIZE, "1M", "SIZE",                                         \
      "largest send/receive buffer (1 to 1G)")                                              \
    X("max-output", max_output, SIZE, "4G", "SIZE",                                         \
      "largest size of each output file (`0`: no limit); an output that reaches it, or "    \
      "whose disk is full, stops alone, says so once on stderr and in the summary, and "    \
      "the run goes on")                                                                    \
    X("max-threads", max_threads, NUMBER, "65536", "N",                                     \
      "system mode, regions by thread: guest threads kept besides those running; the "     \
      "least recently run one without regions is forgotten for a new one, and at most N "  \
      "get regions of their own (docs/outputs.md)")                                         \
    X("allow-from", allow_from, CHOICE, "any", "any|kernel|user",                           \
      "accept calls only from this privilege level")                                        \
    X("deny", denied, COMMANDS, NULL, "CMD[:CMD...]",                                       \
      "refuse these built-in commands")                                                     \
    X("log", log_calls, BOOL, "off", "on|off",                                              \
      "one line on stderr per call")                                                        \
    X("valgrind", valgrind, BOOL, "off", "on|off",                                          \
      "act on Valgrind's client requests (`valgrind.h`, `callgrind.h`) in unmodified "      \
      "programs: docs/valgrind.md")                                                         \
    X("running-on-valgrind", running_on_valgrind, NUMBER, "0", "N",                         \
      "what `RUNNING_ON_VALGRIND` returns with `valgrind=on` (0: the program behaves as "   \
      "natively)")                                                                          \
    X("collect-atstart", collect_atstart, BOOL, "on", "on|off",                             \
      "as Callgrind's `--collect-atstart`")                                                 \
    X("instr-atstart", instr_atstart, BOOL, "on", "on|off",                                 \
      "as Callgrind's `--instr-atstart`")                                                   \
    X("count-reps", count_repeats, BOOL, "off", "on|off",                                   \
      "x86: each repetition of `rep movsb`, `repe cmpsb`, ... counts as an instruction, "   \
      "as in Callgrind, instead of each execution once (docs/outputs.md, counting rules); " \
      "on by default with `valgrind=on`")                                                   \
    X("cpu-identity", cpu_identity, CHOICE, "auto", "auto|valgrind|qemu",                   \
      "x86-64 user mode: the CPU that CPUID and XGETBV describe, Valgrind 3.19's (glibc "  \
      "then picks the code it picks under Valgrind) or QEMU's; `auto`: Valgrind's with "    \
      "`valgrind=on` where it can be, else QEMU's (docs/valgrind.md, \"The same CPU\")")     \
    X("toggle-collect", toggle_collect, TEXT, NULL, "FUNC",                                 \
      "with `valgrind=on`: as Callgrind's `--toggle-collect`, the collection flips on "     \
      "entry to and return from FUNC (`*`, `?` wildcards; repeatable); the collection "     \
      "then starts off unless `collect-atstart=on` is given")                               \
    X("profile", profile_path, OUTPUT, NULL, "PATH",                                        \
      "with `valgrind=on`: instructions per function and source line of the collected "     \
      "part and its call graph, in Callgrind's format (`callgrind_annotate "                 \
      "--inclusive=yes PATH`, KCachegrind); functions named from every ELF the program "     \
      "maps (docs/valgrind.md, \"Names\"); each `CALLGRIND_DUMP_STATS` writes a part "    \
      "`PATH.N`")                                                                           \
    X("call-graph", call_graph, BOOL, "on", "on|off",                                       \
      "with `profile=`: follow calls and returns for the profile's `calls=` lines and "     \
      "inclusive costs (user mode; x86-64, i386, aarch64)")                                 \
    X("symbols", symbols_path, INPUT, NULL, "PATH",                                         \
      "system mode, with `profile=`: the kernel's ELF (`vmlinux`) or `System.map` naming "  \
      "its functions (without it: QEMU's `-kernel` when it is an ELF)")                     \
    X("readfile", readfile_path, INPUT, NULL, "PATH",                                       \
      "the host file the guest reads with the `readfile` built-in (`backdoor readfile`); "  \
      "a regular file")                                                                     \
    X("outdir", outdir_path, OUTDIR, NULL, "DIR",                                           \
      "the directory the guest writes plain file names into with the `writefile` "          \
      "built-in (`backdoor writefile FILE`); it must exist and take new files; at most "    \
      "4096 files, together at most `max-output` bytes, none growing past it")             \
    X("checkpoint-dir", checkpoint_dir, OUTDIR, NULL, "DIR",                                \
      "system mode, with `qmp=`: the `checkpoint` built-in (`backdoor checkpoint NAME`) "   \
      "saves the machine and the plugin's state to DIR/NAME.ckpt (docs/checkpoints.md)")    \
    X("restore", restore_path, INPUT, NULL, "PATH",                                         \
      "system mode, with `qmp=` and QEMU's `-incoming defer`: start from the checkpoint "   \
      "PATH, the plugin's regions, marks and names included (qemu-backdoor --restore "     \
      "gives QEMU the machine recorded in it)")                                             \
    X("qmp", qmp_path, SOCKET, NULL, "PATH",                                                \
      "QEMU's QMP socket (`-qmp unix:PATH,server=on,wait=off`), through which the plugin "  \
      "saves and restores checkpoints; qemu-backdoor makes one of its own")

#endif /* BACKDOOR_OPTIONS_H */
