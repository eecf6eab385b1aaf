/*
 * reload.h — brings the registry in line with scripts/agents/<name>.lua.
 *
 * One pass reads every agent file's version (a hash, no compile); an agent
 * whose version is already current, or already refused, is left alone; any
 * other is compiled and checked (loader.h): a good version is installed, a
 * broken one is refused with its "file:line: message" logged and recorded for
 * readiness while the last good version stays current. Agents whose file is
 * gone are removed. Passes are serialised by a lock, so the watcher, SIGHUP
 * and POST /api/orchestrator/reload may all ask at once.
 */
#ifndef GROWTH_AGENTS_RELOAD_H
#define GROWTH_AGENTS_RELOAD_H

#include <jansson.h>
#include <stddef.h>

#include "agents/loader.h"
#include "agents/registry.h"

struct reload_report {
  size_t loaded;      /* new good versions installed */
  size_t unchanged;
  size_t refused;     /* broken versions (the last good one, if any, stays) */
  size_t removed;
};

/* One pass over <options->scripts_dir>/agents. problems (may be NULL) gets the refusals'
 * messages. -1 with err only when the folder cannot be read or memory runs out. */
int reload_scripts(struct agent_registry *registry, const struct loader_options *options,
                   struct reload_report *report, json_t *problems, struct growth_error *err);

/* A pass with its outcome logged, for SIGHUP and start-up; the same as reload_scripts otherwise. */
int reload_and_log(struct agent_registry *registry, const struct loader_options *options, const char *reason,
                   struct growth_error *err);

#endif
