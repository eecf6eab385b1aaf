/*
 * rate_limit.h — client-side rate limits shared by every growthd process.
 *
 * A limit is "count calls per period" under a name ("sheets", "sheets_writes",
 * "calendar", ...). The state of each limit is one Redis key holding the GCRA
 * "theoretical arrival time", updated by one Lua script that checks every limit
 * of a call and takes a slot of all of them or of none, with Redis's own clock,
 * so any number of worker processes on any number of hosts share the budget.
 * GCRA lets a burst of `count` calls through at once and then spaces calls at
 * period/count, so the budget is never exceeded over any period.
 *
 * When no slot is free the caller sleeps until one frees, up to the limiter's
 * wait bound (GROWTH_RATE_WAIT_MAX_MS); beyond it the call fails with
 * rate_limited, retryable. Without a Redis pool (growthd run) the same
 * arithmetic runs in-process.
 */
#ifndef GROWTH_NET_RATE_LIMIT_H
#define GROWTH_NET_RATE_LIMIT_H

#include <stddef.h>

#include "base/error.h"
#include "redis/redis_pool.h"

struct rate_limit {
  const char *name;    /* printable, no blanks; the Redis key is <prefix><name> */
  long count;          /* calls per period; 0 or less: no limit */
  long period_ms;
};

struct rate_limiter;

/* pool may be NULL (in-process state). prefix NULL: "growth:rate:". Free with rate_limiter_free. */
struct rate_limiter *rate_limiter_new(struct redis_pool *pool, const char *prefix, long wait_max_ms,
                                      struct growth_error *err);
void rate_limiter_free(struct rate_limiter *limiter);

/* Takes one slot of every limit (all or none), waiting up to the bound. 0, or -1 with err
 * (rate_limited when the wait would pass the bound; unavailable when Redis cannot answer). */
int rate_limiter_acquire(struct rate_limiter *limiter, const struct rate_limit *limits, size_t count,
                         struct growth_error *err);

#endif
