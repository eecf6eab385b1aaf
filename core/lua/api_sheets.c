/*
 * api_sheets.c — growth.sheets: spreadsheets for agents.
 *
 *   local sheets = require "growth.sheets"
 *   local book = sheets.create{ title = "Journal", headers = { "Date", "Energy" } }
 *   book.id, book.url                    --> "1AbC…", "https://docs.google.com/spreadsheets/d/1AbC…/edit"
 *   sheets.append(book.id, "Sheet1!A1", { { "2026-11-27", 7 }, { "2026-11-28", 8 } })
 *                                        --> { updated_range = "Sheet1!A2:B3", updated_rows = 2 }
 *   sheets.read(book.id, "Sheet1!A1:B")  --> { { "Date", "Energy" }, { "2026-11-27", "7" }, ... }
 *   sheets.ensure_sheet(book.id, { title = "Summaries", headers = { "Date", "Summary" } })
 *                                        --> { title = "Summaries", sheet_id = 1234, created = true, url = "…#gid=1234" }
 *
 * The backend is the process's (services_sheets): Google Sheets v4 when the
 * service account is set up, CSV files under GROWTH_DATA_DIR/sheets/ when
 * local. Every argument is checked here in the agent author's terms before
 * anything is sent: rows must be a list of tables, each a list of cells
 * (string, number, boolean, growth.json.null or a hole for an empty cell), so
 * `{ "a", nil, "c" }` is three cells. The rows are copied into a jansson array
 * held by an owner userdata while they are built, so an error raised halfway
 * frees it. Cells read back are strings, as Google formats them.
 */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua/args.h"
#include "lua/marshal.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/services.h"
#include "providers/sheets/sheets.h"

#define MAX_ROWS 10000
#define MAX_CELLS 1000

/* The job's Sheets backend, or raises bad_config with the reason it is missing. */
static struct sheets *job_sheets(lua_State *L, const char *function)
{
  const struct services_job *job = sandbox_services(L);
  const struct services *services = job ? job->services : NULL;
  struct growth_error err = { 0 };
  if (services_require(services, SERVICE_SHEETS, &err) != 0)
    args_raise_from(L, &err, function);
  return services_sheets(services);
}

static void out_of_memory(lua_State *L, const char *function)
{
  args_raise(L, ERR_NO_MEMORY, "%s: out of memory", function);
}

/* Pushes value (a new reference, stolen) into the array, raising when either is NULL. */
static void append_new(lua_State *L, const char *function, json_t *array, json_t *value)
{
  if (!value || json_array_append_new(array, value) != 0)
    out_of_memory(L, function);
}

/* One cell at the top of the stack as JSON; raises naming rows[i][j]. */
static json_t *read_cell(lua_State *L, const char *function, size_t row, lua_Integer column)
{
  char field[48];
  snprintf(field, sizeof field, "rows[%zu][%lld]", row, (long long)column);
  switch (lua_type(L, -1)) {
  case LUA_TSTRING: {
    size_t length;
    const char *text = lua_tolstring(L, -1, &length);
    json_t *cell = json_stringn(text, length);
    if (!cell)   /* the value is not quoted: it would carry the bad bytes into the message */
      args_raise(L, ERR_BAD_ARGUMENT, "%s: %s must be UTF-8 text", function, field);
    return cell;
  }
  case LUA_TNUMBER:
    if (lua_isinteger(L, -1))
      return json_integer((json_int_t)lua_tointeger(L, -1));
    if (!isfinite(lua_tonumber(L, -1)))
      args_error(L, function, field, "a finite number", -1);
    return json_real(lua_tonumber(L, -1));
  case LUA_TBOOLEAN:
    return json_boolean(lua_toboolean(L, -1));
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, -1) == NULL)   /* growth.json.null */
      return json_null();
    /* fall through */
  default:
    args_error(L, function, field, "a string, number, boolean or nil", -1);
    return NULL;
  }
}

/* Row i (1-based) at the top of the stack as a JSON array. */
static void read_row(lua_State *L, const char *function, size_t i, json_t *rows)
{
  int row = lua_gettop(L);
  char field[32];
  snprintf(field, sizeof field, "rows[%zu]", i);
  if (lua_type(L, row) != LUA_TTABLE)
    args_error(L, function, field, "a table (a list of cells)", row);
  lua_Integer last = 0;
  lua_pushnil(L);
  while (lua_next(L, row) != 0) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > MAX_CELLS)
      args_error(L, function, field, "a list of at most 1000 cells (keys 1, 2, 3 ...)", row);
    if (lua_tointeger(L, -1) > last)
      last = lua_tointeger(L, -1);
  }
  json_t *cells = json_array();
  append_new(L, function, rows, cells);
  for (lua_Integer column = 1; column <= last; column++) {
    lua_rawgeti(L, row, column);
    json_t *cell = lua_isnil(L, -1) ? json_null() : read_cell(L, function, i, column);
    append_new(L, function, cells, cell);
    lua_pop(L, 1);
  }
}

