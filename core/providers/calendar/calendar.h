/*
 * calendar.h — calendar events for agents: list a window, insert an event.
 *
 * One interface, two backends. Live: Google Calendar v3 (events.list with
 * singleEvents=true, every page; events.insert). Local: the iCalendar file
 * named by GROWTH_CALENDAR_ICS, read with libical (RRULE, EXDATE and moved
 * instances expanded; TZID and all-day events handled), plus the events
 * inserted locally, which go to GROWTH_DATA_DIR/calendar/<calendar>.ics, a
 * file any calendar program can import.
 *
 * Both backends return events in one shape, sorted by start:
 *   {id, title, start, end, all_day, time_zone, busy, declined, event_type}
 * start and end are RFC 3339 with the event's own offset
 * ("2024-05-01T09:00:00+02:00"), or "YYYY-MM-DD" dates for all-day events
 * (end exclusive, as Google has it); time_zone is the IANA name or null;
 * busy is false for events marked free (transparent); declined is true when
 * the calendar's owner declined (live: the attendee marked self; local: the
 * ATTENDEE whose address is the calendar id, or, for an id that is not an
 * address such as "primary", when every ATTENDEE declined); event_type is
 * Google's eventType ("default", "outOfOffice", "focusTime", ...), locally
 * "outOfOffice" for X-MICROSOFT-CDO-BUSYSTATUS:OOF. Events overlapping the
 * window [from, to) are returned; cancelled ones are not.
 *
 * insert takes {title, start, end, description?, busy? (default true),
 * time_zone?}: start and end both RFC 3339 with offset, or both dates.
 * It returns {id, link}. Limits per call: "calendar" (per second) and
 * "calendar_daily".
 */
#ifndef GROWTH_PROVIDERS_CALENDAR_H
#define GROWTH_PROVIDERS_CALENDAR_H

#include <jansson.h>

#include "base/config.h"
#include "base/error.h"
#include "net/google_api.h"

struct calendar;

/* Live when api is non-NULL (borrowed), else local; production refuses local. */
struct calendar *calendar_open(const struct config *cfg, struct google_api *api, struct growth_error *err);
void calendar_free(struct calendar *calendar);

const char *calendar_backend(const struct calendar *calendar);

/* *events: the normalised events overlapping [from, to) (new reference). */
int calendar_events(struct calendar *calendar, const char *calendar_id, const char *from, const char *to,
                    json_t **events, struct growth_error *err);

/* *out {id, link} (new reference). */
int calendar_insert(struct calendar *calendar, const char *calendar_id, json_t *event, json_t **out,
                    struct growth_error *err);

#endif
