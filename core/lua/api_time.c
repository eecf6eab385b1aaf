/*
 * api_time.c — growth.time: the clock for agents, in UTC.
 *
 *   local time = require "growth.time"
 *   time.now()                 --> 1795772400.123 (seconds since the epoch, with ms)
 *   time.iso()                 --> "2026-11-27T09:30:00.123Z" (now, or of given seconds)
 *   time.parse("2026-11-27T10:00:00+01:00")  --> 1795770000 (nil, message when malformed)
 *   time.date(seconds?)        --> "2026-11-27"
 *   time.monotonic_ms()        --> milliseconds of a clock that never jumps (for durations)
 */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "lua/modules.h"

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

static const luaL_Reg time_functions[] = {
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
