/*
 * calendar_local.c — the local calendar backend: iCalendar files read with libical (see calendar.h).
 *
 * Sources: the file named by GROWTH_CALENDAR_ICS (if set) and the outbox file
 * of locally inserted events for the asked calendar (calendar_outbox.c).
 *
 * Expansion, per VEVENT:
 *   - a VEVENT with RECURRENCE-ID replaces one instance of its series (a moved
 *     or retitled meeting): the first pass records (UID, instant) of every such
 *     override, the series skips those instants, and the override is shown as
 *     itself (unless it is CANCELLED, which simply removes the instance);
 *   - a VEVENT with RRULE is iterated with libical's recurrence iterator from
 *     DTSTART in DTSTART's own time zone, so a 09:00 Paris meeting stays at
 *     09:00 local across a daylight-saving change; EXDATE instants are skipped;
 *   - TZID is resolved from the file's VTIMEZONE or libical's built-in zones;
 *     times without a zone (floating) are read as UTC;
 *   - an all-day event (DATE values) keeps date strings, end exclusive.
 * Iteration stops at the window's end, and after 100000 instances per series.
 */
#include <libical/ical.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "providers/calendar/calendar_backend.h"
#include "providers/calendar/calendar_time.h"
#include "providers/local_files.h"

#define MAX_INSTANCES 100000


struct calendar_local *calendar_local_new(const char *ics_path, const char *data_dir, struct growth_error *err)
{
  struct calendar_local *local = calloc(1, sizeof *local);
  if (!local)
    goto fail;
  if (ics_path && *ics_path && !(local->ics_path = strdup(ics_path)))
    goto fail;
  if (!(local->data_dir = strdup(data_dir && *data_dir ? data_dir : "./var")))
    goto fail;
  return local;

fail:
  if (local)
    free(local->ics_path);
  free(local);
  error_set(err, ERR_NO_MEMORY, "calendar: out of memory");
  return NULL;
}

void calendar_local_free(struct calendar_local *local)
{
  if (!local)
    return;
  free(local->ics_path);
  free(local->data_dir);
  free(local);
}

/* ---- time helpers ---- */

static icaltimezone *zone_of(struct icaltimetype tt)
{
  if (tt.zone)
    return (icaltimezone *)tt.zone;
  return icaltimezone_get_utc_timezone();
}

static int64_t instant(struct icaltimetype tt)
{
  if (tt.is_date) {
    struct tm tm = { .tm_year = tt.year - 1900, .tm_mon = tt.month - 1, .tm_mday = tt.day };
    return (int64_t)timegm(&tm);
  }
  return (int64_t)icaltime_as_timet_with_zone(tt, zone_of(tt));
}

/* The IANA name of a zone: libical's built-in ids carry a prefix that is dropped. NULL for UTC/floating. */
static const char *zone_name(struct icaltimetype tt)
{
  if (!tt.zone || tt.zone == icaltimezone_get_utc_timezone())
    return tt.is_date ? NULL : "UTC";
  static const char *const prefixes[] = { "/freeassociation.sourceforge.net/", "Tzfile/" };
  const char *tzid = icaltimezone_get_tzid((icaltimezone *)tt.zone);
  for (size_t i = 0; tzid && i < 2; i++)
    if (strncmp(tzid, prefixes[i], strlen(prefixes[i])) == 0)
      tzid += strlen(prefixes[i]);
  return tzid;
}

/* An instant shown in a zone: RFC 3339 with that zone's offset at that instant. */
static void format_in_zone(int64_t epoch, icaltimezone *zone, char *out, size_t size)
{
  int offset = 0;
  if (zone && zone != icaltimezone_get_utc_timezone()) {
    struct icaltimetype local = icaltime_from_timet_with_zone((time_t)epoch, 0, zone);
    int is_dst = 0;
    offset = icaltimezone_get_utc_offset(zone, &local, &is_dst);
  }
  calendar_time_format(epoch, offset, out, size);
}

