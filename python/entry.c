/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The companion's entry points in the backdoor/host.h ABI. The plugin
 * passes the script as the first handler argument and the user's
 * handler-arg values after it. A call finds its Python function in the
 * registry without the GIL, takes the GIL for the function alone, and turns
 * what it returns into the guest's result: an int (masked to the word, a
 * negative one is -errno), None (0), or for a receive the bytes to copy.
 */
#include "companion.h"

BACKDOOR_HANDLER_ABI;

const struct backdoor_host *companion_host;

BACKDOOR_HANDLER_EXPORT const char *backdoor_python_failure(void);

const char *backdoor_python_failure(void)
{
    return companion_failure;
}

int backdoor_handler_init(const struct backdoor_host *host, int argc, char **argv)
{
    companion_host = host;
    if (argc < 1) {
        snprintf(companion_failure, sizeof companion_failure,
                 "the Python companion takes the script as its first handler-arg");
        host->log("%s", companion_failure);
        return 1;
    }
    return interpreter_start(argv[0], argc, argv) ? 0 : 1;
}

static unsigned key_of(const struct backdoor_call *call, PyObject **function)
{
    unsigned key;
    switch (call->type) {
    case BACKDOOR_CALL_I8:
        key = KEY_SEED_I8 + (call->command & 0xff);
        if ((*function = registry_lookup(key)) == NULL) {
            *function = registry_lookup(key = KEY_SEED_I8_ANY);
        }
        return key;
    case BACKDOOR_CALL_I8_V32:
        key = KEY_SEED_I8_V32 + (call->command & 0xff);
        if ((*function = registry_lookup(key)) == NULL) {
            *function = registry_lookup(key = KEY_SEED_I8_V32_ANY);
        }
        return key;
    default:
        key = call->command & 0xffff;
        *function = registry_lookup(key);
        return key;
    }
}

/* The positional arguments after the call object: the words as they are,
 * a send's buffer as bytes, a receive's capacity, each followed by the
 * extra words of send4/recv4. */
static Py_ssize_t make_arguments(const struct backdoor_call *call, PyObject **out)
{
    Py_ssize_t n = 0;
    unsigned first_word = 0;
    switch (call->type) {
    case BACKDOOR_CALL_I8:
        out[n++] = PyLong_FromUnsignedLong(call->command);
        return out[0] != NULL ? n : -1;
    case BACKDOOR_CALL_I8_V32:
        out[n++] = PyLong_FromUnsignedLong(call->command);
        out[n++] = PyLong_FromUnsignedLong((uint32_t)call->args[0]);
        break;
    case BACKDOOR_CALL_SEND:
        out[n++] = PyBytes_FromStringAndSize((const char *)call->data,
                                             (Py_ssize_t)call->data_len);
        first_word = 2;
        break;
    case BACKDOOR_CALL_RECV:
        out[n++] = PyLong_FromSize_t(call->out_capacity);
        first_word = 2;
        break;
    default:
        break;
    }
    if (call->type != BACKDOOR_CALL_I8_V32) {
        for (unsigned i = first_word; i < call->nargs && i < BACKDOOR_EXT_MAX_ARGS; i++) {
            out[n++] = PyLong_FromUnsignedLongLong(call->args[i]);
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (out[i] == NULL) {
            for (Py_ssize_t j = 0; j < n; j++) {
                Py_XDECREF(out[j]);
            }
            return -1;
        }
    }
    return n;
}

/* The returned value into call->result (and call->out); -1 with TypeError
 * for a value that is neither. */
static int take_result(struct backdoor_call *call, PyObject *value)
{
    if (value == Py_None) {
        return 0;
    }
    if (PyLong_Check(value)) {
        call->result = PyLong_AsUnsignedLongLongMask(value);
        return PyErr_Occurred() ? -1 : 0;
    }
    if (call->type == BACKDOOR_CALL_RECV && PyObject_CheckBuffer(value)) {
        Py_buffer view;
        if (PyObject_GetBuffer(value, &view, PyBUF_SIMPLE) != 0) {
            return -1;
        }
        size_t len = (size_t)view.len < call->out_capacity ? (size_t)view.len
                                                            : call->out_capacity;
        memcpy(call->out, view.buf, len);
        call->out_len = len;
        PyBuffer_Release(&view);
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "a handler returns an int (the guest's result), None (0)%s, "
                 "not %s", call->type == BACKDOOR_CALL_RECV ? " or bytes (to receive)" : "",
                 Py_TYPE(value)->tp_name);
    return -1;
}

/* SystemExit in a handler: the run ends with its status after this call,
 * as Python's own exit status rules give it. */
static void exit_from(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *code = value != NULL ? PyObject_GetAttrString(value, "code") : NULL;
    int status = 0;
    if (code != NULL && PyLong_Check(code)) {
        status = (int)PyLong_AsLong(code);
    } else if (code != NULL && code != Py_None) {
        PyObject *text = PyObject_Str(code);
        if (text != NULL && PyUnicode_AsUTF8(text) != NULL) {
            log_lines(PyUnicode_AsUTF8(text));
        }
        Py_XDECREF(text);
        status = 1;
    }
    PyErr_Clear();
    Py_XDECREF(code);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    companion_host->request_exit(status);
}

static int invoke(PyObject *function, unsigned key, struct backdoor_call *call,
                  struct python_thread *thread)
{
    /* Slot 0 free for PY_VECTORCALL_ARGUMENTS_OFFSET, then the call object. */
    PyObject *stack[2 + BACKDOOR_EXT_MAX_ARGS];
    PyObject **cache = interpreter_call_cache(thread);
    PyObject *call_object = call_object_for(cache, call);
    Py_ssize_t n = call_object != NULL ? make_arguments(call, stack + 2) : -1;
    PyObject *value = NULL;
    if (n >= 0) {
        stack[1] = call_object;
        value = PyObject_Vectorcall(function, stack + 1,
                                    (size_t)(n + 1) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_DECREF(stack[2 + i]);
        }
    }
    if (call_object != NULL) {
        call_object_done(cache, call_object);
    }
    if (value != NULL) {
        int taken = take_result(call, value);
        Py_DECREF(value);
        if (taken == 0) {
            return BACKDOOR_HANDLED;
        }
    }
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        exit_from();
        call->result = 0;
        call->out_len = 0;
        return BACKDOOR_HANDLED;
    }
    failure_report(key, function);
    return BACKDOOR_FAILED;
}

