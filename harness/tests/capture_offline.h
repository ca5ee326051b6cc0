/* SPDX-License-Identifier: MIT */
/*
 * harness/tests/test_capture's offline capture tests (capture_offline.c),
 * for its main().
 */
#ifndef MCLAB_TESTS_CAPTURE_OFFLINE_H
#define MCLAB_TESTS_CAPTURE_OFFLINE_H

void test_offline_queries(void **state);
/* The group's teardown: removes the test's folder. */
int cleanup(void **state);

#endif
