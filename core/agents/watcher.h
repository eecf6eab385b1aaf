/*
 * watcher.h — hot reload: a thread that watches the scripts folder with
 * inotify and runs a reload pass (reload.h) after each burst of changes.
 *
 * It watches <scripts_dir>, its agents/ and lib/ folders and the folders
 * under lib/. Editors save in bursts (write a temporary file, rename it over
 * the old one, touch it), so the pass starts once the folder has been quiet
 * for WATCHER_QUIET_MS: a good version is current well within a second of the
 * save. A folder created later (agents/ after start) is picked up too.
 */
#ifndef GROWTH_AGENTS_WATCHER_H
#define GROWTH_AGENTS_WATCHER_H

#include "agents/loader.h"
#include "agents/registry.h"
#include "base/error.h"

#define WATCHER_QUIET_MS 100

struct watcher;

/* Starts watching; options->scripts_dir is copied. */
struct watcher *watcher_start(struct agent_registry *registry, const struct loader_options *options,
                              struct growth_error *err);

/* Stops the thread and frees; NULL is allowed. */
void watcher_stop(struct watcher *watcher);

#endif
