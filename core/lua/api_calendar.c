/*
 * api_calendar.c — growth.calendar: calendar events for agents.
 *
 *   local calendar = require "growth.calendar"
 *   local events = calendar.events("primary", "2026-11-30T00:00:00+01:00", "2026-12-07T00:00:00+01:00")
 *   events[1]   --> { id = "standup…_20261130T083000Z", title = "Team stand-up",
 *                     start = "2026-11-30T09:30:00+01:00", ["end"] = "2026-11-30T09:45:00+01:00",
 *                     allDay = false, timeZone = "Europe/Berlin", busy = true, declined = false,
 *                     eventType = "default" }
 *   calendar.insert("primary", { title = "[Pause] Breathe", start = "2026-11-30T11:00:00+01:00",
 *                                ["end"] = "2026-11-30T11:20:00+01:00", busy = true,
 *                                description = "…", timeZone = "Europe/Berlin" })
 *                --> { id = "…", link = "https://www.google.com/calendar/event?eid=…" }
 *
 * The backend is the process's (services_calendar): Google Calendar v3, or the
 * iCalendar file of GROWTH_CALENDAR_ICS plus the locally inserted events. The
 * window's ends and an event's start and end are RFC 3339 texts with an offset
 * or, for convenience, epoch seconds (sent as UTC); all-day events use
 * "YYYY-MM-DD" dates, end exclusive. Events come back in one shape whichever
 * the backend, with the field names of Google's API (allDay, timeZone,
 * eventType); the provider's snake_case names are renamed here. An event given
 * to insert may hold only the fields above: a misspelt one is a bad_argument,
 * not a silently dropped detail.
 */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua/args.h"
#include "lua/marshal.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/calendar/calendar.h"
#include "providers/calendar/calendar_time.h"
#include "providers/services.h"

#define TIME_TEXT_MAX 40

static struct calendar *job_calendar(lua_State *L, const char *function)
{
  const struct services_job *job = sandbox_services(L);
  const struct services *services = job ? job->services : NULL;
  struct growth_error err = { 0 };
  if (services_require(services, SERVICE_CALENDAR, &err) != 0)
    args_raise_from(L, &err, function);
  return services_calendar(services);
}

static const char *check_calendar_id(lua_State *L, int index, const char *function)
{
  if (lua_type(L, index) != LUA_TSTRING || lua_rawlen(L, index) == 0)
    args_error(L, function, "calendarId", "a calendar id such as \"primary\" or an address", index);
  return lua_tostring(L, index);
}

/* A time at index: a string as it is, or epoch seconds written into buffer as UTC RFC 3339. */
static const char *read_time(lua_State *L, int index, const char *function, const char *field, char *buffer)
{
  if (lua_type(L, index) == LUA_TSTRING)
    return lua_tostring(L, index);
  if (lua_type(L, index) == LUA_TNUMBER) {
    lua_Number seconds = lua_tonumber(L, index);
    if (!isfinite(seconds) || seconds < 0 || seconds > 253402300799.0)   /* 9999-12-31T23:59:59Z */
      args_error(L, function, field, "epoch seconds between 1970 and 9999", index);
    calendar_time_format((int64_t)floor(seconds), 0, buffer, TIME_TEXT_MAX);
    return buffer;
  }
  return args_error(L, function, field, "an RFC 3339 time (\"2026-11-30T09:00:00+01:00\") or epoch seconds",
                    index), NULL;
}

/* Renames the provider's key to the Lua API's name in every event. */
static void rename_key(json_t *event, const char *from, const char *to)
{
  json_t *value = json_object_get(event, from);
  if (!value)
    return;
  json_object_set(event, to, value);
  json_object_del(event, from);
}

