/*
 * test_calendar_time.c — RFC 3339 and date parsing and formatting of the calendar provider.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/calendar/calendar_time.h"

static void test_parse(void **state)
{
  (void)state;
  int64_t epoch = 0;
  int offset = 0;
  assert_int_equal(calendar_time_parse("2024-05-01T09:00:00+02:00", &epoch, &offset), 0);
  assert_int_equal(epoch, 1714546800);
  assert_int_equal(offset, 7200);
  assert_int_equal(calendar_time_parse("2024-05-01T07:00:00.123Z", &epoch, &offset), 0);
  assert_int_equal(epoch, 1714546800);
  assert_int_equal(offset, 0);
  assert_int_equal(calendar_time_parse("2024-05-01T02:30:00-04:30", &epoch, NULL), 0);
  assert_int_equal(epoch, 1714546800);
  assert_int_equal(calendar_time_parse("2024-05-01T09:00:00", &epoch, NULL), -1);
  assert_int_equal(calendar_time_parse("2024-05-01 09:00:00Z", &epoch, NULL), -1);
  assert_int_equal(calendar_time_parse("2024-02-30T09:00:00Z", &epoch, NULL), -1);
  assert_int_equal(calendar_time_parse("2024-05-01T24:00:00Z", &epoch, NULL), -1);
  assert_int_equal(calendar_time_parse("2024-05-01T09:00:00+0200", &epoch, NULL), -1);
  assert_int_equal(calendar_time_parse(NULL, &epoch, NULL), -1);
}

static void test_dates(void **state)
{
  (void)state;
  int64_t epoch = 0;
  assert_int_equal(calendar_time_parse_date("2024-02-29", &epoch), 0);
  assert_int_equal(epoch, 1709164800);
  assert_int_equal(calendar_time_parse_date("2023-02-29", &epoch), -1);
  assert_int_equal(calendar_time_parse_date("2024-5-1", &epoch), -1);
  char text[32];
  calendar_time_format_date(1709164800 + 3600, text, sizeof text);
  assert_string_equal(text, "2024-02-29");
}

static void test_format(void **state)
{
  (void)state;
  char text[40];
  calendar_time_format(1714546800, 7200, text, sizeof text);
  assert_string_equal(text, "2024-05-01T09:00:00+02:00");
  calendar_time_format(1714546800, 0, text, sizeof text);
  assert_string_equal(text, "2024-05-01T07:00:00Z");
  calendar_time_format(1714546800, -16200, text, sizeof text);
  assert_string_equal(text, "2024-05-01T02:30:00-04:30");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_dates),
    cmocka_unit_test(test_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