/* RECURRENCE-ID's TZID is not resolved by libical's getter: resolve it from the file's VTIMEZONE or the built-ins. */
static struct icaltimetype recurrence_id(icalcomponent *event)
{
  icalproperty *property = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);
  if (!property)
    return icaltime_null_time();
  struct icaltimetype tt = icalproperty_get_recurrenceid(property);
  icalparameter *tzid = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
  if (!tt.zone && !tt.is_date && tzid) {
    const char *name = icalparameter_get_tzid(tzid);
    icaltimezone *zone = NULL;
    for (icalcomponent *c = event; c && !zone; c = icalcomponent_get_parent(c))
      zone = icalcomponent_get_timezone(c, name);
    if (!zone)
      zone = icaltimezone_get_builtin_timezone(name);
    tt.zone = zone;
  }
  return tt;
}

/* ---- expansion ---- */

struct expansion {
  const char *owner;     /* the calendar id: its owner's address, or "primary" and the like */
  const struct calendar_window *window;
  json_t *events;
  json_t *overrides;     /* "uid\n<instant>" -> true */
  struct growth_error *err;
};

static int override_key(const char *uid, int64_t when, char *out, size_t size)
{
  return snprintf(out, size, "%s\n%lld", uid, (long long)when) < (int)size ? 0 : -1;
}

struct series {
  const char *uid;
  const char *title;
  int busy;
  int declined;
  int out_of_office;
  int recurring;
  struct icaltimetype start;      /* DTSTART, zone resolved */
  struct icaltimetype end;        /* DTEND, zone resolved */
  int64_t duration;               /* seconds, or days for all-day events */
};

/* "<uid>_<UTC start>" as Google names the instances of a series. */
static void instance_id(const char *uid, int64_t when, int is_date, char *out, size_t size)
{
  char stamp[24];
  time_t t = (time_t)when;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(stamp, sizeof stamp, is_date ? "%Y%m%d" : "%Y%m%dT%H%M%SZ", &tm);
  snprintf(out, size, "%.480s_%s", uid, stamp);
}

/* Adds one instance starting at occurrence (in the series' start zone) when it overlaps the window. */
static int emit(struct expansion *x, const struct series *s, struct icaltimetype occurrence)
{
  char id[512], start[40], end[40];
  int64_t from = instant(occurrence), to;
  if (s->start.is_date) {
    to = from + s->duration * 86400;
    calendar_time_format_date(from, start, sizeof start);
    calendar_time_format_date(to, end, sizeof end);
  } else {
    to = from + s->duration;
    format_in_zone(from, zone_of(s->start), start, sizeof start);
    format_in_zone(to, s->end.zone ? zone_of(s->end) : zone_of(s->start), end, sizeof end);
  }
  if (to <= x->window->from || from >= x->window->to)
    return 0;
  if (s->recurring)
    instance_id(s->uid, from, s->start.is_date, id, sizeof id);
  else
    snprintf(id, sizeof id, "%.500s", s->uid);
  json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:b, s:b, s:s}", "id", id, "title", s->title, "start",
                            start, "end", end, "all_day", s->start.is_date, "time_zone", zone_name(s->start), "busy",
                            s->busy, "declined", s->declined, "event_type",
                            s->out_of_office ? "outOfOffice" : "default");
  if (!event || json_array_append_new(x->events, event) != 0)
    return error_set(x->err, ERR_NO_MEMORY, "calendar.events: out of memory");
  return 0;
}

static int is_excluded(icalcomponent *event, struct icaltimetype occurrence)
{
  int64_t when = instant(occurrence);
  for (icalproperty *p = icalcomponent_get_first_property(event, ICAL_EXDATE_PROPERTY); p;
       p = icalcomponent_get_next_property(event, ICAL_EXDATE_PROPERTY)) {
    struct icaltimetype excluded = icalproperty_get_exdate(p);
    if (excluded.is_date && !occurrence.is_date) {
      if (excluded.year == occurrence.year && excluded.month == occurrence.month && excluded.day == occurrence.day)
        return 1;
    } else if (instant(excluded) == when) {
      return 1;
    }
  }
  return 0;
}

