/* test_util.h: shared helpers for the cmocka test programs: where the test
 * data is, and a comparison macro that prints measured error and tolerance. */
#ifndef SPARTAN_TEST_UTIL_H
#define SPARTAN_TEST_UTIL_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* Path of a file in tests/data (static buffer, valid until the next call). */
static inline const char *test_data_path(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("SPARTAN_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

/* Assert |measured| <= tol, printing both on failure. */
#define assert_small(measured, tol)                                                        \
    do {                                                                                   \
        double m_ = (measured), t_ = (tol);                                                \
        if (!(fabs(m_) <= t_)) {                                                           \
            print_error("%s = %.3e exceeds tolerance %.3e\n", #measured, m_, t_);          \
            fail();                                                                        \
        }                                                                                  \
    } while (0)

#endif
