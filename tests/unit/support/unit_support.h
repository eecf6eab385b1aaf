/*
 * unit_support.h — what several unit tests share: a throwaway folder per test as a cmocka fixture, and a
 * config lookup over NULL-terminated name/value pairs (for config_load).
 */
#ifndef GROWTH_UNIT_SUPPORT_H
#define GROWTH_UNIT_SUPPORT_H

/* cmocka setup/teardown: *state is the path of a new empty folder under /tmp; teardown removes it and all
 * it holds. */
int unit_temp_dir_setup(void **state);
int unit_temp_dir_teardown(void **state);

/* A config_load lookup: context is { "NAME", "value", ..., NULL }. */
const char *unit_lookup_pairs(const char *name, void *context);

#endif
