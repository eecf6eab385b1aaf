/*
 * calendar_live.c — the Google Calendar v3 backend (see calendar.h).
 *
 * events: events.list with singleEvents=true (Google expands recurring events),
 * orderBy=startTime, following nextPageToken until the last page; every page
 * takes a rate-limit slot. Items are normalised to the shared event shape and
 * checked: an item without id, start or end is a malformed answer.
 * insert: events.insert with an event id chosen here (26 base32hex characters,
 * as Google allows), which makes the POST safe to repeat after a timeout, a
 * dropped connection or a 5xx: if an earlier attempt was stored and only its
 * answer was lost, the repeat gets 409 "duplicate", and the stored event is
 * then read back with events.get instead of being inserted twice.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "providers/calendar/calendar_backend.h"

#define URL_MAX 4096
#define MAX_PAGES 100

struct calendar_live {
  struct google_api *api;
  char *base_url;
  struct rate_limit limits[2];
};

struct calendar_live *calendar_live_new(struct google_api *api, const char *base_url, long per_second, long per_day,
                                        struct growth_error *err)
{
  struct calendar_live *live = calloc(1, sizeof *live);
  if (!live || !(live->base_url = strdup(base_url))) {
    free(live);
    error_set(err, ERR_NO_MEMORY, "calendar: out of memory");
    return NULL;
  }
  live->api = api;
  live->limits[0] = (struct rate_limit){ "calendar", per_second, 1000 };
  live->limits[1] = (struct rate_limit){ "calendar_daily", per_day, 86400000 };
  return live;
}

void calendar_live_free(struct calendar_live *live)
{
  if (!live)
    return;
  free(live->base_url);
  free(live);
}

static int malformed(size_t index, const char *field, struct growth_error *err)
{
  return error_set(err, ERR_UPSTREAM, "calendar.events: items[%zu] in the answer has no %s; expected Google's Event "
                                      "shape", index + 1, field);
}

/* Whether the calendar's owner (the attendee marked self) declined the event. */
static int declined_by_self(json_t *item)
{
  size_t i;
  json_t *attendee;
  json_array_foreach(json_object_get(item, "attendees"), i, attendee) {
    const char *response = json_string_value(json_object_get(attendee, "responseStatus"));
    if (json_is_true(json_object_get(attendee, "self")) && response && strcmp(response, "declined") == 0)
      return 1;
  }
  return 0;
}

/* One Google Event as {id, title, start, end, all_day, time_zone, busy, declined, event_type}; NULL with err
 * when malformed. */
static json_t *normalise(json_t *item, size_t index, const char *calendar_zone, struct growth_error *err)
{
  const char *id = json_string_value(json_object_get(item, "id"));
  json_t *start = json_object_get(item, "start"), *end = json_object_get(item, "end");
  if (!id)
    return malformed(index, "\"id\"", err), NULL;
  const char *start_time = json_string_value(json_object_get(start, "dateTime"));
  const char *end_time = json_string_value(json_object_get(end, "dateTime"));
  const char *start_date = json_string_value(json_object_get(start, "date"));
  const char *end_date = json_string_value(json_object_get(end, "date"));
  int all_day = start_date != NULL;
  if (all_day ? !end_date : (!start_time || !end_time))
    return malformed(index, "\"start\" and \"end\" with dateTime or date", err), NULL;
  /* Dates carry no zone (null, as in the local backend); times keep the event's zone or the calendar's. */
  const char *zone = all_day ? NULL : json_string_value(json_object_get(start, "timeZone"));
  if (!zone && !all_day)
    zone = calendar_zone;
  const char *title = json_string_value(json_object_get(item, "summary"));
  const char *transparency = json_string_value(json_object_get(item, "transparency"));
  const char *type = json_string_value(json_object_get(item, "eventType"));
  json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:b, s:b, s:s}", "id", id, "title", title ? title : "",
                            "start", all_day ? start_date : start_time, "end", all_day ? end_date : end_time, "all_day",
                            all_day, "time_zone", zone, "busy",
                            !(transparency && strcmp(transparency, "transparent") == 0), "declined",
                            declined_by_self(item), "event_type", type ? type : "default");
  if (!event)
    error_set(err, ERR_NO_MEMORY, "calendar.events: out of memory");
  return event;
}

static int list_url(struct calendar_live *live, const char *calendar_id, const struct calendar_window *window,
                    const char *page_token, char *out, struct growth_error *err)
{
  char *id = http_escape(calendar_id), *from = http_escape(window->from_text), *to = http_escape(window->to_text);
  char *token = page_token ? http_escape(page_token) : NULL;
  int length = -1;
  if (id && from && to && (!page_token || token))
    length = snprintf(out, URL_MAX, "%s/calendar/v3/calendars/%s/events?timeMin=%s&timeMax=%s&singleEvents=true"
                      "&orderBy=startTime&maxResults=250%s%s", live->base_url, id, from, to,
                      token ? "&pageToken=" : "", token ? token : "");
  free(id);
  free(from);
  free(to);
  free(token);
  if (length < 0 || length >= URL_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "calendar.events: the request URL is too long");
  return 0;
}

