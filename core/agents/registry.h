/*
 * registry.h — the agents growthd knows, by name.
 *
 * The registry is shared by the HTTP threads and (later) the script loader, so
 * every read takes a snapshot under a lock: callers get copies they own and
 * never a pointer into entries that a reload may replace.
 */
#ifndef GROWTH_AGENTS_REGISTRY_H
#define GROWTH_AGENTS_REGISTRY_H

#include <stddef.h>

#include "base/error.h"

#define AGENT_NAME_MAX 64
#define AGENT_TIER_MAX 16
#define AGENT_TITLE_MAX 128

struct agent_summary {
  char name[AGENT_NAME_MAX];
  char title[AGENT_TITLE_MAX];
  char tier[AGENT_TIER_MAX];
};

struct agent_registry;

struct agent_registry *registry_new(struct growth_error *err);
void registry_free(struct agent_registry *registry);

/* Adds or replaces the agent with summary->name. */
int registry_put(struct agent_registry *registry, const struct agent_summary *summary, struct growth_error *err);

/* Copies the agents, sorted by name, into a malloc'd array the caller frees; *count may be 0
 * (then *out is NULL). -1 with err when out of memory. */
int registry_snapshot(struct agent_registry *registry, struct agent_summary **out, size_t *count,
                      struct growth_error *err);

#endif