static int calendar_list_events(lua_State *L)
{
  static const char function[] = "calendar.events";
  char from_text[TIME_TEXT_MAX], to_text[TIME_TEXT_MAX];
  const char *calendar_id = check_calendar_id(L, 1, function);
  const char *from = read_time(L, 2, function, "from", from_text);
  const char *to = read_time(L, 3, function, "to", to_text);
  struct calendar *calendar = job_calendar(L, function);
  struct growth_error err = { 0 };
  struct args_owner *owner = args_owner_push(L);
  if (calendar_events(calendar, calendar_id, from, to, &owner->json, &err) != 0)
    return args_raise_from(L, &err, function);
  size_t i;
  json_t *event;
  json_array_foreach(owner->json, i, event) {
    rename_key(event, "all_day", "allDay");
    rename_key(event, "time_zone", "timeZone");
    rename_key(event, "event_type", "eventType");
  }
  marshal_push_json(L, owner->json);
  return 1;
}

static const char *const insert_fields[] = { "title", "start", "end", "description", "busy", "timeZone", NULL };

/* Refuses keys of the event table other than insert_fields. */
static void check_event_keys(lua_State *L, int event, const char *function)
{
  lua_pushnil(L);
  while (lua_next(L, event) != 0) {
    lua_pop(L, 1);
    int known = 0;
    for (size_t i = 0; lua_type(L, -1) == LUA_TSTRING && insert_fields[i] && !known; i++)
      known = strcmp(lua_tostring(L, -1), insert_fields[i]) == 0;
    if (!known) {
      const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
      args_raise(L, ERR_BAD_ARGUMENT, "%s: event.%.60s is not a field of an event; expected title, start, end, "
                 "description, busy or timeZone", function, key);
    }
  }
}

static int calendar_insert_event(lua_State *L)
{
  static const char function[] = "calendar.insert";
  char start_text[TIME_TEXT_MAX], end_text[TIME_TEXT_MAX];
  const char *calendar_id = check_calendar_id(L, 1, function);
  if (lua_type(L, 2) != LUA_TTABLE)
    args_error(L, function, "event", "a table { title = ..., start = ..., [\"end\"] = ... }", 2);
  check_event_keys(L, 2, function);
  if (args_field(L, 2, "title") != LUA_TSTRING || lua_rawlen(L, -1) == 0)
    args_error(L, function, "event.title", "a non-empty string", -1);
  const char *title = lua_tostring(L, -1);
  args_field(L, 2, "start");
  const char *start = read_time(L, -1, function, "event.start", start_text);
  args_field(L, 2, "end");
  const char *end = read_time(L, -1, function, "event.end", end_text);
  const char *description = NULL, *zone = NULL;
  int busy_type = args_field(L, 2, "busy");
  if (busy_type != LUA_TNIL && busy_type != LUA_TBOOLEAN)
    args_error(L, function, "event.busy", "a boolean", -1);
  int busy = busy_type == LUA_TNIL ? 1 : lua_toboolean(L, -1);
  if (args_field(L, 2, "description") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      args_error(L, function, "event.description", "a string", -1);
    description = lua_tostring(L, -1);
  }
  if (args_field(L, 2, "timeZone") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
      args_error(L, function, "event.timeZone", "an IANA zone name such as \"Europe/Berlin\"", -1);
    zone = lua_tostring(L, -1);
  }
  struct args_owner *owner = args_owner_push(L);
  owner->json = json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?}", "title", title, "start", start, "end", end, "busy",
                          busy, "description", description, "time_zone", zone);
  if (!owner->json)
    return args_raise(L, ERR_BAD_ARGUMENT, "%s: event.title, event.description and event.timeZone must be UTF-8 "
                      "text", function);
  json_t *out = NULL;
  struct growth_error err = { 0 };
  struct calendar *calendar = job_calendar(L, function);
  if (calendar_insert(calendar, calendar_id, owner->json, &out, &err) != 0)
    return args_raise_from(L, &err, function);
  struct args_owner *result = args_owner_push(L);
  result->json = out;
  marshal_push_json(L, out);
  return 1;
}

static const luaL_Reg calendar_functions[] = {
  { "events", calendar_list_events },
  { "insert", calendar_insert_event },
  { NULL, NULL },
};

int api_calendar_open(lua_State *L)
{
  luaL_newlib(L, calendar_functions);
  return 1;
}
