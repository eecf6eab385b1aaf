/*
 * calendar_zone.c — local time in IANA zones through libical (see calendar_zone.h).
 *
 * A struct calendar_zone is libical's icaltimezone itself (built-in zones are
 * never freed), cast to an opaque type so callers need no libical header.
 * Every conversion needs one primitive, the offset in force at a UTC instant
 * (icaltimezone_get_utc_offset_of_utc_time); the rest is calendar arithmetic
 * on days since 1970 (Hinnant's days-from-civil), exact for any year.
 */
#include "providers/calendar/calendar_zone.h"

#include <libical/ical.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *year, int *month, int *day)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  *month = (int)(mp < 10 ? mp + 3 : mp - 9);
  *year = (int)(yoe + era * 400 + (*month <= 2));
}

int calendar_zone_days_in_month(int year, int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 ? 28 + leap : days[month - 1];
}

static int is_zone_name(const char *name)
{
  size_t length = strlen(name);
  if (length == 0 || length > 64 || name[0] == '/' || name[length - 1] == '/' || strstr(name, "//"))
    return 0;
  if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/") != length)
    return 0;
  return 1;   /* no '.' at all, so no "." or ".." part */
}

const struct calendar_zone *calendar_zone_find(const char *name)
{
  if (!name || !is_zone_name(name))
    return NULL;
  if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
    return (const struct calendar_zone *)icaltimezone_get_utc_timezone();
  return (const struct calendar_zone *)icaltimezone_get_builtin_timezone(name);
}

const char *calendar_zone_name(const struct calendar_zone *zone)
{
  icaltimezone *z = (icaltimezone *)zone;
  if (z == icaltimezone_get_utc_timezone())
    return "UTC";
  const char *location = icaltimezone_get_location(z);
  return location ? location : icaltimezone_get_tzid(z);
}

static int offset_at(const struct calendar_zone *zone, int64_t epoch, int *is_dst)
{
  icaltimezone *z = (icaltimezone *)zone, *utc = icaltimezone_get_utc_timezone();
  int dst = 0;
  if (z == utc) {
    if (is_dst)
      *is_dst = 0;
    return 0;
  }
  struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)epoch, 0, utc);
  int offset = icaltimezone_get_utc_offset_of_utc_time(z, &tt, &dst);
  if (is_dst)
    *is_dst = dst;
  return offset;
}

void calendar_zone_to_local(const struct calendar_zone *zone, int64_t epoch, struct calendar_local_time *out)
{
  memset(out, 0, sizeof *out);
  out->offset_s = offset_at(zone, epoch, &out->is_dst);
  int64_t local = epoch + out->offset_s;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t seconds = local - days * 86400;
  civil_from_days(days, &out->year, &out->month, &out->day);
  out->hour = (int)(seconds / 3600);
  out->min = (int)(seconds % 3600 / 60);
  out->sec = (int)(seconds % 60);
  out->wday = (int)(((days + 3) % 7 + 7) % 7) + 1;   /* 1970-01-01 was a Thursday */
  out->yday = (int)(days - days_from_civil(out->year, 1, 1)) + 1;
}

int64_t calendar_zone_from_local(const struct calendar_zone *zone, int year, int month, int day, int hour, int min,
                                 int sec)
{
  int64_t wall = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  /* The offsets a day before and a day after: at most one change lies between them. */
  int before = offset_at(zone, wall - 86400, NULL), after = offset_at(zone, wall + 86400, NULL);
  int64_t first = wall - (before > after ? before : after), second = wall - (before > after ? after : before);
  int first_ok = offset_at(zone, first, NULL) == (int)(wall - first);
  int second_ok = offset_at(zone, second, NULL) == (int)(wall - second);
  if (first_ok)
    return first;   /* the only one, or the earlier of an overlap */
  if (second_ok)
    return second;
  return wall - before;   /* a gap: the offset before the change carries the time forward */
}