int backdoor_handler_call(struct backdoor_call *call)
{
    PyObject *function;
    unsigned key = key_of(call, &function);
    if (function == NULL) {
        return BACKDOOR_UNHANDLED;
    }
    struct python_thread *thread = interpreter_enter();
    int disposition = invoke(function, key, call, thread);
    interpreter_leave(thread);
    return disposition;
}

void backdoor_handler_fini(void)
{
    interpreter_stop();
}

/* A function the script defines at its top level, or NULL. */
static PyObject *script_function(const char *name)
{
    PyObject *main_module = PyImport_AddModule("__main__");
    PyObject *f = main_module != NULL ? PyObject_GetAttrString(main_module, name) : NULL;
    if (f == NULL) {
        PyErr_Clear();
    } else if (!PyCallable_Check(f)) {
        Py_DECREF(f);
        f = NULL;
    }
    return f;
}

/* save() returns bytes (or None): the script's state in a checkpoint. */
void *backdoor_handler_save(size_t *len)
{
    *len = 0;
    struct python_thread *thread = interpreter_enter();
    PyObject *save = script_function("save");
    PyObject *state = save != NULL ? PyObject_CallNoArgs(save) : NULL;
    void *copy = NULL;
    if (save != NULL && state == NULL) {
        failure_refuse("save()");
    } else if (state != NULL && state != Py_None) {
        char *bytes;
        Py_ssize_t n;
        if (PyBytes_AsStringAndSize(state, &bytes, &n) != 0) {
            failure_refuse("save() must return bytes or None");
        } else if ((copy = malloc(n > 0 ? (size_t)n : 1)) != NULL) {
            memcpy(copy, bytes, (size_t)n);
            *len = (size_t)n;
        }
    }
    Py_XDECREF(state);
    Py_XDECREF(save);
    interpreter_leave(thread);
    return copy;
}

/* restore(data) gets those bytes back in a restored run. */
int backdoor_handler_restore(const void *data, size_t len)
{
    struct python_thread *thread = interpreter_enter();
    PyObject *restore = script_function("restore");
    int rc = 1;
    if (restore == NULL) {
        companion_host->log("the checkpoint holds the state save() returned, and the script "
                            "defines no restore(data) to take it");
    } else {
        PyObject *bytes = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
        PyObject *done = bytes != NULL ? PyObject_CallOneArg(restore, bytes) : NULL;
        if (done == NULL) {
            failure_refuse("restore()");
        } else {
            rc = 0;
        }
        Py_XDECREF(done);
        Py_XDECREF(bytes);
        Py_DECREF(restore);
    }
    interpreter_leave(thread);
    return rc;
}
