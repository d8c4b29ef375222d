/* SPDX-License-Identifier: MIT */
/* A shared library that is no handler at all. */
int not_a_handler(int x);
int not_a_handler(int x)
{
    return x + 1;
}
