/*
 * kill_switch_internal.h — the kill switch's shared state, for kill_switch.c (state and cache) and
 * kill_switch_report.c (launch filter, JSON, metrics). Not part of the API.
 */
#ifndef GROWTH_AGENTS_KILL_SWITCH_INTERNAL_H
#define GROWTH_AGENTS_KILL_SWITCH_INTERNAL_H

#include <pthread.h>

#include "agents/kill_switch.h"
#include "base/metrics.h"

struct kill_switch {
  struct redis_pool *pool;
  char key[400];                       /* <prefix>:<queue>:kill-switch */
  pthread_mutex_t lock;                /* guards the fields below */
  struct kill_switch_state *states;    /* the cached hash, sorted by agent */
  size_t count;
  int64_t read_ms;                     /* monotonic start of the read that filled the cache */
  int loaded;                          /* 0: the next read goes to Redis */
  int64_t failed_ms;                   /* monotonic time of the last failed read, 0 when none since */
  struct growth_error failure;         /* its error, answered again until KILL_SWITCH_REFRESH_MS has passed */
  /* metrics (kill_switch_report.c) */
  struct metric *gauge;
  struct agent_registry *registry;
  char (*shown)[KILL_SWITCH_NAME_MAX]; /* names the gauge was last set to 1 for */
  size_t shown_count;
};

/* Refreshes the cache when it is older than KILL_SWITCH_REFRESH_MS, or always with force. */
int kill_switch_refresh(struct kill_switch *kill_switch, int force, struct growth_error *err);

#endif
