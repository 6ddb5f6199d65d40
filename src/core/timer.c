/* timer.c: monotonic wall clock in seconds. */
#include <time.h>
#include "spartan/core.h"

double sp_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
