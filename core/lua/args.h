/*
 * args.h — argument checks and C-memory ownership shared by the growth.*
 * bindings (api_*.c).
 *
 * A binding checks every argument at the call, before any side effect, and a
 * bad one raises the growth error table {code = "bad_argument", retryable =
 * false, message = "<function>: <field> must be <what>, got <value>"}, where
 * <value> is the string quoted (cut at 40 bytes; control characters and bytes
 * that are not UTF-8 shown as '?') or the Lua type name. The
 * message names what the agent author wrote: `mail.send: to must be an email
 * address, got "x"`, `pdf doc:table: rows[2][3] must be a string, number or
 * boolean, got table`.
 *
 * C memory a binding holds while it may still raise a Lua error (a provider's
 * result before it becomes a Lua string, a jansson value) is kept in an owner:
 * a userdata on the Lua stack whose __gc frees what it still holds, so no error
 * path leaks it.
 */
#ifndef GROWTH_LUA_ARGS_H
#define GROWTH_LUA_ARGS_H

#include <jansson.h>
#include <lua.h>
#include <stddef.h>

#include "base/error.h"

/* Raises bad_argument "<function>: <field> must be <what>, got <the value at index>". */
int args_error(lua_State *L, const char *function, const char *field, const char *what, int index);

/* Raises a growth error of code with a printf message (retryable by code). Never returns. */
int args_raise(lua_State *L, enum error_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Raises err (a provider's error) as "<function>: <message>", dropping the provider's own prefix
 * ("sms: ", "llm: ", "sheets: ", ...) so it is not said twice; a message that already starts with
 * "<function>:" is raised as it is. */
int args_raise_from(lua_State *L, struct growth_error *err, const char *function);

/* The first argument must be a table (the named-argument call f{...}). */
void args_check_table(lua_State *L, int index, const char *function);

/* Pushes field of the table at index (raw, no metamethods) and returns its type. */
int args_field(lua_State *L, int index, const char *field);

/* A string field: NULL when absent and not required; raises when of another type, absent and
 * required, or empty while non_empty. The string stays valid while the table holds it. */
const char *args_string(lua_State *L, int table, const char *function, const char *field, int required,
                        int non_empty, size_t *length);

/* An optional number field within [min, max]; fallback when absent. */
lua_Number args_number(lua_State *L, int table, const char *function, const char *field, lua_Number min,
                       lua_Number max, lua_Number fallback);

/* The length of a list (a table with keys 1..n and nothing else); raises "must be a list" for
 * any other value. allow_empty: {} is a list of 0. */
size_t args_list(lua_State *L, int index, const char *function, const char *field, int allow_empty);

struct args_owner {
  void *memory;   /* free()d */
  json_t *json;   /* json_decref()d */
};

/* Pushes a new, empty owner and returns it. */
struct args_owner *args_owner_push(lua_State *L);

#endif
