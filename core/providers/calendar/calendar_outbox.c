/*
 * calendar_outbox.c — events inserted with the local calendar backend (see calendar.h).
 *
 * Each calendar id has one iCalendar file, GROWTH_DATA_DIR/calendar/<id>.ics
 * (the id percent-encoded), that a calendar program can import. An insert
 * parses the file (or starts a VCALENDAR with VERSION and PRODID), adds a
 * VEVENT with a fresh UID, DTSTAMP, DTSTART/DTEND, SUMMARY, DESCRIPTION and
 * TRANSP, and replaces the file atomically under a flock, so concurrent
 * inserts never lose one another. Timed events are written in UTC unless the
 * event names a time zone, which is then written as TZID with its VTIMEZONE.
 */
#include <libical/ical.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/calendar/calendar_backend.h"
#include "providers/calendar/calendar_time.h"
#include "providers/local_files.h"


static icalcomponent *load_or_new(const char *path, struct growth_error *err)
{
  char *text = NULL;
  size_t size = 0;
  if (local_files_read(path, &text, &size, err) == 0) {
    icalcomponent *root = icalparser_parse_string(text);
    free(text);
    if (root && icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
      return root;
    if (root)
      icalcomponent_free(root);
    error_set(err, ERR_IO, "calendar.insert: %s is not an iCalendar file; move it away to start a new one", path);
    return NULL;
  }
  if (err->code != ERR_NOT_FOUND)
    return NULL;
  icalcomponent *root = icalcomponent_new_vcalendar();
  if (!root) {
    error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
    return NULL;
  }
  icalcomponent_add_property(root, icalproperty_new_version("2.0"));
  icalcomponent_add_property(root, icalproperty_new_prodid("-//growthd//growth.calendar//EN"));
  return root;
}

/* An event time as libical wants it: a DATE, a UTC time, or a local time in zone. */
static struct icaltimetype to_ical(const char *text, icaltimezone *zone)
{
  int64_t epoch = 0;
  if (calendar_time_parse_date(text, &epoch) == 0) {
    struct icaltimetype date = icaltime_from_timet_with_zone((time_t)epoch, 1, icaltimezone_get_utc_timezone());
    date.is_date = 1;
    date.zone = NULL;
    return date;
  }
  calendar_time_parse(text, &epoch, NULL);
  if (!zone)
    zone = icaltimezone_get_utc_timezone();
  struct icaltimetype local = icaltime_from_timet_with_zone((time_t)epoch, 0, zone);
  /* libical 3.0 returns the converted fields labelled UTC; label them with the zone they are in. */
  local.zone = zone;
  return local;
}

static int add_event(icalcomponent *root, json_t *event, const char *uid, struct growth_error *err)
{
  const char *zone_text = json_string_value(json_object_get(event, "time_zone"));
  icaltimezone *zone = NULL;
  if (zone_text && strcmp(zone_text, "UTC") != 0) {
    zone = icaltimezone_get_builtin_timezone(zone_text);
    if (!zone)
      return error_set(err, ERR_BAD_ARGUMENT, "calendar.insert: event.time_zone '%.60s' is not a known IANA time zone "
                                              "such as \"Europe/Paris\"", zone_text);
    const char *tzid = icaltimezone_get_tzid(zone);
    if (!icalcomponent_get_timezone(root, tzid))
      icalcomponent_add_component(root, icalcomponent_new_clone(icaltimezone_get_component(zone)));
  }
  icalcomponent *vevent = icalcomponent_new_vevent();
  if (!vevent)
    return error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
  icalcomponent_set_uid(vevent, uid);
  icalcomponent_set_dtstamp(vevent, icaltime_from_timet_with_zone(time(NULL), 0, icaltimezone_get_utc_timezone()));
  icalcomponent_set_dtstart(vevent, to_ical(json_string_value(json_object_get(event, "start")), zone));
  icalcomponent_set_dtend(vevent, to_ical(json_string_value(json_object_get(event, "end")), zone));
  icalcomponent_set_summary(vevent, json_string_value(json_object_get(event, "title")));
  const char *description = json_string_value(json_object_get(event, "description"));
  if (description)
    icalcomponent_set_description(vevent, description);
  int busy = !json_is_false(json_object_get(event, "busy"));
  icalcomponent_add_property(vevent, icalproperty_new_transp(busy ? ICAL_TRANSP_OPAQUE : ICAL_TRANSP_TRANSPARENT));
  icalcomponent_add_component(root, vevent);
  return 0;
}

/* libical ends lines with LF; RFC 5545 wants CRLF. Caller frees. */
static char *with_crlf(const char *text)
{
  size_t length = strlen(text), lines = 0;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  char *out = malloc(length + lines + 1);
  if (!out)
    return NULL;
  char *q = out;
  for (const char *p = text; *p; p++) {
    if (*p == '\n' && (p == text || p[-1] != '\r'))
      *q++ = '\r';
    *q++ = *p;
  }
  *q = '\0';
  return out;
}

int calendar_local_insert(struct calendar_local *local, const char *calendar_id, json_t *event, json_t **out,
                          struct growth_error *err)
{
  char path[PATH_MAX], folder[PATH_MAX], lock[PATH_MAX + 8], uid[64], url[PATH_MAX + 16];
  if (calendar_outbox_path(local->data_dir, calendar_id, path, sizeof path, err) != 0)
    return -1;
  snprintf(folder, sizeof folder, "%s/calendar", local->data_dir);
  snprintf(lock, sizeof lock, "%s.lock", path);
  if (local_files_mkdirs(folder, err) != 0)
    return error_prefix(err, "calendar.insert");
  if (local_files_random_id("", uid, sizeof uid - 12, err) != 0)
    return -1;
  strcat(uid, "@growthd");
  int fd = local_files_lock(lock, err);
  if (fd < 0)
    return error_prefix(err, "calendar.insert");
  int result = -1;
  icalcomponent *root = load_or_new(path, err);
  if (root && add_event(root, event, uid, err) == 0) {
    char *text = icalcomponent_as_ical_string_r(root);
    char *crlf = text ? with_crlf(text) : NULL;
    if (!crlf)
      error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
    else if (local_files_write(path, crlf, strlen(crlf), err) != 0)
      error_prefix(err, "calendar.insert");
    else
      result = 0;
    free(crlf);
    free(text);
  }
  if (root)
    icalcomponent_free(root);
  local_files_unlock(fd);
  if (result != 0)
    return -1;
  if (local_files_url(path, url, sizeof url, err) != 0)
    return error_prefix(err, "calendar.insert");
  *out = json_pack("{s:s, s:s}", "id", uid, "link", url);
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
}
