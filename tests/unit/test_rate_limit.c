/*
 * test_rate_limit.c — the in-process GCRA twin of the shared limiter: burst size,
 * all-or-none across several limits, disabled limits, and the error a refused call gets.
 * (The Redis script is tested across processes in tests/google/test_rate_limit.py.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "net/rate_limit.h"

static void test_burst_then_refusal(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct rate_limiter *limiter = rate_limiter_new(NULL, NULL, 0, &err);
  assert_non_null(limiter);
  struct rate_limit limit = { "sheets", 3, 3600000 };
  for (int i = 0; i < 3; i++)
    assert_int_equal(rate_limiter_acquire(limiter, &limit, 1, &err), 0);
  assert_int_equal(rate_limiter_acquire(limiter, &limit, 1, &err), -1);
  assert_int_equal(err.code, ERR_RATE_LIMITED);
  assert_true(err.retryable);
  assert_non_null(strstr(err.message, "sheets: the client-side limit of 3 calls per 3600000 ms is reached"));
  rate_limiter_free(limiter);
}

static void test_all_or_none(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct rate_limiter *limiter = rate_limiter_new(NULL, NULL, 0, &err);
  struct rate_limit both[] = { { "writes", 2, 3600000 }, { "all", 5, 3600000 } };
  assert_int_equal(rate_limiter_acquire(limiter, both, 2, &err), 0);
  assert_int_equal(rate_limiter_acquire(limiter, both, 2, &err), 0);
  assert_int_equal(rate_limiter_acquire(limiter, both, 2, &err), -1);
  assert_non_null(strstr(err.message, "writes:"));
  /* The refused call took nothing from "all": three slots remain there. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(rate_limiter_acquire(limiter, &both[1], 1, &err), 0);
  assert_int_equal(rate_limiter_acquire(limiter, &both[1], 1, &err), -1);
  rate_limiter_free(limiter);
}

static void test_disabled_limit_and_no_limiter(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct rate_limiter *limiter = rate_limiter_new(NULL, NULL, 0, &err);
  struct rate_limit off = { "off", 0, 1000 };
  for (int i = 0; i < 100; i++)
    assert_int_equal(rate_limiter_acquire(limiter, &off, 1, &err), 0);
  struct rate_limit on = { "on", 1, 3600000 };
  assert_int_equal(rate_limiter_acquire(NULL, &on, 1, &err), 0);
  struct rate_limit bad = { "bad", 1, 0 };
  assert_int_equal(rate_limiter_acquire(limiter, &bad, 1, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  rate_limiter_free(limiter);
}

static void test_waits_within_the_bound(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct rate_limiter *limiter = rate_limiter_new(NULL, NULL, 2000, &err);
  struct rate_limit fast = { "fast", 20, 1000 };   /* one slot per 50 ms after the burst */
  for (int i = 0; i < 25; i++)
    assert_int_equal(rate_limiter_acquire(limiter, &fast, 1, &err), 0);
  rate_limiter_free(limiter);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_burst_then_refusal),
    cmocka_unit_test(test_all_or_none),
    cmocka_unit_test(test_disabled_limit_and_no_limiter),
    cmocka_unit_test(test_waits_within_the_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