static int is_overridden(struct expansion *x, const char *uid, struct icaltimetype occurrence)
{
  char key[600];
  return override_key(uid, instant(occurrence), key, sizeof key) == 0 && json_object_get(x->overrides, key) != NULL;
}

/* The owner declined: the ATTENDEE whose address is owner declined or, when owner is not an address
 * ("primary"), every ATTENDEE declined (a file exported from one's own calendar lists its owner). */
static int is_declined(icalcomponent *event, const char *owner)
{
  int by_address = strchr(owner, '@') != NULL, attendees = 0, declined = 0;
  for (icalproperty *p = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY); p;
       p = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY)) {
    const char *address = icalproperty_get_attendee(p);
    icalparameter *partstat = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
    int said_no = partstat && icalparameter_get_partstat(partstat) == ICAL_PARTSTAT_DECLINED;
    if (address && strncasecmp(address, "mailto:", 7) == 0)
      address += 7;
    if (by_address && address && strcasecmp(address, owner) == 0)
      return said_no;
    attendees++;
    declined += said_no;
  }
  return !by_address && attendees > 0 && declined == attendees;
}

/* Outlook's out-of-office mark (Google's eventType outOfOffice has no iCalendar property). */
static int is_out_of_office(icalcomponent *event)
{
  for (icalproperty *p = icalcomponent_get_first_property(event, ICAL_X_PROPERTY); p;
       p = icalcomponent_get_next_property(event, ICAL_X_PROPERTY)) {
    const char *name = icalproperty_get_x_name(p), *value = icalproperty_get_x(p);
    if (name && value && strcasecmp(name, "X-MICROSOFT-CDO-BUSYSTATUS") == 0 && strcasecmp(value, "OOF") == 0)
      return 1;
  }
  return 0;
}

static int read_series(icalcomponent *event, struct series *s, int index, const char *owner)
{
  static _Thread_local char fallback_uid[32];
  memset(s, 0, sizeof *s);
  s->uid = icalcomponent_get_uid(event);
  if (!s->uid) {
    snprintf(fallback_uid, sizeof fallback_uid, "event-%d", index);
    s->uid = fallback_uid;
  }
  s->title = icalcomponent_get_summary(event);
  if (!s->title)
    s->title = "";
  icalproperty *transp = icalcomponent_get_first_property(event, ICAL_TRANSP_PROPERTY);
  s->busy = !(transp && icalproperty_get_transp(transp) == ICAL_TRANSP_TRANSPARENT);
  s->declined = is_declined(event, owner);
  s->out_of_office = is_out_of_office(event);
  s->start = icalcomponent_get_dtstart(event);
  if (icaltime_is_null_time(s->start))
    return -1;
  s->end = icalcomponent_get_dtend(event);
  if (s->start.is_date) {
    int64_t days = icaltime_is_null_time(s->end) ? 1 : (instant(s->end) - instant(s->start)) / 86400;
    s->duration = days > 0 ? days : 1;
  } else {
    int64_t seconds = icaltime_is_null_time(s->end) ? 0 : instant(s->end) - instant(s->start);
    s->duration = seconds > 0 ? seconds : 0;
  }
  return 0;
}

static int expand_series(struct expansion *x, icalcomponent *event, const struct series *s)
{
  icalproperty *rule = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY);
  struct icalrecurrencetype recurrence = icalproperty_get_rrule(rule);
  icalrecur_iterator *iterator = icalrecur_iterator_new(recurrence, s->start);
  if (!iterator)
    return error_set(x->err, ERR_BAD_CONFIG, "calendar.events: event %s has an RRULE libical cannot iterate",
                     s->uid);
  int result = 0;
  for (int count = 0; count < MAX_INSTANCES && result == 0; count++) {
    struct icaltimetype occurrence = icalrecur_iterator_next(iterator);
    if (icaltime_is_null_time(occurrence))
      break;
    occurrence.zone = s->start.zone;
    if (instant(occurrence) >= x->window->to)
      break;
    if (is_excluded(event, occurrence) || is_overridden(x, s->uid, occurrence))
      continue;
    result = emit(x, s, occurrence);
  }
  icalrecur_iterator_free(iterator);
  return result;
}

