/*
 * calendar_zone.h — wall-clock time in an IANA time zone, without the C
 * library's TZ environment variable.
 *
 * growthd runs jobs on many threads, and localtime_r with setenv("TZ") would
 * change the zone of every thread at once, so local time comes from libical's
 * zones (built from the system's tz database, /usr/share/zoneinfo), which
 * libical loads and expands under its own locks. A zone found once stays
 * loaded for the life of the process; its pointer may be shared by threads.
 *
 * Local to UTC is not a function everywhere: in a spring-forward gap a wall
 * time does not exist, in a fall-back overlap it happens twice. The rules
 * here, as most calendar programs have them: a time in a gap is moved forward
 * by the length of the gap (02:30 on the day Berlin jumps from 02:00 to 03:00
 * is 03:30 CEST), and a time in an overlap is its first occurrence (the one
 * with the larger offset, still in summer time).
 */
#ifndef GROWTH_PROVIDERS_CALENDAR_ZONE_H
#define GROWTH_PROVIDERS_CALENDAR_ZONE_H

#include <stdint.h>

/* Years a conversion accepts (libical's tables are exact within them). */
#define CALENDAR_ZONE_YEAR_MIN 1900
#define CALENDAR_ZONE_YEAR_MAX 2199

struct calendar_zone;

struct calendar_local_time {
  int year, month, day;     /* month 1-12 */
  int hour, min, sec;
  int wday;                 /* ISO weekday: 1 = Monday ... 7 = Sunday */
  int yday;                 /* 1-366 */
  int offset_s;             /* seconds east of UTC in force at that instant */
  int is_dst;
};

/* The zone named name ("Europe/Berlin", "America/New_York", "UTC"); NULL when the name is not a
 * zone of the tz database (names are checked before any file is looked up: letters, digits,
 * '_', '-', '+' and '/' between parts, no "." part). */
const struct calendar_zone *calendar_zone_find(const char *name);

/* The zone's IANA name. */
const char *calendar_zone_name(const struct calendar_zone *zone);

/* The local time of an instant (epoch seconds within the years above). */
void calendar_zone_to_local(const struct calendar_zone *zone, int64_t epoch, struct calendar_local_time *out);

/* The instant of a wall-clock time (fields already in range), by the gap and overlap rules above. */
int64_t calendar_zone_from_local(const struct calendar_zone *zone, int year, int month, int day, int hour, int min,
                                 int sec);

/* Days in month of year (Gregorian). */
int calendar_zone_days_in_month(int year, int month);

#endif
