/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin API level declared to each QEMU (plugin/qemu_version.c): from
 * the functions it exports and the version text of its binary, in the forms
 * real QEMU binaries carry.
 */
#include <stdio.h>
#include <string.h>

#include "qemu/qemu_version.h"
#include "unit.h"

static struct qemu_release find(const char *text, size_t len)
{
    struct qemu_release r = {0, 0, 0};
    CHECK(qemu_release_find(text, len, &r));
    return r;
}

static void version_text(void)
{
    /* Read-only data: strings separated by NULs, other programs' versions
     * before QEMU's own. */
    static const char system_data[] =
        "zlib version 1.3\0libfoo version 2.4.1\0"
        "QEMU emulator version 11.1.3 (Debian 1:11.1.3+ds-1~bpo13+1)\nCopyright";
    struct qemu_release r = find(system_data, sizeof system_data);
    CHECK_EQ(r.major, 11);
    CHECK_EQ(r.minor, 1);
    CHECK_EQ(r.micro, 3);

    static const char user_data[] = "usage: x\0qemu-x86_64 version 10.2.2\nCopyright";
    r = find(user_data, sizeof user_data);
    CHECK_EQ(r.major, 10);
    CHECK_EQ(r.minor, 2);
    CHECK_EQ(r.micro, 2);

    static const char two_parts[] = "QEMU emulator version 9.0";
    r = find(two_parts, sizeof two_parts - 1);
    CHECK_EQ(r.major, 9);
    CHECK_EQ(r.minor, 0);
    CHECK_EQ(r.micro, 0);

    struct qemu_release none;
    static const char others[] = "zlib version 1.3\0not-qemu-x version 1.2.3\0version 4.5";
    CHECK(!qemu_release_find(others, sizeof others, &none));
    static const char cut[] = "QEMU emulator version 11";
    CHECK(!qemu_release_find(cut, sizeof cut - 1, &none));
    CHECK(!qemu_release_find("", 0, &none));
}

static void levels(void)
{
    struct qemu_release v11_1 = {11, 1, 3}, v11_0 = {11, 0, 2}, v11_0_dev = {11, 0, 50},
                        unknown = {0, 0, 0}, v10_2 = {10, 2, 2}, v9_1 = {9, 1, 0};
    /* Bit L: level L's marker exported, as a QEMU of that level does. */
    unsigned none = 0, api2 = 1u << 2, api4 = api2 | 1u << 4, api5 = api4 | 1u << 5,
             api6 = api5 | 1u << 6;
    CHECK_EQ(qemu_api_to_declare(none, &unknown), 0);
    CHECK(qemu_api_needs_release(none)); /* to name the QEMU that is too old */
    /* 9.1 speaks 3 but accepts 2, as 9.0 does: no release needed. */
    CHECK(!qemu_api_needs_release(api2));
    CHECK_EQ(qemu_api_to_declare(api2, &unknown), 2);
    CHECK_EQ(qemu_api_to_declare(api2, &v9_1), 2);
    CHECK(!qemu_api_needs_release(api4));
    CHECK_EQ(qemu_api_to_declare(api4, &unknown), 4);
    CHECK(!qemu_api_needs_release(api5));
    CHECK_EQ(qemu_api_to_declare(api5, &v10_2), 5);
    /* API 6 and 7 export the same functions, and 11.1 refuses 6: the
     * release decides. */
    CHECK(qemu_api_needs_release(api6));
    CHECK_EQ(qemu_api_to_declare(api6, &v11_0), 6);
    CHECK_EQ(qemu_api_to_declare(api6, &v11_1), 7);
    CHECK_EQ(qemu_api_to_declare(api6, &v11_0_dev), 7);
    CHECK_EQ(qemu_api_to_declare(api6, &unknown), 7);
    /* A release the exports contradict is held to the levels they allow. */
    CHECK_EQ(qemu_api_to_declare(api6, &v10_2), 6);
}

/* The table's ends are the constants the messages name. */
static void table_ends(void)
{
    const struct qemu_api_level *oldest = &qemu_api_levels[0];
    const struct qemu_api_level *newest = &qemu_api_levels[qemu_api_level_count - 1];
    char text[16];
    CHECK_EQ(oldest->level, QEMU_API_OLDEST);
    CHECK_EQ(newest->level, QEMU_API_NEWEST);
    snprintf(text, sizeof text, "%d.%d", oldest->major, oldest->minor);
    CHECK(strcmp(text, QEMU_OLDEST_RELEASE) == 0);
    snprintf(text, sizeof text, "%d.%d", newest->major, newest->minor);
    CHECK(strcmp(text, QEMU_NEWEST_RELEASE) == 0);
    for (size_t i = 1; i < qemu_api_level_count; i++) {
        CHECK_EQ(qemu_api_levels[i].level, qemu_api_levels[i - 1].level + 1);
    }
}

/* qemu-api= as qemu-backdoor writes it into QEMU's command line. */
static void level_from_command_line(void)
{
    static const char user[] = "qemu-x86_64\0-plugin\0file=/b/libbackdoor.so,qemu-api=5,"
                               "summary=none\0./prog\0";
    CHECK_EQ(qemu_api_from_command_line(user, sizeof user - 1), 5);
    static const char system[] = "qemu-system-x86_64\0-M\0pc\0--plugin\0"
                                 "/b/libbackdoor.so,,x,qemu-api=7\0";
    CHECK_EQ(qemu_api_from_command_line(system, sizeof system - 1), 7);
    /* Not in a -plugin value, not a level of the table, not a number. */
    static const char program_arg[] = "qemu-x86_64\0-plugin\0/b/libbackdoor.so\0./prog\0"
                                      "x,qemu-api=5\0";
    CHECK_EQ(qemu_api_from_command_line(program_arg, sizeof program_arg - 1), 0);
    static const char unknown[] = "q\0-plugin\0p,qemu-api=1\0";
    CHECK_EQ(qemu_api_from_command_line(unknown, sizeof unknown - 1), 0);
    static const char junk[] = "q\0-plugin\0p,qemu-api=5x\0";
    CHECK_EQ(qemu_api_from_command_line(junk, sizeof junk - 1), 0);
    /* The last word without its NUL is still read within its length. */
    static const char cut[] = "q\0-plugin\0p,qemu-api=6";
    CHECK_EQ(qemu_api_from_command_line(cut, sizeof cut - 1), 6);
}

static void newer_than_known(void)
{
    struct qemu_release v11_1 = {11, 1, 3}, v11_1_dev = {11, 1, 50}, v11_2 = {11, 2, 0},
                        v12 = {12, 0, 0}, v10 = {10, 0, 2};
    CHECK(!qemu_release_is_newer_than_known(&v11_1));
    CHECK(!qemu_release_is_newer_than_known(&v10));
    CHECK(qemu_release_is_newer_than_known(&v11_1_dev));
    CHECK(qemu_release_is_newer_than_known(&v11_2));
    CHECK(qemu_release_is_newer_than_known(&v12));
}

int main(void)
{
    version_text();
    levels();
    table_ends();
    level_from_command_line();
    newer_than_known();
    return unit_report("test_qemu_version");
}
