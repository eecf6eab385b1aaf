/*
 * calendar_backend.h — what calendar.c calls in each backend (internal to core/providers/calendar).
 * Arguments arrive checked: from < to as parsed instants; the event has title, start and end of one
 * kind with end after start, and optional description (string), busy (boolean), time_zone (string).
 */
#ifndef GROWTH_PROVIDERS_CALENDAR_BACKEND_H
#define GROWTH_PROVIDERS_CALENDAR_BACKEND_H

#include <jansson.h>
#include <stdint.h>

#include "base/error.h"
#include "net/google_api.h"

struct calendar_window {
  const char *from_text, *to_text;
  int64_t from, to;       /* Unix seconds */
};

struct calendar_live;
struct calendar_live *calendar_live_new(struct google_api *api, const char *base_url, long per_second, long per_day,
                                        struct growth_error *err);
void calendar_live_free(struct calendar_live *live);
int calendar_live_events(struct calendar_live *live, const char *calendar_id, const struct calendar_window *window,
                         json_t **events, struct growth_error *err);
int calendar_live_insert(struct calendar_live *live, const char *calendar_id, json_t *event, json_t **out,
                         struct growth_error *err);

/* Shared by calendar_local.c (reading) and calendar_outbox.c (inserting). */
struct calendar_local {
  char *ics_path;       /* GROWTH_CALENDAR_ICS; NULL when unset */
  char *data_dir;
};

struct calendar_local *calendar_local_new(const char *ics_path, const char *data_dir, struct growth_error *err);
void calendar_local_free(struct calendar_local *local);
int calendar_local_events(struct calendar_local *local, const char *calendar_id, const struct calendar_window *window,
                          json_t **events, struct growth_error *err);
int calendar_local_insert(struct calendar_local *local, const char *calendar_id, json_t *event, json_t **out,
                          struct growth_error *err);

/* The .ics file of locally inserted events for calendar_id (escaped). */
int calendar_outbox_path(const char *data_dir, const char *calendar_id, char *out, size_t size,
                         struct growth_error *err);

/* Sorts normalised events by start instant (all-day dates at midnight UTC). */
void calendar_sort_events(json_t *events);

#endif
