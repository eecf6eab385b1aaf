/*
 * marshal.h — JSON values (jansson) into Lua and back.
 *
 * Into Lua: objects and arrays become tables, null becomes growth.json's null
 * (a light userdata NULL) inside arrays and is left out of objects.
 * Out of Lua: a table whose keys are exactly 1..n is an array, a table with
 * string keys is an object, an empty table is an object; growth.json.null is
 * null, and the sentinel of marshal_empty_array (growth.json.empty_array) is
 * an empty array. Only raw accesses are used (no metamethod runs), strings must be UTF-8,
 * numbers finite; functions, coroutines, userdata, mixed or cyclic tables are
 * refused with the path of the offending value ("result.items[3]: ...").
 *
 * Both may raise Lua errors (memory): call them from a protected C function.
 */
#ifndef GROWTH_LUA_MARSHAL_H
#define GROWTH_LUA_MARSHAL_H

#include <jansson.h>
#include <lua.h>
#include <stddef.h>

#include "base/error.h"

/* The light userdata that stands for [] going out of Lua (an empty table is {}). */
void *marshal_empty_array(void);

/* Pushes value as a Lua value. */
void marshal_push_json(lua_State *L, const json_t *value);

/* Converts the Lua value at index. The encoded size is kept under max_bytes (ERR_TOO_LARGE);
 * other refusals are ERR_BAD_ARGUMENT naming the path from root. The caller owns the result. */
json_t *marshal_to_json(lua_State *L, int index, const char *root, size_t max_bytes, struct growth_error *err);

#endif
