/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The list of outputs (output/outputs.h). The report (output/report.h)
 * writes the event log, the trace, guest text, the summary and the
 * regions, which share its per-vCPU buffers; the profile (output/profile.h)
 * its Callgrind file. A new output is one more entry here.
 */
#include "output/outputs.h"

#include <stdio.h>
#include <string.h>

#include "output/profile.h"
#include "output/report.h"

static struct output_settings settings;

static bool report_output_open(const struct output_settings *s, char *err, size_t err_size)
{
    struct report_options o = {
        .events_path = output_path(s, "events"),
        .trace_path = output_path(s, "trace"),
        .print_path = output_path(s, "print"),
        .summary_path = output_path(s, "summary"),
        .regions_path = output_path(s, "regions"),
        .log_calls = s->log_calls,
        .max_output = s->max_output,
    };
    if (!report_open(&o, err, err_size)) {
        report_abandon();
        return false;
    }
    return true;
}

static void report_output_write(const struct output_end *end)
{
    report_summary(end->reason, end->status, end->snap);
}

static struct profile_output *profile;

static bool profile_output_open(const struct output_settings *s, char *err, size_t err_size)
{
    const char *path = output_path(s, "profile");
    return path == NULL ||
           (profile = profile_open(path, s->max_output, s->target, err, err_size)) != NULL;
}

static void profile_output_start(void)
{
    if (profile != NULL) {
        profile_start(profile);
    }
}

static void profile_output_abandon(void)
{
    if (profile != NULL) {
        profile_abandon(profile);
        profile = NULL;
    }
}

/* The last part is gathered above (profile_final) and written here by
 * profile_write, which closes the file. */
static void profile_output_write(const struct output_end *end)
{
    if (settings.profile_final != NULL) { /* it does nothing without a profile */
        settings.profile_final(end->reason);
    }
}

static void nothing(void)
{
}

static const char *const report_keys[] = {"events", "trace", "print", "summary", "regions",
                                          NULL};
static const char *const profile_keys[] = {"profile", NULL};

/* In the order of the end of a run: the summary (which names the other
 * files and their problems) before the profile. */
static const struct output outputs[] = {
    {report_keys, report_output_open, report_start, report_abandon, report_output_write,
     report_close},
    {profile_keys, profile_output_open, profile_output_start, profile_output_abandon,
     profile_output_write, nothing},
};
#define N_OUTPUTS (sizeof outputs / sizeof outputs[0])
static size_t opened;

const char *output_path(const struct output_settings *s, const char *key)
{
    for (size_t i = 0; i < s->n_paths; i++) {
        if (strcmp(s->paths[i].key, key) == 0) {
            return s->paths[i].path;
        }
    }
    return NULL;
}

static bool claimed(const char *key)
{
    for (size_t i = 0; i < N_OUTPUTS; i++) {
        for (const char *const *k = outputs[i].keys; *k != NULL; k++) {
            if (strcmp(*k, key) == 0) {
                return true;
            }
        }
    }
    return false;
}

bool outputs_open(const struct output_settings *s, char *err, size_t err_size)
{
    settings = *s;
    for (size_t i = 0; i < s->n_paths; i++) {
        if (!claimed(s->paths[i].key)) {
            snprintf(err, err_size, "option '%s': no output writes it (plugin/output/"
                     "outputs.c)", s->paths[i].key);
            return false;
        }
    }
    for (opened = 0; opened < N_OUTPUTS; opened++) {
        if (!outputs[opened].open(&settings, err, err_size)) {
            outputs_abandon();
            return false;
        }
    }
    return true;
}

void outputs_start(void)
{
    for (size_t i = 0; i < opened; i++) {
        outputs[i].start();
    }
}

void outputs_abandon(void)
{
    while (opened > 0) {
        outputs[--opened].abandon();
    }
}

void outputs_write(const struct output_end *end)
{
    for (size_t i = 0; i < opened; i++) {
        outputs[i].write(end);
    }
}

void outputs_close(void)
{
    for (size_t i = 0; i < opened; i++) {
        outputs[i].close();
    }
}

struct profile_output *outputs_profile(void)
{
    return profile;
}
