/*
 * api_time.c — growth.time: the clock for agents, in UTC.
 *
 *   local time = require "growth.time"
 *   time.now()                 --> 1795772400.123 (seconds since the epoch, with ms)
 *   time.iso()                 --> "2026-11-27T09:30:00.123Z" (now, or of given seconds)
 *   time.parse("2026-11-27T10:00:00+01:00")  --> 1795770000 (nil, message when malformed)
 *   time.date(seconds?)        --> "2026-11-27"
 *   time.monotonic_ms()        --> milliseconds of a clock that never jumps (for durations)
 *
 * Local time, for agents that plan in the user's zone (lib/civil.lua, lib/rhythm.lua):
 *   local berlin = time.zone("Europe/Berlin")     -- bad_argument for an unknown zone
 *   berlin.name                                    --> "Europe/Berlin"
 *   berlin:to_local(1795770000)   --> { year, month, day, hour, min, sec, wday (1 = Monday), yday,
 *                                       offset_s (seconds east of UTC), is_dst }
 *   berlin:from_local(2026, 3, 29, 2, 30)          --> epoch of 03:30 CEST (a gap moves forward)
 * to_local and from_local are closures over the zone, so they also work called with a dot
 * (berlin.to_local(t)) and can be handed to lib code as plain functions. The zones come from
 * providers/calendar/calendar_zone.h (libical, the system's tz database), never from TZ.
 */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "lua/args.h"
#include "lua/modules.h"
#include "providers/calendar/calendar_zone.h"

static int time_now(lua_State *L)
{
  lua_pushnumber(L, (lua_Number)clock_wall_ms() / 1000.0);
  return 1;
}

static int64_t optional_ms(lua_State *L, int index)
{
  if (lua_isnoneornil(L, index))
    return clock_wall_ms();
  return (int64_t)(luaL_checknumber(L, index) * 1000.0);
}

static int time_iso(lua_State *L)
{
  char text[40];
  clock_format_iso(optional_ms(L, 1), text, sizeof text);
  lua_pushstring(L, text);
  return 1;
}

static int time_date(lua_State *L)
{
  time_t seconds = (time_t)(optional_ms(L, 1) / 1000);
  struct tm tm;
  char text[32];
  if (!gmtime_r(&seconds, &tm))
    return luaL_argerror(L, 1, "time out of range");
  strftime(text, sizeof text, "%Y-%m-%d", &tm);
  lua_pushstring(L, text);
  return 1;
}

static int fail(lua_State *L, const char *text)
{
  lua_pushnil(L);
  lua_pushfstring(L, "'%s' is not an ISO-8601 date or time; expected 2026-11-27 or 2026-11-27T09:30:00Z", text);
  return 2;
}

/* Accepts YYYY-MM-DD, optionally followed by THH:MM[:SS[.fff]] and Z or +HH:MM / -HH:MM (default UTC). */
static int time_parse(lua_State *L)
{
  const char *text = luaL_checkstring(L, 1);
  struct tm tm = { 0 };
  int used = 0;
  double seconds = 0;
  if (sscanf(text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &used) != 3 || used != 10)
    return fail(L, text);
  const char *p = text + used;
  if (*p == 'T' || *p == ' ') {
    int hour, minute, n = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &hour, &minute, &n) != 2 || n != 5)
      return fail(L, text);
    p += 1 + n;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    if (*p == ':') {
      if (sscanf(p + 1, "%lf%n", &seconds, &n) != 1 || seconds < 0 || seconds >= 61)
        return fail(L, text);
      p += 1 + n;
    }
  }
  int offset_minutes = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int hours, minutes, n = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &hours, &minutes, &n) != 2 || n != 5)
      return fail(L, text);
    offset_minutes = (hours * 60 + minutes) * (*p == '-' ? -1 : 1);
    p += 1 + n;
  }
  if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59)
    return fail(L, text);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t base = timegm(&tm);
  lua_Number result = (lua_Number)base + seconds - offset_minutes * 60.0;
  lua_Integer whole;
  if (lua_numbertointeger(result, &whole) && (lua_Number)whole == result)
    lua_pushinteger(L, whole);
  else
    lua_pushnumber(L, result);
  return 1;
}

