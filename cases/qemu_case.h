/* SPDX-License-Identifier: MIT */
/*
 * Inside cases/qemu, one suite in one binary: qemu.c (main(), the Pi
 * router and no-IPv6 groups) and qemu_sdcard.c (the qemu-sdcard group).
 * Not for other suites.
 */
#ifndef CASES_QEMU_CASE_H
#define CASES_QEMU_CASE_H

#include "qemu.h"

/* $QEMU_PROFILE: virt (default) or raspi3b */
enum qemu_profile profile_env(void);
/* runs the qemu-sdcard group; cmocka's result */
int qemu_sdcard_group(void);

#endif
