/*
 * unit_support.h — what several unit tests share: a throwaway folder per test as a cmocka fixture, a
 * config lookup over NULL-terminated name/value pairs (for config_load), a Redis pool that never
 * connects, and a scripts folder to load agents from.
 */
#ifndef GROWTH_UNIT_SUPPORT_H
#define GROWTH_UNIT_SUPPORT_H

#include <stddef.h>

struct agent_script;

/* cmocka setup/teardown: *state is the path of a new empty folder under /tmp; teardown removes it and all
 * it holds. */
int unit_temp_dir_setup(void **state);
int unit_temp_dir_teardown(void **state);

/* A throwaway scripts folder with its agents/ subfolder: its path goes in dir (size bytes). unit_dir_remove
 * removes any folder and all it holds. Both return 0 or -1. */
int unit_scripts_dir_make(char *dir, size_t size);
int unit_dir_remove(const char *dir);

/* Writes text as <scripts_dir>/agents/<name>.lua and loads it; fails the test when it does not load. */
struct agent_script *unit_load_agent(const char *scripts_dir, const char *name, const char *text);

/* A config_load lookup: context is { "NAME", "value", ..., NULL }. */
const char *unit_lookup_pairs(const char *name, void *context);

/* A pool whose Redis is never there (127.0.0.1:1, 200 ms timeouts), for checks that must refuse before any
 * Redis call; NULL when out of memory. */
struct redis_pool *unit_unreachable_pool(void);

#endif
