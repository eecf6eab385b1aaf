/*
 * kill_switch.h — the per-agent kill switch: the seed's "partial rollback" (keep the flags on, stop one
 * problem agent) as state in Redis that every API and worker process on every host reads.
 *
 * An agent is disabled by a field of the hash <prefix>:<queue>:kill-switch (BullMQ ignores keys it does
 * not know): the field is the agent's name, the value {"by":..., "at":<ms>, "reason":...}. The state lives
 * in Redis, so it survives restarts. What only shows the state (/api/agents, /metrics) reads it through a
 * cache refreshed at most every KILL_SWITCH_REFRESH_MS (one HGETALL per process per refresh, whatever the
 * load); what acts on it reads it fresh: a worker before each job, a launch before it enqueues. So a change
 * shows everywhere within KILL_SWITCH_REFRESH_MS and is obeyed by every job taken after it was made.
 *
 * While an agent is disabled, launches skip it (kill_switch_filter), and workers hand its queued jobs back
 * without using an attempt (job_runner.c returns QUEUE_HANDLER_DEFER); a job of it already running
 * finishes. Every change is logged with the seed's prefix: "[Orchestrator] Agent niche disabled by ...".
 */
#ifndef GROWTH_AGENTS_KILL_SWITCH_H
#define GROWTH_AGENTS_KILL_SWITCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "agents/registry.h"
#include "base/error.h"
#include "queue/queue.h"
#include "redis/redis_pool.h"

#define KILL_SWITCH_REFRESH_MS 500
#define KILL_SWITCH_NAME_MAX 65
#define KILL_SWITCH_BY_MAX 80
#define KILL_SWITCH_REASON_MAX 512

struct kill_switch;

/* Why an agent is disabled. */
struct kill_switch_state {
  char agent[KILL_SWITCH_NAME_MAX];
  char by[KILL_SWITCH_BY_MAX];           /* the API key's principal, "cli:<user>", or "" when unknown */
  char reason[KILL_SWITCH_REASON_MAX];
  int64_t at_ms;                         /* wall time of the change */
};

/* The pool is borrowed; queue_prefix NULL means "bull". NULL with err. */
struct kill_switch *kill_switch_new(struct redis_pool *pool, const char *queue_prefix, const char *queue_name,
                                    struct growth_error *err);
void kill_switch_free(struct kill_switch *kill_switch);

/* 1 when agent is disabled (state filled when not NULL), 0 when it is not, -1 with err when Redis cannot be
 * read and nothing was ever read (after one good read, a failed refresh answers from the last one). */
int kill_switch_check(struct kill_switch *kill_switch, const char *agent, struct kill_switch_state *state,
                      struct growth_error *err);

/* As kill_switch_check, but always read from Redis (one HGETALL): what a worker asks before it runs a job,
 * so a job taken after `growthd agents disable` returned is held, on every host, without a wait. */
int kill_switch_check_fresh(struct kill_switch *kill_switch, const char *agent, struct kill_switch_state *state,
                            struct growth_error *err);

/* Every disabled agent, sorted by name, read fresh from Redis. *states_out is malloc'd (NULL when none). */
int kill_switch_list(struct kill_switch *kill_switch, struct kill_switch_state **states_out, size_t *count_out,
                     struct growth_error *err);

/* Disables agent (a valid agent name: letters, digits, '-', '_'); a second disable replaces by/reason/at.
 * reason must not be empty. The new state goes to *state_out when not NULL. Logged. */
int kill_switch_disable(struct kill_switch *kill_switch, const char *agent, const char *by, const char *reason,
                        struct kill_switch_state *state_out, struct growth_error *err);

/* Enables agent: 1 when it was disabled (its old state in *was when not NULL), 0 when it was not. Logged. */
int kill_switch_enable(struct kill_switch *kill_switch, const char *agent, const char *by,
                       struct kill_switch_state *was, struct growth_error *err);

/* A launch's split of names into those to launch and those skipped because they are disabled (fresh read).
 * launch[] holds copies of the names to launch; skipped[] each skipped agent's state. Free with
 * kill_switch_filter_free. Each skip is logged: "[Orchestrator] Skipping niche: disabled by ...". A name
 * longer than KILL_SWITCH_NAME_MAX - 1 is ERR_BAD_ARGUMENT. */
struct kill_switch_filter {
  const char **launch;                  /* pointers into names */
  char (*names)[KILL_SWITCH_NAME_MAX];
  size_t launch_count;
  struct kill_switch_state *skipped;
  size_t skipped_count;
};
int kill_switch_filter(struct kill_switch *kill_switch, const char *const *names, size_t count,
                       struct kill_switch_filter *out, struct growth_error *err);
void kill_switch_filter_free(struct kill_switch_filter *filter);

/* A launch that honours the kill switch, for `growthd launch` and POST /api/orchestrator/launch: the
 * names (every scripts_dir/agents script when count is 0) are filtered (*filter_out, freed by the caller
 * with kill_switch_filter_free, also on error) and the rest launched with launcher_launch. When every
 * agent asked for is disabled nothing is added and the answer is ERR_CONFLICT with
 * kill_switch_filter_message's text (HTTP 409). Otherwise as launcher_launch. */
int kill_switch_launch(struct kill_switch *kill_switch, struct queue *queue, const char *scripts_dir,
                       const char *const *names, size_t count, json_t *profile, char ***ids_out,
                       size_t *ids_count, struct kill_switch_filter *filter_out, struct growth_error *err);

/* "niche is disabled by ops at 2026-...Z: <reason>; ..." for every skipped agent: the text of the 409 of a
 * launch that launches nothing, and of `growthd launch`'s refusal. */
void kill_switch_filter_message(const struct kill_switch_filter *filter, char *out, size_t size);

/* {"agent":..., "disabled":true, "disabledBy":..., "disabledAt":"<ISO>", "disabledAtMs":N, "reason":...}:
 * how every answer shows a disabled agent. New reference, NULL when out of memory. */
json_t *kill_switch_state_json(const struct kill_switch_state *state);

/* [state_json, ...] of the skipped agents. New reference. */
json_t *kill_switch_skipped_json(const struct kill_switch_filter *filter);

/* Registers the gauge growth_agent_disabled{agent} (1 disabled, 0 not) with a collector that sets it, before
 * every /metrics render, for every agent of the registry and every disabled name. Remove it before freeing. */
int kill_switch_add_metrics(struct kill_switch *kill_switch, struct agent_registry *registry,
                            struct growth_error *err);
void kill_switch_remove_metrics(struct kill_switch *kill_switch);

#endif