static int time_monotonic_ms(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)clock_monotonic_ms());
  return 1;
}

/* The first argument index after the zone table a colon call passes. */
static int zone_arguments(lua_State *L)
{
  return lua_type(L, 1) == LUA_TTABLE ? 2 : 1;
}

static const struct calendar_zone *upvalue_zone(lua_State *L)
{
  return lua_touserdata(L, lua_upvalueindex(1));
}

static void set_integer(lua_State *L, const char *key, lua_Integer value)
{
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

static int zone_to_local(lua_State *L)
{
  static const char function[] = "zone:to_local";
  int index = zone_arguments(L);
  lua_Number seconds = lua_tonumber(L, index);
  /* 1900-01-01 .. 2199-12-31 */
  if (lua_type(L, index) != LUA_TNUMBER || !(seconds >= -2208988800.0 && seconds < 7258118400.0))
    args_error(L, function, "epoch", "epoch seconds between the years 1900 and 2199", index);
  struct calendar_local_time t;
  calendar_zone_to_local(upvalue_zone(L), (int64_t)floor(seconds), &t);
  lua_createtable(L, 0, 10);
  set_integer(L, "year", t.year);
  set_integer(L, "month", t.month);
  set_integer(L, "day", t.day);
  set_integer(L, "hour", t.hour);
  set_integer(L, "min", t.min);
  set_integer(L, "sec", t.sec);
  set_integer(L, "wday", t.wday);
  set_integer(L, "yday", t.yday);
  set_integer(L, "offset_s", t.offset_s);
  lua_pushboolean(L, t.is_dst);
  lua_setfield(L, -2, "is_dst");
  return 1;
}

static int integer_argument(lua_State *L, int index, const char *field, int min, int max)
{
  char what[64];
  if (lua_isinteger(L, index) && lua_tointeger(L, index) >= min && lua_tointeger(L, index) <= max)
    return (int)lua_tointeger(L, index);
  snprintf(what, sizeof what, "an integer from %d to %d", min, max);
  return args_error(L, "zone:from_local", field, what, index);
}

static int zone_from_local(lua_State *L)
{
  int index = zone_arguments(L);
  int year = integer_argument(L, index, "year", CALENDAR_ZONE_YEAR_MIN, CALENDAR_ZONE_YEAR_MAX);
  int month = integer_argument(L, index + 1, "month", 1, 12);
  int day = integer_argument(L, index + 2, "day", 1, calendar_zone_days_in_month(year, month));
  int hour = integer_argument(L, index + 3, "hour", 0, 23);
  int min = lua_isnoneornil(L, index + 4) ? 0 : integer_argument(L, index + 4, "min", 0, 59);
  int sec = lua_isnoneornil(L, index + 5) ? 0 : integer_argument(L, index + 5, "sec", 0, 59);
  lua_pushinteger(L, (lua_Integer)calendar_zone_from_local(upvalue_zone(L), year, month, day, hour, min, sec));
  return 1;
}

static int time_zone(lua_State *L)
{
  if (lua_type(L, 1) != LUA_TSTRING)
    return args_error(L, "time.zone", "the name", "an IANA time zone name such as \"Europe/Berlin\"", 1);
  const struct calendar_zone *zone = calendar_zone_find(lua_tostring(L, 1));
  if (!zone)
    return args_error(L, "time.zone", "the name", "a time zone of the tz database such as \"Europe/Berlin\"", 1);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, calendar_zone_name(zone));
  lua_setfield(L, -2, "name");
  lua_pushlightuserdata(L, (void *)zone);
  lua_pushcclosure(L, zone_to_local, 1);
  lua_setfield(L, -2, "to_local");
  lua_pushlightuserdata(L, (void *)zone);
  lua_pushcclosure(L, zone_from_local, 1);
  lua_setfield(L, -2, "from_local");
  return 1;
}

static const luaL_Reg time_functions[] = {
  { "zone", time_zone },
  { "now", time_now },
  { "iso", time_iso },
  { "date", time_date },
  { "parse", time_parse },
  { "monotonic_ms", time_monotonic_ms },
  { NULL, NULL },
};

int api_time_open(lua_State *L)
{
  luaL_newlib(L, time_functions);
  return 1;
}
