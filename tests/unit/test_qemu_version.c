/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin API level declared to each QEMU (plugin/qemu_version.c): from
 * the functions it exports and the version text of its binary, in the forms
 * real QEMU binaries carry.
 */
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
                        unknown = {0, 0, 0}, v10_2 = {10, 2, 2};
    struct qemu_exports none = {false, false, false, false};
    struct qemu_exports api2 = {true, false, false, false};
    struct qemu_exports api4 = {true, true, false, false};
    struct qemu_exports api5 = {true, true, true, false};
    struct qemu_exports api6 = {true, true, true, true};

    CHECK_EQ(qemu_api_to_declare(&none, &unknown), 0);
    CHECK_EQ(qemu_api_to_declare(&api2, &unknown), 2);
    CHECK_EQ(qemu_api_to_declare(&api4, &unknown), 4);
    CHECK_EQ(qemu_api_to_declare(&api5, &v10_2), 5);
    /* API 6 and 7 export the same functions: the release decides. */
    CHECK_EQ(qemu_api_to_declare(&api6, &v11_0), 6);
    CHECK_EQ(qemu_api_to_declare(&api6, &v11_1), 7);
    CHECK_EQ(qemu_api_to_declare(&api6, &v11_0_dev), 7);
    CHECK_EQ(qemu_api_to_declare(&api6, &unknown), 7);
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
    newer_than_known();
    return unit_report("test_qemu_version");
}
