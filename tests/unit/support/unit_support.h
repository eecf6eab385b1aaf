/*
 * unit_support.h — what several unit tests share: a throwaway folder per test as a cmocka fixture, a
 * config lookup over NULL-terminated name/value pairs (for config_load), and a Redis pool that never
 * connects.
 */
#ifndef GROWTH_UNIT_SUPPORT_H
#define GROWTH_UNIT_SUPPORT_H

/* cmocka setup/teardown: *state is the path of a new empty folder under /tmp; teardown removes it and all
 * it holds. */
int unit_temp_dir_setup(void **state);
int unit_temp_dir_teardown(void **state);

/* A config_load lookup: context is { "NAME", "value", ..., NULL }. */
const char *unit_lookup_pairs(const char *name, void *context);

/* A pool whose Redis is never there (127.0.0.1:1, 200 ms timeouts), for checks that must refuse before any
 * Redis call; NULL when out of memory. */
struct redis_pool *unit_unreachable_pool(void);

#endif
