/*
 * test_queue_cron.c — next times of cron patterns (core/queue/queue_cron.c), with expected values worked
 * out independently (Python's zoneinfo) for UTC and Europe/Berlin in winter and summer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "queue/queue_cron.h"

static int64_t next_after(const char *pattern, const char *tz, int64_t after)
{
  struct growth_error err = { 0 };
  int64_t next = 0;
  assert_int_equal(queue_cron_next(pattern, tz, after, &next, &err), 0);
  return next;
}

static void test_utc_patterns(void **state)
{
  (void)state;
  assert_int_equal(next_after("*/15 * * * *", NULL, 1767226050000LL), 1767226500000LL);     /* 00:07:30 -> 00:15 */
  assert_int_equal(next_after("0 0 1 * *", "", 1769860800000LL), 1769904000000LL);          /* Jan 31 -> Feb 1 */
  assert_int_equal(next_after("30 8 * * MON-FRI", NULL, 1767441600000LL), 1767601800000LL); /* Sat -> Mon 08:30 */
  assert_int_equal(next_after("*/10 * * * * *", NULL, 1767225605500LL), 1767225610000LL);   /* six fields */
  assert_int_equal(next_after("0 0 * * 7", NULL, 1767441600000LL), 1767484800000LL);        /* 7 is Sunday */
  assert_int_equal(next_after("0 0 13 * FRI", NULL, 1767225600000LL), 1767312000000LL);     /* day OR weekday */
  assert_int_equal(next_after("0 0 * * *", NULL, 1767225600000LL), 1767312000000LL);        /* strictly after */
}

static void test_time_zone(void **state)
{
  (void)state;
  assert_int_equal(next_after("0 9 * * *", "Europe/Berlin", 1767225600000LL), 1767254400000LL);  /* CET: 08:00Z */
  assert_int_equal(next_after("0 9 * * *", "Europe/Berlin", 1782864000000LL), 1782889200000LL);  /* CEST: 07:00Z */
}

static void test_refused(void **state)
{
  (void)state;
  const char *patterns[] = { "0 0 L * *", "0 0 * * 1#2", "61 * * * *", "* * * *", "* * * * * * *", "0 0 15W * *" };
  for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
    struct growth_error err = { 0 };
    int64_t next = 0;
    assert_int_equal(queue_cron_next(patterns[i], NULL, 0, &next, &err), -1);
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  }
  struct growth_error err = { 0 };
  int64_t next = 0;
  assert_int_equal(queue_cron_next("0 9 * * *", "Mars/Olympus", 0, &next, &err), -1);
  assert_non_null(strstr(err.message, "time zone"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_utc_patterns),
    cmocka_unit_test(test_time_zone),
    cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