static int expand_calendar(struct expansion *x, icalcomponent *root)
{
  int index = 0;
  /* First pass: the instants that overrides replace. */
  for (icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event;
       event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
    struct icaltimetype replaced = recurrence_id(event);
    const char *uid = icalcomponent_get_uid(event);
    char key[600];
    if (!icaltime_is_null_time(replaced) && uid && override_key(uid, instant(replaced), key, sizeof key) == 0)
      json_object_set_new(x->overrides, key, json_true());
  }
  for (icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); event;
       event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
    struct series s;
    if (icalcomponent_get_status(event) == ICAL_STATUS_CANCELLED || read_series(event, &s, index++, x->owner) != 0)
      continue;
    struct icaltimetype replaced = recurrence_id(event);
    int result;
    if (!icaltime_is_null_time(replaced)) {
      /* The override keeps the id of the instance it replaces. */
      size_t count = json_array_size(x->events);
      result = emit(x, &s, s.start);
      if (result == 0 && json_array_size(x->events) > count) {
        char id[512];
        instance_id(s.uid, instant(replaced), replaced.is_date, id, sizeof id);
        json_object_set_new(json_array_get(x->events, count), "id", json_string(id));
      }
    } else if (icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY)) {
      s.recurring = 1;
      result = expand_series(x, event, &s);
    } else {
      result = emit(x, &s, s.start);
    }
    if (result != 0)
      return -1;
  }
  return 0;
}

static int expand_file(struct expansion *x, const char *path, int required, const char *setting)
{
  char *text = NULL;
  size_t size = 0;
  if (local_files_read(path, &text, &size, x->err) != 0) {
    if (x->err->code == ERR_NOT_FOUND && !required)
      return 0;
    x->err->code = ERR_BAD_CONFIG;
    x->err->retryable = 0;
    return error_prefix(x->err, "calendar.events: %s", setting);
  }
  icalcomponent *root = icalparser_parse_string(text);
  free(text);
  if (!root || (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT && icalcomponent_isa(root) != ICAL_VEVENT_COMPONENT)) {
    if (root)
      icalcomponent_free(root);
    return error_set(x->err, ERR_BAD_CONFIG, "calendar.events: %s: %s is not an iCalendar file (BEGIN:VCALENDAR ...)",
                     setting, path);
  }
  int result;
  if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT) {
    icalcomponent *wrapper = icalcomponent_new_vcalendar();
    icalcomponent_add_component(wrapper, root);
    result = expand_calendar(x, wrapper);
    icalcomponent_free(wrapper);
  } else {
    result = expand_calendar(x, root);
    icalcomponent_free(root);
  }
  return result;
}

int calendar_local_events(struct calendar_local *local, const char *calendar_id, const struct calendar_window *window,
                          json_t **events, struct growth_error *err)
{
  char outbox[PATH_MAX];
  struct expansion x = { calendar_id, window, json_array(), json_object(), err };
  int result = -1;
  if (!x.events || !x.overrides) {
    error_set(err, ERR_NO_MEMORY, "calendar.events: out of memory");
    goto done;
  }
  if (local->ics_path && expand_file(&x, local->ics_path, 1, "GROWTH_CALENDAR_ICS") != 0)
    goto done;
  json_object_clear(x.overrides);
  if (calendar_outbox_path(local->data_dir, calendar_id, outbox, sizeof outbox, err) != 0 ||
      expand_file(&x, outbox, 0, "inserted events") != 0)
    goto done;
  calendar_sort_events(x.events);
  *events = json_incref(x.events);
  result = 0;

done:
  json_decref(x.overrides);
  json_decref(x.events);
  return result;
}
