/*
 * calendar.c — argument checks and backend choice for growth.calendar (see calendar.h).
 */
#include "providers/calendar/calendar.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "providers/calendar/calendar_backend.h"
#include "providers/calendar/calendar_time.h"

#define MAX_WINDOW_S (366LL * 5 * 86400)

struct calendar {
  struct calendar_live *live;
  struct calendar_local *local;
};

struct calendar *calendar_open(const struct config *cfg, struct google_api *api, struct growth_error *err)
{
  if (!api && cfg->environment == ENV_PRODUCTION) {
    error_set(err, ERR_BAD_CONFIG, "calendar: GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; production needs the live "
                                   "Google Calendar backend");
    return NULL;
  }
  struct calendar *calendar = calloc(1, sizeof *calendar);
  if (!calendar) {
    error_set(err, ERR_NO_MEMORY, "calendar: out of memory");
    return NULL;
  }
  if (api)
    calendar->live = calendar_live_new(api, cfg->google_calendar_url, cfg->rate_calendar_per_sec,
                                       cfg->rate_calendar_per_day, err);
  else
    calendar->local = calendar_local_new(cfg->calendar_ics, cfg->data_dir, err);
  if (!calendar->live && !calendar->local) {
    free(calendar);
    return NULL;
  }
  return calendar;
}

void calendar_free(struct calendar *calendar)
{
  if (!calendar)
    return;
  calendar_live_free(calendar->live);
  calendar_local_free(calendar->local);
  free(calendar);
}

const char *calendar_backend(const struct calendar *calendar)
{
  return calendar->live ? "live" : "local";
}

static int check_calendar_id(const char *what, const char *id, struct growth_error *err)
{
  if (!id || !*id)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: calendarId must be a non-empty string such as \"primary\"", what);
  if (strlen(id) > 256)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: calendarId is longer than 256 characters", what);
  for (const char *p = id; *p; p++)
    if ((unsigned char)*p < 0x20)
      return error_set(err, ERR_BAD_ARGUMENT, "%s: calendarId has a control character", what);
  return 0;
}

int calendar_events(struct calendar *calendar, const char *calendar_id, const char *from, const char *to,
                    json_t **events, struct growth_error *err)
{
  struct calendar_window window = { from, to, 0, 0 };
  *events = NULL;
  if (check_calendar_id("calendar.events", calendar_id, err) != 0)
    return -1;
  if (calendar_time_parse(from, &window.from, NULL) != 0)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.events: from '%.40s' is not an RFC 3339 time with offset; "
                                            "expected e.g. \"2024-05-01T00:00:00Z\"", from ? from : "nil");
  if (calendar_time_parse(to, &window.to, NULL) != 0)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.events: to '%.40s' is not an RFC 3339 time with offset; "
                                            "expected e.g. \"2024-05-08T00:00:00+02:00\"", to ? to : "nil");
  if (window.from >= window.to)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.events: from (%s) must be before to (%s)", from, to);
  if (window.to - window.from > MAX_WINDOW_S)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.events: the window %s .. %s is longer than 5 years", from, to);
  return calendar->live ? calendar_live_events(calendar->live, calendar_id, &window, events, err)
                        : calendar_local_events(calendar->local, calendar_id, &window, events, err);
}

static int check_optional(json_t *event, const char *key, int (*is_type)(const json_t *), const char *expected,
                          struct growth_error *err)
{
  json_t *value = json_object_get(event, key);
  if (value && !json_is_null(value) && !is_type(value))
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.%s must be %s", key, expected);
  return 0;
}

static int is_string(const json_t *value)
{
  return json_is_string(value);
}

static int is_boolean(const json_t *value)
{
  return json_is_boolean(value);
}

int calendar_insert(struct calendar *calendar, const char *calendar_id, json_t *event, json_t **out,
                    struct growth_error *err)
{
  *out = NULL;
  if (check_calendar_id("calendar.insert", calendar_id, err) != 0)
    return -1;
  if (!json_is_object(event))
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event must be a table {title=..., start=..., end=...}");
  json_t *title = json_object_get(event, "title");
  if (!json_is_string(title) || json_string_length(title) == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.title must be a non-empty string");
  const char *start = json_string_value(json_object_get(event, "start"));
  const char *end = json_string_value(json_object_get(event, "end"));
  if (!start || !end)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.%s must be a string (RFC 3339 time or "
                                            "YYYY-MM-DD date)", start ? "end" : "start");
  int64_t start_s, end_s;
  int dates = calendar_time_parse_date(start, &start_s) == 0;
  if (dates ? calendar_time_parse_date(end, &end_s) != 0 : calendar_time_parse(start, &start_s, NULL) != 0)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.%s '%.40s' is not %s", dates ? "end" : "start",
                     dates ? end : start, dates ? "a YYYY-MM-DD date like event.start" :
                                                   "an RFC 3339 time with offset or a YYYY-MM-DD date");
  if (!dates && calendar_time_parse(end, &end_s, NULL) != 0)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.end '%.40s' is not an RFC 3339 time with offset "
                                            "like event.start", end);
  if (end_s <= start_s)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.end (%s) must be after event.start (%s)", end,
                     start);
  if (check_optional(event, "description", is_string, "a string", err) != 0 ||
      check_optional(event, "time_zone", is_string, "a string such as \"Europe/Paris\"", err) != 0 ||
      check_optional(event, "busy", is_boolean, "a boolean", err) != 0)
    return -1;
  return calendar->live ? calendar_live_insert(calendar->live, calendar_id, event, out, err)
                        : calendar_local_insert(calendar->local, calendar_id, event, out, err);
}

static int64_t start_instant(json_t *event)
{
  const char *text = json_string_value(json_object_get(event, "start"));
  int64_t epoch = 0;
  if (calendar_time_parse(text, &epoch, NULL) != 0)
    calendar_time_parse_date(text, &epoch);
  return epoch;
}

static int compare_events(const void *a, const void *b)
{
  int64_t left = start_instant(*(json_t *const *)a), right = start_instant(*(json_t *const *)b);
  if (left != right)
    return left < right ? -1 : 1;
  const char *left_id = json_string_value(json_object_get(*(json_t *const *)a, "id"));
  const char *right_id = json_string_value(json_object_get(*(json_t *const *)b, "id"));
  return strcmp(left_id ? left_id : "", right_id ? right_id : "");
}

void calendar_sort_events(json_t *events)
{
  size_t count = json_array_size(events);
  if (count < 2)
    return;
  json_t **items = malloc(count * sizeof *items);
  if (!items)
    return;
  for (size_t i = 0; i < count; i++)
    items[i] = json_incref(json_array_get(events, i));
  qsort(items, count, sizeof *items, compare_events);
  json_array_clear(events);
  for (size_t i = 0; i < count; i++)
    json_array_append_new(events, items[i]);
  free(items);
}

int calendar_outbox_path(const char *data_dir, const char *calendar_id, char *out, size_t size,
                         struct growth_error *err)
{
  char *escaped = http_escape(calendar_id);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "calendar: out of memory");
  int length = snprintf(out, size, "%s/calendar/%s.ics", data_dir && *data_dir ? data_dir : "./var", escaped);
  free(escaped);
  return length > 0 && (size_t)length < size ? 0 : error_set(err, ERR_BAD_ARGUMENT, "calendar: path too long");
}
