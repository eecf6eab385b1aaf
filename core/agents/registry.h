/*
 * registry.h — the agents growthd knows, by name.
 *
 * Each entry has a summary (what /api/agents and readiness show) and, once a
 * good version has loaded, the compiled script (agent.h). A reload replaces
 * the script of an entry only with a version that passed the checks; a broken
 * version leaves the last good one current and records its `file:line:
 * message` in the summary for readiness. The registry is shared by the HTTP
 * threads, the workers and the reloader, so every read takes a snapshot under
 * a lock: callers get copies they own, or a reference to a script that stays
 * valid until they release it, never a pointer into entries a reload may replace.
 */
#ifndef GROWTH_AGENTS_REGISTRY_H
#define GROWTH_AGENTS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define AGENT_NAME_MAX 64
#define AGENT_TIER_MAX 16
#define AGENT_TITLE_MAX 128
#define AGENT_DESCRIPTION_MAX 256
#define AGENT_NEEDS_MAX 8
#define AGENT_NEED_NAME_MAX 16
#define AGENT_FILE_MAX 256
#define AGENT_VERSION_MAX 65   /* SHA-256 in hex */

struct agent_summary {
  char name[AGENT_NAME_MAX];
  char title[AGENT_TITLE_MAX];
  char tier[AGENT_TIER_MAX];
  char description[AGENT_DESCRIPTION_MAX];
  char needs[AGENT_NEEDS_MAX][AGENT_NEED_NAME_MAX];
  size_t need_count;
  char file[AGENT_FILE_MAX];           /* "agents/journal.lua" */
  char version[AGENT_VERSION_MAX];     /* of the current (good) version; "" when none loaded */
  bool loaded;                         /* a good version is current */
  char error[ERROR_MESSAGE_MAX];       /* the last refused version's "file:line: message", or "" */
  char refused_version[AGENT_VERSION_MAX];   /* the version that error is about */
};

struct agent_registry;
struct agent_script;

struct agent_registry *registry_new(struct growth_error *err);
void registry_free(struct agent_registry *registry);

/* Adds or replaces the summary of the agent summary->name (keeps its script). */
int registry_put(struct agent_registry *registry, const struct agent_summary *summary, struct growth_error *err);

/* Makes script the current version of its agent (the registry takes a reference) and clears the
 * agent's error. */
int registry_install(struct agent_registry *registry, struct agent_script *script, struct growth_error *err);

/* Records that version of name (from file) was refused; the current version stays. */
int registry_refuse(struct agent_registry *registry, const char *name, const char *file, const char *version,
                    const char *message, struct growth_error *err);

/* Forgets the agent (its file is gone). Jobs holding its script keep it. */
void registry_remove(struct agent_registry *registry, const char *name);

/* A reference to the current version of name, or NULL when there is none; release it with
 * agent_script_release. */
struct agent_script *registry_acquire(struct agent_registry *registry, const char *name);

/* The version string of name's current script into out ("" when none); 0 if the agent is known. */
int registry_version(struct agent_registry *registry, const char *name, char out[AGENT_VERSION_MAX]);

/* Copies the agents, sorted by name, into a malloc'd array the caller frees; *count may be 0
 * (then *out is NULL). -1 with err when out of memory. */
int registry_snapshot(struct agent_registry *registry, struct agent_summary **out, size_t *count,
                      struct growth_error *err);

#endif
