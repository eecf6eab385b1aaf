/*
 * test_demo_calendar.c — the demo calendar (scripts/profiles/demo-calendar.ics) read by libical,
 * as the local calendar backend reads it: RFC 5545 line rules, the events of the demo week with
 * their recurrences expanded (the weekly planning's EXDATE removes the next week's meeting), the
 * New York meeting placed by its own time zone, the declined and out-of-office events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_CALENDAR GROWTH_SOURCE_DIR "/scripts/profiles/demo-calendar.ics"
#define USER_ADDRESS "mailto:alex.morgan@example.com"

static char *read_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  char *text = malloc((size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
  text[size] = '\0';
  fclose(f);
  return text;
}

static time_t utc(int year, int month, int day, int hour, int min)
{
  struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour, .tm_min = min };
  return timegm(&tm);
}

struct occurrences {
  int count;
  time_t first_start, first_end;
};

static void count_occurrence(icalcomponent *comp, struct icaltime_span *span, void *data)
{
  (void)comp;
  struct occurrences *occ = data;
  if (occ->count == 0) {
    occ->first_start = span->start;
    occ->first_end = span->end;
  }
  occ->count++;
}

/* Occurrences of the event with this UID between two UTC instants. */
static struct occurrences occurrences_of(icalcomponent *calendar, const char *uid, time_t from, time_t to)
{
  struct occurrences occ = { 0, 0, 0 };
  icaltimezone *zone_utc = icaltimezone_get_utc_timezone();
  struct icaltimetype start = icaltime_from_timet_with_zone(from, 0, zone_utc);
  struct icaltimetype end = icaltime_from_timet_with_zone(to, 0, zone_utc);
  for (icalcomponent *ev = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); ev;
       ev = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
    if (strcmp(icalcomponent_get_uid(ev), uid) == 0)
      icalcomponent_foreach_recurrence(ev, start, end, count_occurrence, &occ);
  }
  return occ;
}

static icalcomponent *load_calendar(void)
{
  char *text = read_file(DEMO_CALENDAR);
  icalcomponent *calendar = icalparser_parse_string(text);
  free(text);
  assert_non_null(calendar);
  assert_int_equal(icalcomponent_isa(calendar), ICAL_VCALENDAR_COMPONENT);
  return calendar;
}

static void test_line_rules(void **state)
{
  (void)state;
  char *text = read_file(DEMO_CALENDAR);
  size_t line_length = 0;
  for (const char *p = text; *p; p++) {
    if (*p == '\n') {
      assert_true(p > text && p[-1] == '\r'); /* every line ends in CRLF */
      line_length = 0;
    } else if (*p != '\r') {
      line_length++;
      assert_true(line_length <= 75); /* octets per line, before folding */
    }
  }
  assert_int_equal(strncmp(text, "BEGIN:VCALENDAR\r\n", 17), 0);
  free(text);
}

static void test_parses_without_errors(void **state)
{
  (void)state;
  icalcomponent *calendar = load_calendar();
  assert_int_equal(icalcomponent_count_errors(calendar), 0);
  assert_int_equal(icalcomponent_count_components(calendar, ICAL_VEVENT_COMPONENT), 13);
  assert_int_equal(icalcomponent_count_components(calendar, ICAL_VTIMEZONE_COMPONENT), 2);
  icalcomponent_free(calendar);
}

static void test_demo_week(void **state)
{
  (void)state;
  icalcomponent *calendar = load_calendar();
  /* Monday 2026-11-30 00:00 to Monday 2026-12-07 00:00 in Berlin (UTC+1). */
  time_t week = utc(2026, 11, 29, 23, 0), next_week = utc(2026, 12, 6, 23, 0), after = utc(2026, 12, 13, 23, 0);

  struct occurrences standup = occurrences_of(calendar, "standup-20261130@demo.growthd", week, next_week);
  assert_int_equal(standup.count, 5);
  assert_int_equal(standup.first_start, utc(2026, 11, 30, 8, 30));

  struct occurrences planning = occurrences_of(calendar, "weekly-planning-20261130@demo.growthd", week, next_week);
  assert_int_equal(planning.count, 1);
  assert_int_equal(planning.first_start, utc(2026, 11, 30, 9, 0));
  /* The EXDATE removes 7 December; the series goes on the week after. */
  assert_int_equal(occurrences_of(calendar, "weekly-planning-20261130@demo.growthd", next_week, after).count, 0);
  assert_int_equal(occurrences_of(calendar, "weekly-planning-20261130@demo.growthd", after, after + 7 * 86400).count, 1);

  /* The Tuesday blocks recur every week, so any week the agent looks at has a dense day. */
  assert_int_equal(occurrences_of(calendar, "sprint-grooming-20261201@demo.growthd", week, after + 21 * 86400).count, 5);

  struct occurrences sync = occurrences_of(calendar, "us-sync-20261202@demo.growthd", week, next_week);
  assert_int_equal(sync.count, 1);
  assert_int_equal(sync.first_start, utc(2026, 12, 2, 15, 0)); /* 10:00 in New York, 16:00 in Berlin */
  assert_int_equal(sync.first_end - sync.first_start, 3600);

  struct occurrences release = occurrences_of(calendar, "release-20261203@demo.growthd", week, next_week);
  assert_int_equal(release.count, 1);
  assert_int_equal(release.first_start, utc(2026, 12, 3, 21, 0)); /* crosses midnight */
  assert_int_equal(release.first_end - release.first_start, 3 * 3600);

  assert_int_equal(occurrences_of(calendar, "ooo-20261204@demo.growthd", week, next_week).count, 1);
  icalcomponent_free(calendar);
}

static icalcomponent *event_by_uid(icalcomponent *calendar, const char *uid)
{
  for (icalcomponent *ev = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); ev;
       ev = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
    if (strcmp(icalcomponent_get_uid(ev), uid) == 0) return ev;
  }
  fail_msg("no event %s in the demo calendar", uid);
  return NULL;
}

static void test_declined_free_and_all_day(void **state)
{
  (void)state;
  icalcomponent *calendar = load_calendar();
  icalcomponent *vendor = event_by_uid(calendar, "vendor-demo-20261203@demo.growthd");
  icalproperty *attendee = icalcomponent_get_first_property(vendor, ICAL_ATTENDEE_PROPERTY);
  assert_non_null(attendee);
  assert_string_equal(icalproperty_get_attendee(attendee), USER_ADDRESS);
  icalparameter *partstat = icalproperty_get_first_parameter(attendee, ICAL_PARTSTAT_PARAMETER);
  assert_non_null(partstat);
  assert_int_equal(icalparameter_get_partstat(partstat), ICAL_PARTSTAT_DECLINED);

  icalcomponent *focus = event_by_uid(calendar, "focus-20261203@demo.growthd");
  icalproperty *transp = icalcomponent_get_first_property(focus, ICAL_TRANSP_PROPERTY);
  assert_non_null(transp);
  assert_int_equal(icalproperty_get_transp(transp), ICAL_TRANSP_TRANSPARENT);

  icalcomponent *ooo = event_by_uid(calendar, "ooo-20261204@demo.growthd");
  struct icaltimetype start = icalcomponent_get_dtstart(ooo);
  assert_true(icaltime_is_date(start));
  assert_int_equal(start.day, 4);
  assert_string_equal(icalcomponent_get_summary(ooo), "Out of office");
  icalcomponent_free(calendar);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_line_rules),
    cmocka_unit_test(test_parses_without_errors),
    cmocka_unit_test(test_demo_week),
    cmocka_unit_test(test_declined_free_and_all_day),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
