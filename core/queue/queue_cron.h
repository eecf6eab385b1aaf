/*
 * queue_cron.h — the next time a cron pattern matches, for job schedulers with a `pattern` (BullMQ computes
 * these with cron-parser; growthd's worker must compute the same to keep a schedule going).
 *
 * Supported: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); `*`, `?`, numbers,
 * names (JAN..DEC, SUN..SAT), ranges `a-b`, steps `*\/n` `a-b/n` `a/n`, lists `a,b`; day-of-week 0 or 7 is
 * Sunday; when both day fields are restricted a day matching either counts (as in cron). `L`, `W` and `#`
 * are refused (ERR_BAD_ARGUMENT): such schedules are left to BullMQ workers. Times are in the IANA time
 * zone tz (NULL or "" = UTC).
 */
#ifndef GROWTH_QUEUE_CRON_H
#define GROWTH_QUEUE_CRON_H

#include <stdint.h>

#include "base/error.h"

/* The first time strictly after after_ms (ms since the epoch) that matches, in *next_ms (whole seconds). */
int queue_cron_next(const char *pattern, const char *tz, int64_t after_ms, int64_t *next_ms, struct growth_error *err);

#endif
