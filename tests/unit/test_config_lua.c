/*
 * test_config_lua.c — the Lua runtime's settings: GROWTH_LUA_MEMORY_MB,
 * GROWTH_LUA_INSTRUCTION_LIMIT and GROWTH_HOT_RELOAD (on by default, off in production).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/config.h"

/* name=value pairs, NULL-terminated */
static const char *lookup(const char *name, void *context)
{
  const char *const *pairs = context;
  for (size_t i = 0; pairs[i]; i += 2)
    if (strcmp(pairs[i], name) == 0)
      return pairs[i + 1];
  return NULL;
}

static int load(const char *const *pairs, struct config *config, struct growth_error *err)
{
  return config_load(config, lookup, (void *)pairs, err);
}

static void test_defaults(void **state)
{
  (void)state;
  const char *pairs[] = { NULL };
  struct config config;
  struct growth_error err = { 0 };
  assert_int_equal(load(pairs, &config, &err), 0);
  assert_int_equal(config.lua_memory_mb, 64);
  assert_int_equal(config.lua_instruction_limit, 2000000000L);
  assert_true(config.hot_reload);
  config_free(&config);
}

static void test_hot_reload_follows_environment_unless_set(void **state)
{
  (void)state;
  struct config config;
  struct growth_error err = { 0 };
  const char *production[] = { "NODE_ENV", "production", NULL };
  assert_int_equal(load(production, &config, &err), 0);
  assert_false(config.hot_reload);
  config_free(&config);
  const char *forced[] = { "NODE_ENV", "production", "GROWTH_HOT_RELOAD", "true", NULL };
  assert_int_equal(load(forced, &config, &err), 0);
  assert_true(config.hot_reload);
  config_free(&config);
  const char *off[] = { "GROWTH_HOT_RELOAD", "no", NULL };
  assert_int_equal(load(off, &config, &err), 0);
  assert_false(config.hot_reload);
  config_free(&config);
}

static void test_bad_values_refused(void **state)
{
  (void)state;
  struct config config;
  struct growth_error err = { 0 };
  const char *bad_bool[] = { "GROWTH_HOT_RELOAD", "sometimes", NULL };
  assert_int_equal(load(bad_bool, &config, &err), -1);
  assert_string_equal(err.message, "GROWTH_HOT_RELOAD: the value is not a boolean; expected true, false, 1, 0, yes or no");
  const char *bad_memory[] = { "GROWTH_LUA_MEMORY_MB", "0", NULL };
  assert_int_equal(load(bad_memory, &config, &err), -1);
  assert_non_null(strstr(err.message, "GROWTH_LUA_MEMORY_MB"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_hot_reload_follows_environment_unless_set),
    cmocka_unit_test(test_bad_values_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
