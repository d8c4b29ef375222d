/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Python companion (libbackdoor-python.so): a handler library in the
 * backdoor/host.h ABI that runs a Python script in an embedded CPython. The
 * plugin loads it only for handler=PATH.py. Its parts: the entry points
 * (entry.c), the interpreter and its threads (interpreter.c), the backdoor
 * module (module.c), the call object (call_object.c) and what a failing
 * script reports (failures.c).
 */
#ifndef BACKDOOR_PYTHON_COMPANION_H
#define BACKDOOR_PYTHON_COMPANION_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>

#include "backdoor/host.h"

/* Set by backdoor_handler_init; the plugin's services. */
extern const struct backdoor_host *companion_host;

/* Commands 0x0800..0xffff; seed calls are keyed after them by i8, plus one
 * key for "any i8" of each seed type. */
enum {
    KEY_SEED_I8 = 0x10000,
    KEY_SEED_I8_ANY = KEY_SEED_I8 + 256,
    KEY_SEED_I8_V32 = KEY_SEED_I8_ANY + 1,
    KEY_SEED_I8_V32_ANY = KEY_SEED_I8_V32 + 256,
    KEY_COUNT,
};

/* module.c: the registry the decorators fill while the script loads, read
 * without the GIL once it is frozen. */
PyObject *module_create(void);
PyObject *registry_lookup(unsigned key);
unsigned registry_count(void);
void registry_freeze(void);
/* "command 0x0900", "seed_i8(7)", "seed_i8"...: what key answers. */
void registry_describe(unsigned key, char *out, size_t size);
/* Sets backdoor.args; -1 with an exception. */
int module_set_args(PyObject *module, int argc, char **argv);

/* call_object.c */
extern PyTypeObject CallType;
/* A call object for call, reusing the thread's previous one when nobody
 * kept it; call_object_done() ends its validity. */
PyObject *call_object_for(PyObject **cached, struct backdoor_call *call);
void call_object_done(PyObject **cached, PyObject *object);

/* interpreter.c */
/* Starts CPython and runs the script; false with companion_failure set. */
bool interpreter_start(const char *script, int argc, char **argv);
/* Take and give back the GIL on the calling thread (a vCPU thread). */
struct python_thread;
struct python_thread *interpreter_enter(void);
void interpreter_leave(struct python_thread *thread);
/* The thread's cached call object. */
PyObject **interpreter_call_cache(struct python_thread *thread);
void interpreter_stop(void);

/* failures.c (with the GIL) */
/* Logs the pending exception of the command with key, the first time for
 * that key only, then clears it. */
void failure_report(unsigned key, PyObject *function);
/* Logs how many exceptions each command raised in all. */
void failure_summary(void);
/* The pending exception as log lines (traceback), then cleared; and
 * "context: FILE, line N: Type: message" kept as the reason the start was
 * refused (context may be NULL). */
void failure_refuse(const char *context);
/* Why the start was refused, for the plugin's message. */
extern char companion_failure[512];
/* Logs text line by line on the plugin's log. */
void log_lines(const char *text);

#endif