int calendar_live_events(struct calendar_live *live, const char *calendar_id, const struct calendar_window *window,
                         json_t **events, struct growth_error *err)
{
  json_t *result = json_array();
  char *page_token = NULL;
  char url[URL_MAX];
  if (!result)
    return error_set(err, ERR_NO_MEMORY, "calendar.events: out of memory");
  for (int page = 0;; page++) {
    if (page == MAX_PAGES) {
      error_set(err, ERR_UPSTREAM, "calendar.events: more than %d pages of events; narrow the window", MAX_PAGES);
      goto fail;
    }
    if (list_url(live, calendar_id, window, page_token, url, err) != 0)
      goto fail;
    struct http_request request = { .method = HTTP_GET, .url = url, .what = "calendar.events" };
    json_t *answer = google_api_call(live->api, live->limits, 2, &request, err);
    if (!answer)
      goto fail;
    json_t *items = json_object_get(answer, "items");
    if (items && !json_is_array(items)) {
      json_decref(answer);
      error_set(err, ERR_UPSTREAM, "calendar.events: \"items\" in the answer is not a list");
      goto fail;
    }
    const char *zone = json_string_value(json_object_get(answer, "timeZone"));
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
      const char *status = json_string_value(json_object_get(item, "status"));
      if (status && strcmp(status, "cancelled") == 0)
        continue;
      json_t *event = normalise(item, i, zone, err);
      if (!event || json_array_append_new(result, event) != 0) {
        json_decref(answer);
        goto fail;
      }
    }
    free(page_token);
    page_token = NULL;
    const char *next = json_string_value(json_object_get(answer, "nextPageToken"));
    if (next && !(page_token = strdup(next))) {
      json_decref(answer);
      error_set(err, ERR_NO_MEMORY, "calendar.events: out of memory");
      goto fail;
    }
    json_decref(answer);
    if (!page_token)
      break;
  }
  calendar_sort_events(result);
  *events = result;
  return 0;

fail:
  free(page_token);
  json_decref(result);
  return -1;
}

/* {"dateTime": t, "timeZone": z} or {"date": d}. */
static json_t *event_time(const char *text, const char *zone)
{
  if (strlen(text) == 10)
    return json_pack("{s:s}", "date", text);
  return json_pack("{s:s, s:s?}", "dateTime", text, "timeZone", zone);
}

/* 26 characters of base32hex (0-9, a-v): 130 random bits, valid as a client-chosen event id. */
static int new_event_id(char *out, struct growth_error *err)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
  unsigned char random[26];
  if (RAND_bytes(random, sizeof random) != 1)
    return error_set(err, ERR_INTERNAL, "calendar.insert: no random bytes for an event id");
  for (size_t i = 0; i < sizeof random; i++)
    out[i] = alphabet[random[i] & 31];
  out[sizeof random] = '\0';
  return 0;
}

/* The event an earlier, answered-too-late attempt stored. */
static json_t *read_back(struct calendar_live *live, const char *escaped_calendar, const char *event_id,
                         struct growth_error *err)
{
  char url[URL_MAX];
  snprintf(url, sizeof url, "%s/calendar/v3/calendars/%s/events/%s", live->base_url, escaped_calendar, event_id);
  struct http_request request = { .method = HTTP_GET, .url = url, .what = "calendar.insert (read back)" };
  return google_api_call(live->api, live->limits, 2, &request, err);
}

int calendar_live_insert(struct calendar_live *live, const char *calendar_id, json_t *event, json_t **out,
                         struct growth_error *err)
{
  char url[URL_MAX], new_id[32];
  if (new_event_id(new_id, err) != 0)
    return -1;
  char *id = http_escape(calendar_id);
  if (!id)
    return error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
  snprintf(url, sizeof url, "%s/calendar/v3/calendars/%s/events", live->base_url, id);
  const char *zone = json_string_value(json_object_get(event, "time_zone"));
  json_t *busy = json_object_get(event, "busy");
  json_t *body = json_pack("{s:s, s:O, s:s?, s:o, s:o, s:s}", "id", new_id, "summary", json_object_get(event, "title"),
                           "description", json_string_value(json_object_get(event, "description")), "start",
                           event_time(json_string_value(json_object_get(event, "start")), zone), "end",
                           event_time(json_string_value(json_object_get(event, "end")), zone), "transparency",
                           json_is_false(busy) ? "transparent" : "opaque");
  if (!body) {
    free(id);
    return error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
  }
  struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .repeat = HTTP_REPEAT_SAFE,
                                  .what = "calendar.insert" };
  json_t *answer = google_api_call(live->api, live->limits, 2, &request, err);
  json_decref(body);
  if (!answer && err->status == 409)
    answer = read_back(live, id, new_id, err);
  free(id);
  if (!answer)
    return -1;
  const char *event_id = json_string_value(json_object_get(answer, "id"));
  const char *link = json_string_value(json_object_get(answer, "htmlLink"));
  int result = 0;
  if (!event_id || !link)
    result = error_set(err, ERR_UPSTREAM, "calendar.insert: the answer has no %s; expected the stored Event",
                       event_id ? "\"htmlLink\"" : "\"id\"");
  else if (!(*out = json_pack("{s:s, s:s}", "id", event_id, "link", link)))
    result = error_set(err, ERR_NO_MEMORY, "calendar.insert: out of memory");
  json_decref(answer);
  return result;
}
