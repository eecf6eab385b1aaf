/*
 * runner_ctx.c — builds `ctx` and implements its functions over the host
 * callbacks (see runner.h for what each field does).
 *
 * Every function is a C closure whose first upvalue is the runner_state (a
 * light userdata): the state lives on the C stack of runner_run, which outlives
 * the VM. Values cross to the host as JSON text (marshal.h), so the host can
 * keep them in Redis as they are. A host failure becomes a Lua error table
 * {code, message, retryable, status}; the runner reads it back into the job's
 * growth_error.
 */
#include "agents/runner_ctx.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "lua/marshal.h"
#include "lua/sandbox.h"

#define STEP_NAME_MAX 128
#define STORE_KEY_MAX 200
#define ARTIFACT_NAME_MAX 128

void runner_log(const struct runner_state *state, const char *fmt, ...)
{
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (state->host && state->host->log)
    state->host->log(state->host->context, state->component, line);
  else
    log_info(state->component, "%s", line);
}

static struct runner_state *state_of(lua_State *L)
{
  return lua_touserdata(L, lua_upvalueindex(1));
}

/* A C allocation owned by a userdata on the Lua stack, so a Lua error between allocating and
 * freeing it cannot leak it: the userdata's __gc frees whatever is still held. */
struct owned {
  char *text;
  json_t *json;
};

static int owned_gc(lua_State *L)
{
  struct owned *owned = lua_touserdata(L, 1);
  free(owned->text);
  json_decref(owned->json);
  owned->text = NULL;
  owned->json = NULL;
  return 0;
}

