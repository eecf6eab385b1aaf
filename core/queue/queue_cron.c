/*
 * queue_cron.c — cron patterns (see queue_cron.h).
 *
 * Each field becomes a bit set of allowed values. The search walks local wall-clock time in the pattern's
 * zone, jumping a whole month, day, hour or minute whenever that field does not match, and normalises the
 * broken-down time with timegm (used only as calendar arithmetic); the match is then turned into UTC with
 * libical's zone data. libical's built-in zones are loaded lazily and not thread-safe, hence the mutex.
 */
#include "queue/queue_cron.h"

#include <ctype.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SEARCH_STEPS_MAX 200000

enum { F_SECOND, F_MINUTE, F_HOUR, F_DAY, F_MONTH, F_WEEKDAY, FIELD_COUNT };

struct field_spec {
  const char *name;
  int min, max;
  const char *const *names;   /* names for min.., or NULL */
};

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                           "NOV", "DEC", NULL };
static const char *const weekday_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL };

static const struct field_spec specs[FIELD_COUNT] = {
  { "second", 0, 59, NULL }, { "minute", 0, 59, NULL }, { "hour", 0, 23, NULL },
  { "day of month", 1, 31, NULL }, { "month", 1, 12, month_names }, { "day of week", 0, 7, weekday_names },
};

struct cron {
  uint64_t allowed[FIELD_COUNT];
  int day_restricted, weekday_restricted;
};

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

/* A number or a name at *text; advances *text. -1 when there is neither. */
static int read_value(const char **text, const struct field_spec *spec)
{
  if (isdigit((unsigned char)**text)) {
    int value = 0;
    while (isdigit((unsigned char)**text) && value < 1000)
      value = value * 10 + (*(*text)++ - '0');
    return value;
  }
  for (int i = 0; spec->names && spec->names[i]; i++)
    if (strncasecmp(*text, spec->names[i], 3) == 0) {
      *text += 3;
      return spec->min + i;
    }
  return -1;
}

static int parse_field(const char *text, const struct field_spec *spec, uint64_t *allowed, int *restricted,
                       struct growth_error *err)
{
  *allowed = 0;
  *restricted = !(strcmp(text, "*") == 0 || strcmp(text, "?") == 0);
  const char *p = text;
  for (;;) {
    int low, high, step = 1;
    if (*p == '*' || *p == '?') {
      low = spec->min;
      high = spec->max;
      p++;
    } else {
      if ((low = read_value(&p, spec)) < 0)
        goto bad;
      high = low;
      if (*p == '-') {
        p++;
        if ((high = read_value(&p, spec)) < 0)
          goto bad;
      } else if (*p == '/') {
        high = spec->max;
      }
    }
    if (*p == '/') {
      p++;
      step = 0;
      while (isdigit((unsigned char)*p) && step < 1000)
        step = step * 10 + (*p++ - '0');
      if (step < 1)
        goto bad;
    }
    if (low < spec->min || high > spec->max || low > high)
      return error_set(err, ERR_BAD_ARGUMENT, "cron pattern: %s '%s' is out of range %d-%d", spec->name, text,
                       spec->min, spec->max);
    for (int v = low; v <= high; v += step)
      *allowed |= 1ULL << v;
    if (*p == '\0')
      return 0;
    if (*p++ != ',')
      goto bad;
  }
bad:
  return error_set(err, ERR_BAD_ARGUMENT, "cron pattern: %s '%s' is not supported; expected *, ?, numbers, names, "
                   "ranges, steps and lists (L, W and # are left to BullMQ workers)", spec->name, text);
}

static int parse_pattern(const char *pattern, struct cron *cron, struct growth_error *err)
{
  char copy[256];
  if (!pattern || strlen(pattern) >= sizeof copy)
    return error_set(err, ERR_BAD_ARGUMENT, "cron pattern: missing or longer than 255 characters");
  strcpy(copy, pattern);
  char *fields[FIELD_COUNT];
  int count = 0;
  for (char *save = NULL, *word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
    if (count == FIELD_COUNT)
      return error_set(err, ERR_BAD_ARGUMENT, "cron pattern '%s': more than 6 fields", pattern);
    fields[count++] = word;
  }
  if (count < 5)
    return error_set(err, ERR_BAD_ARGUMENT, "cron pattern '%s': expected 5 or 6 fields", pattern);
  int first = count == 5 ? F_MINUTE : F_SECOND;
  memset(cron, 0, sizeof *cron);
  if (count == 5)
    cron->allowed[F_SECOND] = 1;   /* second 0 */
  for (int i = 0; i < count; i++) {
    int restricted = 0;
    if (parse_field(fields[i], &specs[first + i], &cron->allowed[first + i], &restricted, err) != 0)
      return -1;
    if (first + i == F_DAY)
      cron->day_restricted = restricted;
    if (first + i == F_WEEKDAY)
      cron->weekday_restricted = restricted;
  }
  if (cron->allowed[F_WEEKDAY] & (1ULL << 7))
    cron->allowed[F_WEEKDAY] |= 1;   /* 7 is Sunday too */
  return 0;
}

