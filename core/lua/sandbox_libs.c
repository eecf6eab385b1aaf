/*
 * sandbox_libs.c — the globals a job sees: the safe parts of Lua's standard
 * library, some of them wrapped.
 *
 * Opened: base, coroutine, table, string, math, utf8, and a table `os` with
 * only time, date and clock. Never opened: io, debug, package, the rest of os.
 * Removed from base: dofile, loadfile. Removed from string: dump.
 *
 * Wrapped, each for one reason:
 *   pcall, xpcall, coroutine.resume, coroutine.close — they catch errors; once
 *     the VM is killed they raise the kill again instead of returning it, so a
 *     timeout or memory_limit cannot be swallowed (pcall and xpcall are rewritten
 *     with lua_pcallk, like lbaselib.c, so a coroutine can still yield inside them);
 *   load — text only: the mode argument is forced to "t", so no bytecode;
 *   setmetatable — refuses a metatable with a __gc field: Lua runs finalisers with
 *     hooks off, so a finaliser could loop forever out of reach of the time limit;
 *   collectgarbage — only "collect", "count", "step" and "isrunning";
 *   print — writes a log line instead of the process's stdout (which carries
 *     `growthd run`'s result);
 *   string.rep — an empty piece repeated 2^62 times loops in C without limit, a
 *     result over the memory cap is refused before it is built, and the copying is
 *     charged to the instruction budget (so the deadline is checked during it);
 *   table.concat, insert, remove, move, sort — they walk a range the script picks
 *     (through __len) in C, so the range is capped at TABLE_RANGE_MAX;
 *   string.find, match, gmatch, gsub — the matcher charges its steps
 *     (sandbox_pattern.c).
 */
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

#include "base/log.h"
#include "lua/sandbox_internal.h"

/* The largest range table functions walk in C: 4M elements is more than 64 MB of table anyway. */
#define TABLE_RANGE_MAX (1 << 22)
/* Bytes a C function copies per "instruction" charged to the budget (and per deadline check). */
#define BYTES_PER_STEP 64

static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
  if (status != LUA_OK && status != LUA_YIELD) {
    sandbox_rethrow_kill(L, status);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

static int safe_pcall(lua_State *L)
{
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
  return finish_pcall(L, status, 0);
}

static int safe_xpcall(lua_State *L)
{
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
  return finish_pcall(L, status, 2);
}

/* Calls the original function (upvalue 1) with all arguments and returns all its results. */
static int call_original(lua_State *L)
{
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* coroutine.resume and coroutine.close answer false, error: keep a kill travelling. */
static int safe_catching(lua_State *L)
{
  int results = call_original(L);
  if (results >= 1 && lua_type(L, 1) == LUA_TBOOLEAN && !lua_toboolean(L, 1)) {
    int status = LUA_ERRRUN;
    if (results >= 2 && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "not enough memory") == 0)
      status = LUA_ERRMEM;
    sandbox_rethrow_kill(L, status);
  }
  return results;
}

static int safe_load(lua_State *L)
{
  int n = lua_gettop(L);
  luaL_checkany(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING)
    sandbox_charge(L, lua_rawlen(L, 1) / BYTES_PER_STEP);   /* compiling runs in C */
  if (n < 3) {
    lua_settop(L, 2);
    lua_pushliteral(L, "t");
  } else {
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
  }
  return call_original(L);
}

static int safe_setmetatable(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    int has_gc = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (has_gc)
      return luaL_error(L, "setmetatable: a metatable with __gc is not allowed in agents "
                           "(finalisers would run outside the time limit); use <close> variables instead");
  }
  return call_original(L);
}

static int safe_collectgarbage(lua_State *L)
{
  static const char *const allowed[] = { "collect", "count", "step", "isrunning", NULL };
  luaL_checkoption(L, 1, "collect", allowed);
  return call_original(L);
}

