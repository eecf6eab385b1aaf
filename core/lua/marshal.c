/*
 * marshal.c — JSON <-> Lua conversion (see marshal.h).
 *
 * Lua to JSON walks the value recursively with a depth cap (which also stops
 * cycles) and a byte budget that counts about what the encoded JSON will take,
 * so a huge return value is refused while it is being converted, not after.
 */
#include "lua/marshal.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MARSHAL_MAX_DEPTH 64
#define MARSHAL_PATH_MAX 256

struct marshal_state {
  lua_State *L;
  size_t budget;      /* bytes left */
  size_t max_bytes;
  struct growth_error *err;
};

void marshal_push_json(lua_State *L, const json_t *value)
{
  luaL_checkstack(L, 4, "JSON nests too deeply");
  switch (json_typeof(value)) {
  case JSON_OBJECT: {
    lua_createtable(L, 0, (int)json_object_size(value));
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)value, key, item) {
      if (json_is_null(item))
        continue;
      marshal_push_json(L, item);
      lua_setfield(L, -2, key);
    }
    break;
  }
  case JSON_ARRAY: {
    lua_createtable(L, (int)json_array_size(value), 0);
    size_t index;
    json_t *item;
    json_array_foreach(value, index, item) {
      marshal_push_json(L, item);
      lua_rawseti(L, -2, (lua_Integer)index + 1);
    }
    break;
  }
  case JSON_STRING: lua_pushlstring(L, json_string_value(value), json_string_length(value)); break;
  case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(value)); break;
  case JSON_REAL: lua_pushnumber(L, json_real_value(value)); break;
  case JSON_TRUE: lua_pushboolean(L, 1); break;
  case JSON_FALSE: lua_pushboolean(L, 0); break;
  default: lua_pushlightuserdata(L, NULL); break;
  }
}

static json_t *convert(struct marshal_state *state, int index, const char *path, int depth);

void *marshal_empty_array(void)
{
  static char sentinel;
  return &sentinel;
}

static int charge(struct marshal_state *state, size_t bytes, const char *path)
{
  if (bytes > state->budget) {
    error_set(state->err, ERR_TOO_LARGE, "%s: the value is larger than %zu bytes of JSON", path, state->max_bytes);
    return -1;
  }
  state->budget -= bytes;
  return 0;
}

/* n when the table at index has exactly the keys 1..n (n may be 0), -1 otherwise. */
static lua_Integer array_length(lua_State *L, int index)
{
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
      lua_pop(L, 1);
      return -1;
    }
    count++;
  }
  return (lua_Integer)lua_rawlen(L, index) == count ? count : -1;
}

static json_t *convert_table(struct marshal_state *state, int index, const char *path, int depth)
{
  lua_State *L = state->L;
  char sub[MARSHAL_PATH_MAX];
  lua_Integer length = array_length(L, index);
  if (length > 0) {
    json_t *array = json_array();
    for (lua_Integer i = 1; array && i <= length; i++) {
      snprintf(sub, sizeof sub, "%s[%lld]", path, (long long)i);
      lua_rawgeti(L, index, i);
      json_t *item = convert(state, lua_gettop(L), sub, depth + 1);
      lua_pop(L, 1);
      if (!item || json_array_append_new(array, item) != 0 || charge(state, 1, path) != 0) {
        json_decref(array);
        return NULL;
      }
    }
    return array;
  }
  json_t *object = json_object();
  lua_pushnil(L);
  while (object && lua_next(L, index)) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      error_set(state->err, ERR_BAD_ARGUMENT, "%s: a table mixes list items and named fields (or has a %s key); "
                "JSON needs one or the other", path, luaL_typename(L, -2));
      lua_pop(L, 2);
      json_decref(object);
      return NULL;
    }
    size_t key_length;
    const char *key = lua_tolstring(L, -2, &key_length);
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    json_t *item = charge(state, key_length + 4, path) == 0 ? convert(state, lua_gettop(L), sub, depth + 1) : NULL;
    lua_pop(L, 1);
    if (!item || json_object_setn_new(object, key, key_length, item) != 0) {
      if (item)
        error_set(state->err, ERR_BAD_ARGUMENT, "%s: a key is not valid UTF-8", path);
      lua_pop(L, 1);
      json_decref(object);
      return NULL;
    }
  }
  return object;
}

static json_t *convert(struct marshal_state *state, int index, const char *path, int depth)
{
  lua_State *L = state->L;
  if (depth > MARSHAL_MAX_DEPTH) {
    error_set(state->err, ERR_BAD_ARGUMENT, "nested deeper than %d levels (or a table contains itself) at %.100s...",
              MARSHAL_MAX_DEPTH, path);
    return NULL;
  }
  if (!lua_checkstack(L, 4)) {
    error_set(state->err, ERR_NO_MEMORY, "%s: no Lua stack left", path);
    return NULL;
  }
  switch (lua_type(L, index)) {
  case LUA_TNIL: return charge(state, 4, path) == 0 ? json_null() : NULL;
  case LUA_TBOOLEAN: return charge(state, 5, path) == 0 ? json_boolean(lua_toboolean(L, index)) : NULL;
  case LUA_TNUMBER: {
    if (charge(state, 24, path) != 0)
      return NULL;
    if (lua_isinteger(L, index))
      return json_integer((json_int_t)lua_tointeger(L, index));
    double number = lua_tonumber(L, index);
    if (!isfinite(number)) {
      error_set(state->err, ERR_BAD_ARGUMENT, "%s: %g cannot be written as JSON", path, number);
      return NULL;
    }
    return json_real(number);
  }
  case LUA_TSTRING: {
    size_t length;
    const char *text = lua_tolstring(L, index, &length);
    if (charge(state, length + 2, path) != 0)
      return NULL;
    json_t *string = json_stringn(text, length);
    if (!string)
      error_set(state->err, ERR_BAD_ARGUMENT, "%s: the string is not valid UTF-8", path);
    return string;
  }
  case LUA_TTABLE: return convert_table(state, index, path, depth);
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, index) == NULL)
      return charge(state, 4, path) == 0 ? json_null() : NULL;
    if (lua_touserdata(L, index) == marshal_empty_array())
      return charge(state, 2, path) == 0 ? json_array() : NULL;
    /* fall through */
  default:
    error_set(state->err, ERR_BAD_ARGUMENT, "%s: a %s cannot be turned into JSON", path, luaL_typename(L, index));
    return NULL;
  }
}

json_t *marshal_to_json(lua_State *L, int index, const char *root, size_t max_bytes, struct growth_error *err)
{
  struct marshal_state state = { .L = L, .budget = max_bytes, .max_bytes = max_bytes, .err = err };
  error_clear(err);
  json_t *value = convert(&state, lua_absindex(L, index), root, 0);
  if (!value && err->code == ERR_NONE)
    error_set(err, ERR_NO_MEMORY, "%s: out of memory converting to JSON", root);
  return value;
}
