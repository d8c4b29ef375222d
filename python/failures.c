/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a failing script says. An exception in a handler function prints its
 * traceback on the plugin's log the first time for that command, and is only
 * counted afterwards (a faulty command may fail on every call); the counts
 * are logged at the end. A script that cannot start gives its traceback and
 * a one-line reason, naming the file and line, for QEMU's refusal.
 */
#include "companion.h"

#include <string.h>

char companion_failure[512] = "the Python handler did not start";

/* Exceptions per key (companion.h); written with the GIL held. */
static unsigned long long raised[KEY_COUNT];
static PyObject *raised_by[KEY_COUNT];

void log_lines(const char *text)
{
    while (*text != '\0') {
        const char *end = strchr(text, '\n');
        int len = end != NULL ? (int)(end - text) : (int)strlen(text);
        companion_host->log("%.*s", len, text);
        text += len + (end != NULL);
    }
}

/* The traceback and a one-line reason "FILE, line N: Type: message", in
 * Python, where the traceback module knows every exception's shape. */
static const char describe_source[] =
    "import traceback\n"
    "def describe(exc):\n"
    "    where = None\n"
    "    if isinstance(exc, SyntaxError) and exc.lineno:\n"
    "        where = (exc.filename, exc.lineno)\n"
    "    else:\n"
    "        frames = traceback.extract_tb(exc.__traceback__)\n"
    "        if frames:\n"
    "            where = (frames[-1].filename, frames[-1].lineno)\n"
    "    last = traceback.format_exception_only(exc)[-1].strip()\n"
    "    reason = '%s, line %d: %s' % (where + (last,)) if where else last\n"
    "    return ''.join(traceback.format_exception(exc)), reason\n";

static PyObject *describe_function(void)
{
    static PyObject *describe;
    if (describe == NULL) {
        PyObject *globals = PyDict_New();
        if (globals == NULL) {
            return NULL;
        }
        PyObject *builtins = PyEval_GetBuiltins();
        PyDict_SetItemString(globals, "__builtins__", builtins);
        PyObject *done = PyRun_String(describe_source, Py_file_input, globals, globals);
        if (done != NULL) {
            describe = PyDict_GetItemString(globals, "describe");
            Py_XINCREF(describe);
            Py_DECREF(done);
        }
        Py_DECREF(globals);
    }
    return describe;
}

/* Takes the pending exception; its traceback into *trace and reason into
 * *reason (both new UTF-8 strings from Python, kept alive by *keep). */
static bool describe_pending(PyObject **keep, const char **trace, const char **reason)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    *keep = NULL;
    PyObject *describe = describe_function();
    if (value != NULL && describe != NULL) {
        *keep = PyObject_CallOneArg(describe, value);
    }
    Py_XDECREF(value);
    if (*keep == NULL || !PyTuple_Check(*keep) || PyTuple_GET_SIZE(*keep) != 2 ||
        (*trace = PyUnicode_AsUTF8(PyTuple_GET_ITEM(*keep, 0))) == NULL ||
        (*reason = PyUnicode_AsUTF8(PyTuple_GET_ITEM(*keep, 1))) == NULL) {
        PyErr_Clear();
        Py_CLEAR(*keep);
        return false;
    }
    return true;
}

static const char *function_name(PyObject *function)
{
    PyObject *name = function != NULL ? PyObject_GetAttrString(function, "__qualname__") : NULL;
    const char *utf8 = name != NULL && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    /* Kept by the function object, which the registry holds. */
    Py_XDECREF(name);
    if (utf8 == NULL) {
        PyErr_Clear();
        return "?";
    }
    return utf8;
}

void failure_report(unsigned key, PyObject *function)
{
    if (raised[key]++ > 0) {
        PyErr_Clear();
        return;
    }
    raised_by[key] = function;
    char what[48];
    registry_describe(key, what, sizeof what);
    PyObject *keep;
    const char *trace, *reason;
    if (!describe_pending(&keep, &trace, &reason)) {
        companion_host->log("%s (%s) raised an exception that cannot be shown: the guest "
                            "gets BACKDOOR_EIO", what, function_name(function));
        return;
    }
    companion_host->log("%s (%s) raised an exception: the guest gets BACKDOOR_EIO; later "
                        "ones of this command are only counted", what,
                        function_name(function));
    log_lines(trace);
    Py_DECREF(keep);
}

void failure_summary(void)
{
    for (unsigned key = 0; key < KEY_COUNT; key++) {
        if (raised[key] != 0) {
            char what[48];
            registry_describe(key, what, sizeof what);
            companion_host->log("%s (%s) raised %llu exception%s in all (the first "
                                "traceback is above)", what, function_name(raised_by[key]),
                                raised[key], raised[key] == 1 ? "" : "s");
        }
    }
}

void failure_refuse(const char *context)
{
    PyObject *keep;
    const char *trace, *reason;
    if (!describe_pending(&keep, &trace, &reason)) {
        snprintf(companion_failure, sizeof companion_failure, "%s%san error that cannot be "
                 "shown", context != NULL ? context : "", context != NULL ? ": " : "");
        return;
    }
    log_lines(trace);
    snprintf(companion_failure, sizeof companion_failure, "%s%s%s",
             context != NULL ? context : "", context != NULL ? ": " : "", reason);
    Py_DECREF(keep);
}
