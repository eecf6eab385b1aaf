/*
 * test_calendar_zone.c — local time in IANA zones: Berlin's 2026 changes both ways, gap and overlap
 * rules, names refused before any lookup, and many threads converting in several zones at once
 * (the reason the zones do not use TZ) getting the same answers as one thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "providers/calendar/calendar_zone.h"

#define SPRING_2026 1774746000LL   /* 2026-03-29T01:00:00Z: Berlin 02:00 CET -> 03:00 CEST */
#define AUTUMN_2026 1792890000LL   /* 2026-10-25T01:00:00Z: Berlin 03:00 CEST -> 02:00 CET */

static void test_berlin_changes(void **state)
{
  (void)state;
  const struct calendar_zone *berlin = calendar_zone_find("Europe/Berlin");
  assert_non_null(berlin);
  assert_string_equal(calendar_zone_name(berlin), "Europe/Berlin");
  struct calendar_local_time t;
  calendar_zone_to_local(berlin, SPRING_2026 - 1, &t);
  assert_int_equal(t.hour * 10000 + t.min * 100 + t.sec, 15959);
  assert_int_equal(t.offset_s, 3600);
  calendar_zone_to_local(berlin, SPRING_2026, &t);
  assert_int_equal(t.hour, 3);
  assert_int_equal(t.offset_s, 7200);
  assert_int_equal(t.wday, 7);
  calendar_zone_to_local(berlin, AUTUMN_2026 - 1, &t);
  assert_int_equal(t.hour * 10000 + t.min * 100 + t.sec, 25959);
  calendar_zone_to_local(berlin, AUTUMN_2026, &t);
  assert_int_equal(t.hour, 2);
  assert_int_equal(t.offset_s, 3600);

  assert_int_equal(calendar_zone_from_local(berlin, 2026, 3, 29, 2, 30, 0), SPRING_2026 + 1800);   /* gap: 03:30 */
  assert_int_equal(calendar_zone_from_local(berlin, 2026, 3, 29, 3, 0, 0), SPRING_2026);
  assert_int_equal(calendar_zone_from_local(berlin, 2026, 3, 29, 1, 59, 0), SPRING_2026 - 60);
  assert_int_equal(calendar_zone_from_local(berlin, 2026, 10, 25, 2, 30, 0), AUTUMN_2026 - 1800);  /* first */
  assert_int_equal(calendar_zone_from_local(berlin, 2026, 10, 25, 3, 0, 0), AUTUMN_2026 + 3600);
}

static void test_names(void **state)
{
  (void)state;
  static const char *const refused[] = { "", "../etc/passwd", "Europe/../Berlin", "/Europe/Berlin", "Europe//Berlin",
                                         "Europe/Berlin/", "Europe/Berlin\n", "Mars/Base", "europe berlin" };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    assert_null(calendar_zone_find(refused[i]));
  assert_string_equal(calendar_zone_name(calendar_zone_find("UTC")), "UTC");
  assert_non_null(calendar_zone_find("America/Argentina/Buenos_Aires"));
  assert_int_equal(calendar_zone_days_in_month(2028, 2), 29);
  assert_int_equal(calendar_zone_days_in_month(2100, 2), 28);
}

struct worker {
  const char *zone;
  int64_t checksum;
  int mismatches;
};

/* Local wall times of every 6 hours through 2026 and back again: a sum any race would change. */
static void *convert(void *arg)
{
  struct worker *worker = arg;
  const struct calendar_zone *zone = calendar_zone_find(worker->zone);
  worker->checksum = 0;
  worker->mismatches = 0;
  for (int64_t t = 1767225600LL; zone && t < 1798761600LL; t += 6 * 3600) {
    struct calendar_local_time local;
    calendar_zone_to_local(zone, t, &local);
    int64_t back = calendar_zone_from_local(zone, local.year, local.month, local.day, local.hour, local.min, local.sec);
    worker->checksum += local.offset_s + local.hour * 7 + local.day;
    worker->mismatches += back != t;
  }
  return NULL;
}

static void test_threads_agree_with_one_thread(void **state)
{
  (void)state;
  static const char *const zones[] = { "Pacific/Auckland", "America/Santiago", "Asia/Kathmandu", "Europe/Lisbon" };
  struct worker alone[4], together[16];
  for (int i = 0; i < 4; i++) {
    alone[i].zone = zones[i];
    convert(&alone[i]);
  }
  pthread_t threads[16];
  for (int i = 0; i < 16; i++) {
    together[i].zone = zones[i % 4];
    assert_int_equal(pthread_create(&threads[i], NULL, convert, &together[i]), 0);
  }
  for (int i = 0; i < 16; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(together[i].checksum, alone[i % 4].checksum);
    assert_int_equal(together[i].mismatches, 0);   /* none of these instants falls in an overlap */
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_berlin_changes),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_threads_agree_with_one_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
