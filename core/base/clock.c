/*
 * clock.c — thin wrappers over clock_gettime (see clock.h).
 */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

static int64_t to_ms(const struct timespec *ts)
{
  return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int64_t clock_monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return to_ms(&ts);
}

double clock_monotonic_ms_precise(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int64_t clock_wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return to_ms(&ts);
}

void clock_format_iso(int64_t wall_ms, char *out, size_t size)
{
  time_t seconds = (time_t)(wall_ms / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}
