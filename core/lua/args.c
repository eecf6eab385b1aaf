/*
 * args.c — argument checks and owners for the growth.* bindings (see args.h).
 */
#include "lua/args.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/sandbox.h"

#define SHOWN_MAX 40

int args_raise(lua_State *L, enum error_code code, const char *fmt, ...)
{
  struct growth_error err = { 0 };
  va_list ap;
  va_start(ap, fmt);
  error_setv(&err, code, fmt, ap);
  va_end(ap);
  return sandbox_raise(L, &err);
}

/* Length of the valid UTF-8 sequence at text (at most left bytes), or 0. */
static size_t utf8_sequence(const unsigned char *text, size_t left)
{
  size_t length = text[0] < 0x80 ? 1 : (text[0] & 0xE0) == 0xC0 ? 2 : (text[0] & 0xF0) == 0xE0 ? 3
                                                       : (text[0] & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || length > left || (length == 2 && text[0] < 0xC2))
    return 0;
  for (size_t i = 1; i < length; i++)
    if ((text[i] & 0xC0) != 0x80)
      return 0;
  return length;
}

/* Copies at most SHOWN_MAX bytes of text into out, quoted: control characters and bytes that are not
 * UTF-8 become '?', so a message never carries a line break or invalid text into logs and JSON. */
static void quote_shown(const char *text, size_t length, char *out, size_t size)
{
  const unsigned char *p = (const unsigned char *)text;
  size_t used = 0, shown = length < SHOWN_MAX ? length : SHOWN_MAX;
  out[used++] = '"';
  for (size_t i = 0; i < shown && used + 6 < size;) {
    size_t sequence = utf8_sequence(p + i, shown - i);
    if (sequence <= 1 || i + sequence > shown) {
      out[used++] = sequence == 1 && p[i] >= 0x20 && p[i] != 0x7F ? (char)p[i] : '?';
      i++;
      continue;
    }
    memcpy(out + used, p + i, sequence);
    used += sequence;
    i += sequence;
  }
  snprintf(out + used, size - used, "%s\"", length > SHOWN_MAX ? "..." : "");
}

int args_error(lua_State *L, const char *function, const char *field, const char *what, int index)
{
  char got[SHOWN_MAX * 2 + 16];
  if (lua_type(L, index) == LUA_TSTRING) {
    size_t length;
    const char *text = lua_tolstring(L, index, &length);
    quote_shown(text, length, got, sizeof got);
  } else if (lua_type(L, index) == LUA_TNUMBER) {
    snprintf(got, sizeof got, "%.14g", (double)lua_tonumber(L, index));
  } else {
    snprintf(got, sizeof got, "%s", lua_type(L, index) == LUA_TNONE ? "nothing" : luaL_typename(L, index));
  }
  return args_raise(L, ERR_BAD_ARGUMENT, "%s: %s must be %s, got %s", function, field, what, got);
}

int args_raise_from(lua_State *L, struct growth_error *err, const char *function)
{
  static const char *const prefixes[] = { "sms: ", "llm: ", "pdf: ", "mail: ", "sheets: ", "calendar: ", "drive: " };
  size_t own = strlen(function);
  /* the Google providers name the call themselves ("sheets.append: rows[3] ...") */
  if (strncmp(err->message, function, own) == 0 && err->message[own] == ':')
    return sandbox_raise(L, err);
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t length = strlen(prefixes[i]);
    if (strncmp(err->message, prefixes[i], length) == 0) {
      memmove(err->message, err->message + length, strlen(err->message + length) + 1);
      break;
    }
  }
  error_prefix(err, "%s", function);
  return sandbox_raise(L, err);
}

void args_check_table(lua_State *L, int index, const char *function)
{
  if (lua_type(L, index) != LUA_TTABLE)
    args_error(L, function, "the argument", "a table of named fields", index);
}

int args_field(lua_State *L, int index, const char *field)
{
  index = lua_absindex(L, index);
  lua_pushstring(L, field);
  return lua_rawget(L, index);
}

const char *args_string(lua_State *L, int table, const char *function, const char *field, int required,
                        int non_empty, size_t *length)
{
  int type = args_field(L, table, field);
  const char *text = NULL;
  size_t size = 0;
  if (type == LUA_TSTRING) {
    text = lua_tolstring(L, -1, &size);
    if (non_empty && size == 0)
      args_error(L, function, field, "a non-empty string", -1);
  } else if (type != LUA_TNIL || required) {
    args_error(L, function, field, non_empty ? "a non-empty string" : "a string", -1);
  }
  lua_pop(L, 1);   /* the table still holds the string */
  if (length)
    *length = size;
  return text;
}

lua_Number args_number(lua_State *L, int table, const char *function, const char *field, lua_Number min,
                       lua_Number max, lua_Number fallback)
{
  int type = args_field(L, table, field);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return fallback;
  }
  lua_Number value = lua_tonumber(L, -1);
  if (type != LUA_TNUMBER || !(value >= min && value <= max)) {
    char what[96];
    snprintf(what, sizeof what, "a number from %g to %g", (double)min, (double)max);
    args_error(L, function, field, what, -1);
  }
  lua_pop(L, 1);
  return value;
}

size_t args_list(lua_State *L, int index, const char *function, const char *field, int allow_empty)
{
  index = lua_absindex(L, index);
  const char *what = allow_empty ? "a list" : "a non-empty list";
  if (lua_type(L, index) != LUA_TTABLE)
    args_error(L, function, field, what, index);
  size_t length = (size_t)lua_rawlen(L, index);
  size_t keys = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    keys++;
    lua_Integer key = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (keys > length || key < 1 || (size_t)key > length) {
      lua_pop(L, 1);
      args_error(L, function, field, what, index);
    }
  }
  if (keys != length || (length == 0 && !allow_empty))
    args_error(L, function, field, what, index);
  return length;
}

static int owner_gc(lua_State *L)
{
  struct args_owner *owner = lua_touserdata(L, 1);
  free(owner->memory);
  json_decref(owner->json);
  owner->memory = NULL;
  owner->json = NULL;
  return 0;
}

struct args_owner *args_owner_push(lua_State *L)
{
  struct args_owner *owner = lua_newuserdatauv(L, sizeof *owner, 0);
  owner->memory = NULL;
  owner->json = NULL;
  if (luaL_newmetatable(L, "growth.args_owner")) {
    lua_pushcfunction(L, owner_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return owner;
}