static int safe_print(lua_State *L)
{
  int n = lua_gettop(L);
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  for (int i = 1; i <= n; i++) {
    if (i > 1)
      luaL_addchar(&buffer, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  log_info("Lua", "%s", lua_tostring(L, -1));
  return 0;
}

static int safe_rep(lua_State *L)
{
  size_t length, separator_length = 0;
  luaL_checklstring(L, 1, &length);
  lua_Integer count = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &separator_length);
  if (count <= 0 || length + separator_length == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  size_t piece = length + separator_length;
  /* lstrlib builds the result in a buffer, then copies it into the string: twice the size at once.
   * Its buffer does not trigger Lua's emergency collection, so collect here when room is short. */
  if (piece > sandbox_memory_left(L) / 2 / (size_t)count) {
    lua_gc(L, LUA_GCCOLLECT);
    if (piece > sandbox_memory_left(L) / 2 / (size_t)count)
      return sandbox_raise_memory(L);
  }
  sandbox_charge(L, piece * (uint64_t)count / BYTES_PER_STEP);   /* the copy runs in C, unseen by the hook */
  return call_original(L);
}

/* Checks that the range [first, last] of a table function is at most TABLE_RANGE_MAX long, and
 * charges the walk to the budget. */
static void check_range(lua_State *L, lua_Integer first, lua_Integer last, const char *function)
{
  if (last < first)
    return;
  lua_Unsigned span = (lua_Unsigned)last - (lua_Unsigned)first;
  if (span >= TABLE_RANGE_MAX)
    luaL_error(L, "%s: the range %I..%I is longer than %d elements", function, first, last, TABLE_RANGE_MAX);
  sandbox_charge(L, span + 1);
}

static int safe_concat(lua_State *L)
{
  lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
  check_range(L, luaL_optinteger(L, 3, 1), last, "table.concat");
  return call_original(L);
}

static int safe_insert_remove(lua_State *L)
{
  if (lua_gettop(L) >= 2)   /* insert with a position, or remove: they shift up to #t */
    check_range(L, 1, luaL_len(L, 1), "table.insert/remove");
  return call_original(L);
}

static int safe_move(lua_State *L)
{
  check_range(L, luaL_checkinteger(L, 2), luaL_checkinteger(L, 3), "table.move");
  return call_original(L);
}

static int safe_sort(lua_State *L)
{
  check_range(L, 1, luaL_len(L, 1), "table.sort");
  return call_original(L);
}

/* Replaces table[name] by wrapper, with the original as its upvalue. */
static void wrap(lua_State *L, int table, const char *name, lua_CFunction wrapper)
{
  table = lua_absindex(L, table);
  lua_getfield(L, table, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, table, name);
}

static void remove_field(lua_State *L, int table, const char *name)
{
  table = lua_absindex(L, table);
  lua_pushnil(L);
  lua_setfield(L, table, name);
}

static void open_base(lua_State *L, int globals)
{
  luaL_requiref(L, "_G", luaopen_base, 0);
  lua_pop(L, 1);
  remove_field(L, globals, "dofile");
  remove_field(L, globals, "loadfile");
  lua_pushcfunction(L, safe_pcall);
  lua_setfield(L, globals, "pcall");
  lua_pushcfunction(L, safe_xpcall);
  lua_setfield(L, globals, "xpcall");
  lua_pushcfunction(L, safe_print);
  lua_setfield(L, globals, "print");
  lua_pushcfunction(L, sandbox_require);
  lua_setfield(L, globals, "require");
  wrap(L, globals, "load", safe_load);
  wrap(L, globals, "setmetatable", safe_setmetatable);
  wrap(L, globals, "collectgarbage", safe_collectgarbage);
}

static void open_library(lua_State *L, int globals, const char *name, lua_CFunction open)
{
  luaL_requiref(L, name, open, 0);
  lua_setfield(L, globals, name);
}

static void open_os(lua_State *L, int globals)
{
  static const char *const kept[] = { "time", "date", "clock" };
  luaL_requiref(L, "os", luaopen_os, 0);
  lua_createtable(L, 0, 3);
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
    lua_getfield(L, -2, kept[i]);
    lua_setfield(L, -2, kept[i]);
  }
  lua_setfield(L, globals, "os");
  lua_pop(L, 1);
}

void sandbox_libs_open(lua_State *L)
{
  lua_pushglobaltable(L);
  int globals = lua_gettop(L);
  open_base(L, globals);

  open_library(L, globals, "coroutine", luaopen_coroutine);
  lua_getfield(L, globals, "coroutine");
  wrap(L, -1, "resume", safe_catching);
  wrap(L, -1, "close", safe_catching);
  lua_pop(L, 1);

  open_library(L, globals, "table", luaopen_table);
  lua_getfield(L, globals, "table");
  wrap(L, -1, "concat", safe_concat);
  wrap(L, -1, "insert", safe_insert_remove);
  wrap(L, -1, "remove", safe_insert_remove);
  wrap(L, -1, "move", safe_move);
  wrap(L, -1, "sort", safe_sort);
  lua_pop(L, 1);

  open_library(L, globals, "string", luaopen_string);
  lua_getfield(L, globals, "string");
  remove_field(L, -1, "dump");
  wrap(L, -1, "rep", safe_rep);
  sandbox_pattern_install(L, -1);
  lua_pop(L, 1);

  open_library(L, globals, "math", luaopen_math);
  open_library(L, globals, "utf8", luaopen_utf8);
  open_os(L, globals);
  lua_pop(L, 1);
}