static struct owned *push_owner(lua_State *L)
{
  struct owned *owned = lua_newuserdatauv(L, sizeof *owned, 0);
  owned->text = NULL;
  owned->json = NULL;
  if (luaL_newmetatable(L, "growth.owned")) {
    lua_pushcfunction(L, owned_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return owned;
}

/* Pushes the JSON text of the value at index as a Lua string; raises when it is not JSON-able. */
static void push_json_of(lua_State *L, int index, const char *what, size_t max_bytes)
{
  struct growth_error err = { 0 };
  index = lua_absindex(L, index);
  struct owned *owner = push_owner(L);
  json_t *value = marshal_to_json(L, index, what, max_bytes, &err);
  if (!value)
    sandbox_raise(L, &err);
  owner->text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(value);
  if (!owner->text) {
    error_set(&err, ERR_NO_MEMORY, "%s: out of memory encoding JSON", what);
    sandbox_raise(L, &err);
  }
  lua_pushstring(L, owner->text);
  free(owner->text);
  owner->text = NULL;
  lua_remove(L, -2);   /* the owner: collected later, or freed by lua_close */
}

/* Pushes the value of JSON text (nil for null); raises when it does not parse. */
static void push_json_text(lua_State *L, const char *text, const char *what)
{
  json_error_t parse_error;
  struct owned *owner = push_owner(L);
  owner->json = json_loads(text, JSON_DECODE_ANY, &parse_error);
  if (!owner->json) {
    struct growth_error err = { 0 };
    error_set(&err, ERR_INTERNAL, "%s: the stored value is not JSON: %s", what, parse_error.text);
    sandbox_raise(L, &err);
  }
  if (json_is_null(owner->json))
    lua_pushnil(L);
  else
    marshal_push_json(L, owner->json);
  json_decref(owner->json);
  owner->json = NULL;
  lua_remove(L, -2);
}

/* Replaces the owner at the top of the stack, which holds text from a host callback (or NULL),
 * with text as a Lua string (nil for NULL), and frees text. */
static void take_host_text(lua_State *L, struct owned *owner)
{
  if (owner->text)
    lua_pushstring(L, owner->text);
  else
    lua_pushnil(L);
  free(owner->text);
  owner->text = NULL;
  lua_remove(L, -2);
}

static int ctx_progress(lua_State *L)
{
  struct runner_state *state = state_of(L);
  lua_Number percent = luaL_checknumber(L, 1);
  luaL_argcheck(L, percent >= 0 && percent <= 100, 1, "percent must be from 0 to 100");
  const char *message = luaL_optstring(L, 2, NULL);
  struct growth_error err = { 0 };
  if (state->host->progress &&
      state->host->progress(state->host->context, state->script->name, percent, message, &err) != 0)
    return sandbox_raise(L, &err);
  return 0;
}

static int ctx_log(lua_State *L)
{
  struct runner_state *state = state_of(L);
  int n = lua_gettop(L);
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  for (int i = 1; i <= n; i++) {
    if (i > 1)
      luaL_addchar(&buffer, ' ');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  runner_log(state, "%s", lua_tostring(L, -1));
  return 0;
}

static const char *check_name(lua_State *L, int index, size_t max, const char *what)
{
  size_t length;
  const char *name = luaL_checklstring(L, index, &length);
  if (length == 0 || length > max)
    luaL_error(L, "%s must be 1 to %d characters long", what, (int)max);
  return name;
}

static int ctx_step(lua_State *L)
{
  struct runner_state *state = state_of(L);
  const char *name = check_name(L, 1, STEP_NAME_MAX, "a step name");
  luaL_checktype(L, 2, LUA_TFUNCTION);
  struct growth_error err = { 0 };
  lua_settop(L, 2);
  struct owned *owner = push_owner(L);
  if (state->host->step_load &&
      state->host->step_load(state->host->context, name, &owner->text, &err) != 0)
    return sandbox_raise(L, &err);
  take_host_text(L, owner);
  if (!lua_isnil(L, 3)) {
    push_json_text(L, lua_tostring(L, 3), name);
    runner_log(state, "Step %s: reused the stored result", name);
    return 1;
  }
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  /* the sends of the step get keys "<job>/<step>/<n>": a step run again after a crash repeats none */
  sandbox_call_step(L, state->job->id, name);
  char what[STEP_NAME_MAX + 16];
  snprintf(what, sizeof what, "step '%s'", name);
  push_json_of(L, 3, what, RUNNER_STEP_MAX_BYTES);
  if (state->host->step_save && state->host->step_save(state->host->context, name, lua_tostring(L, -1), &err) != 0)
    return sandbox_raise(L, &err);
  lua_settop(L, 3);
  return 1;
}

static int store_get(lua_State *L)
{
  struct runner_state *state = state_of(L);
  const char *key = check_name(L, 1, STORE_KEY_MAX, "a store key");
  struct growth_error err = { 0 };
  struct owned *owner = push_owner(L);
  if (state->host->store_get &&
      state->host->store_get(state->host->context, key, &owner->text, &err) != 0)
    return sandbox_raise(L, &err);
  take_host_text(L, owner);
  if (lua_isnil(L, -1))
    return 1;
  push_json_text(L, lua_tostring(L, -1), key);
  return 1;
}

static int store_set(lua_State *L)
{
  struct runner_state *state = state_of(L);
  const char *key = check_name(L, 1, STORE_KEY_MAX, "a store key");
  struct growth_error err = { 0 };
  const char *json = NULL;
  if (!lua_isnoneornil(L, 2)) {
    push_json_of(L, 2, key, RUNNER_STORE_VALUE_MAX_BYTES);
    json = lua_tostring(L, -1);
  }
  if (!state->host->store_set)
    return luaL_error(L, "ctx.store is not available in this host");
  if (state->host->store_set(state->host->context, key, json, &err) != 0)
    return sandbox_raise(L, &err);
  return 0;
}

static int store_delete(lua_State *L)
{
  lua_settop(L, 1);
  return store_set(L);
}

static int ctx_artifact(lua_State *L)
{
  struct runner_state *state = state_of(L);
  const char *name = check_name(L, 1, ARTIFACT_NAME_MAX, "an artifact name");
  if (name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                            strlen(name))
    return luaL_error(L, "artifact name '%s' may hold only letters, digits, '.', '_' and '-', and not start "
                         "with '.'", name);
  if (lua_type(L, 2) == LUA_TTABLE || lua_type(L, 2) == LUA_TUSERDATA) {
    /* a document object (growth.pdf) hands over its bytes through a bytes() method */
    lua_settop(L, 2);
    if (lua_getfield(L, 2, "bytes") != LUA_TFUNCTION)
      return luaL_argerror(L, 2, "expected a string, or an object with a bytes() method");
    lua_pushvalue(L, 2);
    lua_call(L, 1, 1);
    lua_replace(L, 2);
  }
  size_t length;
  const char *bytes = luaL_checklstring(L, 2, &length);
  if (length > RUNNER_ARTIFACT_MAX_BYTES)
    return luaL_error(L, "artifact '%s' is %zu bytes; at most %d are allowed", name, length,
                      RUNNER_ARTIFACT_MAX_BYTES);
  if (!state->host->artifact)
    return luaL_error(L, "ctx.artifact is not available in this host");
  struct growth_error err = { 0 };
  struct owned *owner = push_owner(L);
  if (state->host->artifact(state->host->context, name, bytes, length, &owner->text, &err) != 0)
    return sandbox_raise(L, &err);
  take_host_text(L, owner);
  if (lua_isnil(L, -1))
    lua_pushstring(L, name);
  return 1;
}

static int ctx_schedule(lua_State *L)
{
  struct runner_state *state = state_of(L);
  const char *task = check_name(L, 1, STEP_NAME_MAX, "a task name");
  lua_Number delay = luaL_checknumber(L, 2);
  luaL_argcheck(L, delay >= 0 && delay <= RUNNER_SCHEDULE_DELAY_MAX_S, 2, "the delay must be 0 to 400 days in seconds");
  if (lua_type(L, lua_upvalueindex(2)) != LUA_TTABLE || lua_getfield(L, lua_upvalueindex(2), "tasks") != LUA_TTABLE ||
      lua_getfield(L, -1, task) != LUA_TFUNCTION)
    return luaL_error(L, "ctx.schedule: the agent has no task '%s'; expected a function in its tasks table", task);
  lua_settop(L, 3);
  if (lua_isnil(L, 3)) {
    lua_newtable(L);
    lua_replace(L, 3);
  }
  luaL_checktype(L, 3, LUA_TTABLE);
  push_json_of(L, 3, "ctx.schedule data", RUNNER_SCHEDULE_DATA_MAX_BYTES);
  struct growth_error err = { 0 };
  struct owned *owner = push_owner(L);
  if (state->host->schedule(state->host->context, state->script->name, task, (int64_t)(delay * 1000.0),
                            lua_tostring(L, 4), &owner->text, &err) != 0)
    return sandbox_raise(L, &err);
  take_host_text(L, owner);
  runner_log(state, "Scheduled task %s in %.0f s", task, delay);
  return 1;
}

static void set_closure(lua_State *L, struct runner_state *state, lua_CFunction function, const char *name)
{
  lua_pushlightuserdata(L, state);
  lua_pushcclosure(L, function, 1);
  lua_setfield(L, -2, name);
}

int runner_ctx_build(lua_State *L)
{
  struct runner_state *state = lua_touserdata(L, 1);
  const struct runner_job *job = state->job;
  lua_createtable(L, 0, 8);

  lua_createtable(L, 0, 4);
  lua_pushstring(L, job->id ? job->id : "local");
  lua_setfield(L, -2, "id");
  lua_pushinteger(L, job->attempt > 0 ? job->attempt : 1);
  lua_setfield(L, -2, "attempt");
  lua_pushstring(L, state->script->name);
  lua_setfield(L, -2, "agent");
  lua_pushstring(L, state->script->version);
  lua_setfield(L, -2, "version");
  lua_setfield(L, -2, "job");

  if (job->user)
    marshal_push_json(L, job->user);
  else
    lua_newtable(L);
  lua_setfield(L, -2, "user");
  marshal_push_json(L, state->input);
  lua_setfield(L, -2, "input");

  set_closure(L, state, ctx_progress, "progress");
  set_closure(L, state, ctx_log, "log");
  set_closure(L, state, ctx_step, "step");
  set_closure(L, state, ctx_artifact, "artifact");
  if (state->host->schedule) {
    lua_pushlightuserdata(L, state);
    lua_pushvalue(L, 2);   /* the agent table: the task must exist */
    lua_pushcclosure(L, ctx_schedule, 2);
    lua_setfield(L, -2, "schedule");
  }
  lua_createtable(L, 0, 3);
  set_closure(L, state, store_get, "get");
  set_closure(L, state, store_set, "set");
  set_closure(L, state, store_delete, "delete");
  lua_setfield(L, -2, "store");
  return 1;
}