/* The rows argument at index as a JSON array owned by a new owner pushed on the stack. */
static json_t *read_rows(lua_State *L, int index, const char *function)
{
  size_t count = args_list(L, index, function, "rows", 0);
  if (count > MAX_ROWS)
    args_raise(L, ERR_BAD_ARGUMENT, "%s: rows has %zu rows; expected at most %d per call", function, count, MAX_ROWS);
  struct args_owner *owner = args_owner_push(L);
  if (!(owner->json = json_array()))
    out_of_memory(L, function);
  for (size_t i = 1; i <= count; i++) {
    lua_rawgeti(L, index, (lua_Integer)i);
    read_row(L, function, i, owner->json);
    lua_pop(L, 1);
  }
  return owner->json;
}

static const char *check_text(lua_State *L, int index, const char *function, const char *field, const char *what)
{
  if (lua_type(L, index) != LUA_TSTRING || lua_rawlen(L, index) == 0)
    args_error(L, function, field, what, index);
  return lua_tostring(L, index);
}

/* Pushes a provider's result (stolen) as Lua values; the owner frees it whatever happens. */
static int push_result(lua_State *L, json_t *result)
{
  struct args_owner *owner = args_owner_push(L);
  owner->json = result;
  marshal_push_json(L, result);
  return 1;
}

/* The spec table at index 1 ({title, headers?}) as JSON owned by a new owner pushed on the stack. */
static json_t *read_spec(lua_State *L, int index, const char *function)
{
  args_check_table(L, index, function);
  const char *title = args_string(L, index, function, "title", 1, 1, NULL);
  struct args_owner *owner = args_owner_push(L);
  if (!(owner->json = json_pack("{s:s}", "title", title)))
    out_of_memory(L, function);
  if (args_field(L, index, "headers") != LUA_TNIL) {
    int list = lua_gettop(L);
    size_t count = args_list(L, list, function, "headers", 1);
    json_t *headers = json_array();
    if (!headers || json_object_set_new(owner->json, "headers", headers) != 0)
      out_of_memory(L, function);
    for (size_t i = 1; i <= count; i++) {
      char field[32];
      snprintf(field, sizeof field, "headers[%zu]", i);
      lua_rawgeti(L, list, (lua_Integer)i);
      if (lua_type(L, -1) != LUA_TSTRING)
        args_error(L, function, field, "a string", -1);
      json_t *header = json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1));
      if (!header)
        args_raise(L, ERR_BAD_ARGUMENT, "%s: %s must be UTF-8 text", function, field);
      append_new(L, function, headers, header);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return owner->json;
}

static int sheets_create_book(lua_State *L)
{
  static const char function[] = "sheets.create";
  json_t *spec = read_spec(L, 1, function);
  char key[EFFECT_KEY_MAX];   /* inside ctx.step: the same spreadsheet when the step runs again */
  if (sandbox_next_effect_key(L, key, sizeof key) == 0 && json_object_set_new(spec, "key", json_string(key)) != 0)
    out_of_memory(L, function);
  struct sheets *sheets = job_sheets(L, function);
  struct growth_error err = { 0 };
  json_t *out = NULL;
  if (sheets_create(sheets, spec, &out, &err) != 0)
    return args_raise_from(L, &err, function);
  return push_result(L, out);
}

static int sheets_ensure_tab(lua_State *L)
{
  static const char function[] = "sheets.ensure_sheet";
  const char *id = check_text(L, 1, function, "id", "a spreadsheet id (a non-empty string)");
  json_t *spec = read_spec(L, 2, function);
  struct sheets *sheets = job_sheets(L, function);
  struct growth_error err = { 0 };
  json_t *out = NULL;
  if (sheets_ensure_sheet(sheets, id, spec, &out, &err) != 0)
    return args_raise_from(L, &err, function);
  return push_result(L, out);
}

static int sheets_append_rows(lua_State *L)
{
  static const char function[] = "sheets.append";
  const char *id = check_text(L, 1, function, "id", "a spreadsheet id (a non-empty string)");
  const char *range = check_text(L, 2, function, "range", "a range in A1 notation such as \"Sheet1!A1\"");
  json_t *rows = read_rows(L, 3, function);
  struct sheets *sheets = job_sheets(L, function);
  struct growth_error err = { 0 };
  json_t *out = NULL;
  if (sheets_append(sheets, id, range, rows, &out, &err) != 0)
    return args_raise_from(L, &err, function);
  return push_result(L, out);
}

static int sheets_read_rows(lua_State *L)
{
  static const char function[] = "sheets.read";
  const char *id = check_text(L, 1, function, "id", "a spreadsheet id (a non-empty string)");
  const char *range = check_text(L, 2, function, "range", "a range in A1 notation such as \"Sheet1!A1:C\"");
  struct sheets *sheets = job_sheets(L, function);
  struct growth_error err = { 0 };
  json_t *rows = NULL;
  if (sheets_read(sheets, id, range, &rows, &err) != 0)
    return args_raise_from(L, &err, function);
  return push_result(L, rows);
}

static const luaL_Reg sheets_functions[] = {
  { "create", sheets_create_book },
  { "append", sheets_append_rows },
  { "read", sheets_read_rows },
  { "ensure_sheet", sheets_ensure_tab },
  { NULL, NULL },
};

int api_sheets_open(lua_State *L)
{
  luaL_newlib(L, sheets_functions);
  return 1;
}
