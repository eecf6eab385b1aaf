/*
 * config_reload.h — applying an edited --env-file to a running process (growthd serve on SIGHUP), the
 * seed's "update the variables" without the restart.
 *
 * A configuration, once in use, is never changed: a reload loads every setting again (the real
 * environment still wins over the file, as at start), and when the values are good builds a new snapshot:
 * a copy of the current one with only the settings that can change at run time replaced. The caller
 * publishes it with one atomic pointer store, so a request sees the old configuration or the new one,
 * never a mix. Old snapshots stay allocated until the history is freed (a few hundred bytes per reload
 * that changed something), so a request still holding one never reads freed memory.
 *
 * Settings applied at run time (config_reloadable): ENABLE_GROWTH_AGENTS, ENABLE_GROWTH_DASHBOARD,
 * GROWTH_DASHBOARD_DIR, GROWTH_PROFILE, GROWTH_LOG_LEVEL. Any other setting that changed is logged as
 * needing a restart and keeps its value. A bad value of any setting refuses the whole reload: it is logged
 * with the variable, and the old configuration stays.
 */
#ifndef GROWTH_BASE_CONFIG_RELOAD_H
#define GROWTH_BASE_CONFIG_RELOAD_H

#include "base/config.h"
#include "base/error.h"

struct config_history;

struct config_history *config_history_new(struct growth_error *err);
/* Frees every snapshot the history made; none may be in use any more. */
void config_history_free(struct config_history *history);

/* 1 when the setting named is applied by a reload. */
int config_reloadable(const char *name);

/* Reads current->env_file again (only the real environment when there is none) and logs, under reason
 * ("SIGHUP"), each change. Returns 1 with *next_out a new snapshot (owned by the history) when a
 * run-time setting changed, 0 with *next_out = current when none did, -1 with err (the variable and what
 * was expected, or the file that cannot be read) when the reload is refused. */
int config_reload(struct config_history *history, const struct config *current, const char *reason,
                  const struct config **next_out, struct growth_error *err);

#endif