static int allowed(const struct cron *cron, int field, int value)
{
  return (cron->allowed[field] >> value) & 1;
}

static int day_matches(const struct cron *cron, const struct tm *tm)
{
  int day = allowed(cron, F_DAY, tm->tm_mday), weekday = allowed(cron, F_WEEKDAY, tm->tm_wday);
  if (cron->day_restricted && cron->weekday_restricted)
    return day || weekday;
  return day && weekday;
}

/* Wall-clock fields in zone of the UTC time t, and back. */
static void to_local(time_t t, icaltimezone *zone, struct tm *tm)
{
  struct icaltimetype local = icaltime_from_timet_with_zone(t, 0, zone);
  memset(tm, 0, sizeof *tm);
  tm->tm_year = local.year - 1900;
  tm->tm_mon = local.month - 1;
  tm->tm_mday = local.day;
  tm->tm_hour = local.hour;
  tm->tm_min = local.minute;
  tm->tm_sec = local.second;
  time_t as_utc = timegm(tm);   /* fills tm_wday */
  gmtime_r(&as_utc, tm);
}

static time_t to_utc(const struct tm *tm, icaltimezone *zone)
{
  struct icaltimetype local = icaltime_null_time();
  local.year = tm->tm_year + 1900;
  local.month = tm->tm_mon + 1;
  local.day = tm->tm_mday;
  local.hour = tm->tm_hour;
  local.minute = tm->tm_min;
  local.second = tm->tm_sec;
  local.zone = zone;
  return icaltime_as_timet_with_zone(local, zone);
}

/* Normalises field overflow (day 32, hour 24, ...) as calendar arithmetic. */
static void normalise(struct tm *tm)
{
  time_t t = timegm(tm);
  gmtime_r(&t, tm);
}

static int search(const struct cron *cron, struct tm *tm)
{
  for (int steps = 0; steps < SEARCH_STEPS_MAX; steps++) {
    if (!allowed(cron, F_MONTH, tm->tm_mon + 1)) {
      tm->tm_mon++, tm->tm_mday = 1, tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
    } else if (!day_matches(cron, tm)) {
      tm->tm_mday++, tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
    } else if (!allowed(cron, F_HOUR, tm->tm_hour)) {
      tm->tm_hour++, tm->tm_min = tm->tm_sec = 0;
    } else if (!allowed(cron, F_MINUTE, tm->tm_min)) {
      tm->tm_min++, tm->tm_sec = 0;
    } else if (!allowed(cron, F_SECOND, tm->tm_sec)) {
      tm->tm_sec++;
    } else {
      return 0;
    }
    normalise(tm);
  }
  return -1;
}

int queue_cron_next(const char *pattern, const char *tz, int64_t after_ms, int64_t *next_ms, struct growth_error *err)
{
  struct cron cron;
  if (parse_pattern(pattern, &cron, err) != 0)
    return -1;
  pthread_mutex_lock(&zone_lock);
  icaltimezone *zone = tz && *tz ? icaltimezone_get_builtin_timezone(tz) : icaltimezone_get_utc_timezone();
  int status = -1;
  if (!zone) {
    error_set(err, ERR_BAD_ARGUMENT, "cron pattern: unknown time zone '%.64s'; expected an IANA name", tz);
    goto done;
  }
  time_t start = (time_t)(after_ms / 1000) + 1;
  for (int round = 0; round < 4; round++) {
    struct tm tm;
    to_local(start, zone, &tm);
    if (search(&cron, &tm) != 0) {
      error_set(err, ERR_BAD_ARGUMENT, "cron pattern '%s' matches no time within years", pattern);
      goto done;
    }
    time_t found = to_utc(&tm, zone);
    if (found >= start) {   /* a wall-clock time that a DST change skipped or repeated can land earlier */
      *next_ms = (int64_t)found * 1000;
      status = 0;
      goto done;
    }
    start += 3600;
  }
  error_set(err, ERR_BAD_ARGUMENT, "cron pattern '%s': no next time found around a time-zone change", pattern);
done:
  pthread_mutex_unlock(&zone_lock);
  return status;
}
