/*
 * test_kill_switch.c — what the kill switch refuses before it talks to Redis (bad names, a missing or
 * oversized reason), how it answers when Redis is unreachable, and the texts every answer uses for a
 * disabled agent: the JSON state and the reason of a refused launch. The pool points at a port where
 * nothing listens, so a check that let a call through fails with "unavailable" instead. The behaviour
 * against a real Redis is in tests/integration/test_rollback.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "agents/kill_switch.h"
#include "redis/redis_pool.h"
#include "support/unit_support.h"

struct fixture {
  struct redis_pool *pool;
  struct kill_switch *kill_switch;
};

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);
  struct growth_error err = { 0 };
  if (!f || !(f->pool = unit_unreachable_pool()))
    return -1;
  f->kill_switch = kill_switch_new(f->pool, NULL, "checks", &err);
  *state = f;
  return f->kill_switch ? 0 : -1;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  kill_switch_free(f->kill_switch);
  redis_pool_free(f->pool);
  free(f);
  return 0;
}

static void test_refuses_bad_changes(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  assert_int_equal(kill_switch_disable(f->kill_switch, "nic he", "ops", "why", NULL, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_non_null(strstr(err.message, "not valid"));
  error_clear(&err);
  assert_int_equal(kill_switch_disable(f->kill_switch, "niche", "ops", "", NULL, &err), -1);
  assert_non_null(strstr(err.message, "reason is empty"));
  error_clear(&err);
  char reason[KILL_SWITCH_REASON_MAX + 10];
  memset(reason, 'x', sizeof reason - 1);
  reason[sizeof reason - 1] = '\0';
  assert_int_equal(kill_switch_disable(f->kill_switch, "niche", "ops", reason, NULL, &err), -1);
  assert_non_null(strstr(err.message, "expected fewer than"));
  error_clear(&err);
  assert_int_equal(kill_switch_enable(f->kill_switch, "../x", "ops", NULL, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
}

static void test_redis_unreachable(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  assert_int_equal(kill_switch_disable(f->kill_switch, "niche", "ops", "why", NULL, &err), -1);
  assert_int_equal(err.code, ERR_UNAVAILABLE);
  error_clear(&err);
  /* never read: a check cannot say, and says why */
  assert_int_equal(kill_switch_check(f->kill_switch, "niche", NULL, &err), -1);
  assert_int_equal(err.code, ERR_UNAVAILABLE);
  error_clear(&err);
  assert_int_equal(kill_switch_check_fresh(f->kill_switch, "niche", NULL, &err), -1);
  error_clear(&err);
  struct kill_switch_filter filter;
  const char *names[] = { "niche" };
  assert_int_equal(kill_switch_filter(f->kill_switch, names, 1, &filter, &err), -1);
  assert_non_null(strstr(err.message, "cannot tell which agents are disabled"));
  assert_null(filter.launch);
}

static void test_filter_refuses_long_names(void **state)
{
  struct fixture *f = *state;
  char name[KILL_SWITCH_NAME_MAX + 1];
  memset(name, 'a', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  const char *names[] = { "journal", name };
  struct kill_switch_filter filter;
  struct growth_error err = { 0 };
  assert_int_equal(kill_switch_filter(f->kill_switch, names, 2, &filter, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_non_null(strstr(err.message, "too long"));
  char message[64];
  kill_switch_filter_message(&filter, message, sizeof message);
  assert_string_equal(message, "");
  kill_switch_filter_free(&filter);
}

static void test_texts_of_a_disabled_agent(void **state)
{
  (void)state;
  struct kill_switch_state states[2] = {
    { .agent = "niche", .by = "ops", .reason = "Sheets quota", .at_ms = 1795772400123 },
    { .agent = "purpose", .by = "", .reason = "SMS costs", .at_ms = 0 },
  };
  json_t *json = kill_switch_state_json(&states[0]);
  assert_string_equal(json_string_value(json_object_get(json, "agent")), "niche");
  assert_true(json_is_true(json_object_get(json, "disabled")));
  assert_string_equal(json_string_value(json_object_get(json, "disabledBy")), "ops");
  assert_string_equal(json_string_value(json_object_get(json, "disabledAt")), "2026-11-27T09:40:00.123Z");
  assert_int_equal(json_integer_value(json_object_get(json, "disabledAtMs")), 1795772400123);
  assert_string_equal(json_string_value(json_object_get(json, "reason")), "Sheets quota");
  json_decref(json);
  json = kill_switch_state_json(&states[1]);
  assert_true(json_is_null(json_object_get(json, "disabledBy")) || !json_object_get(json, "disabledBy"));
  json_decref(json);

  struct kill_switch_filter filter = { .skipped = states, .skipped_count = 2 };
  char message[512];
  kill_switch_filter_message(&filter, message, sizeof message);
  assert_string_equal(message, "niche is disabled by ops at 2026-11-27T09:40:00.123Z: Sheets quota; "
                               "purpose is disabled by (unknown) at 1970-01-01T00:00:00.000Z: SMS costs");
  json_t *skipped = kill_switch_skipped_json(&filter);
  assert_int_equal(json_array_size(skipped), 2);
  json_decref(skipped);
  /* a short buffer cuts the text, never overruns */
  char small[16];
  kill_switch_filter_message(&filter, small, sizeof small);
  assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_refuses_bad_changes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_redis_unreachable, setup, teardown),
    cmocka_unit_test_setup_teardown(test_filter_refuses_long_names, setup, teardown),
    cmocka_unit_test(test_texts_of_a_disabled_agent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
