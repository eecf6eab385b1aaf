/*
 * sandbox.c — the VM of one job: capped allocator, count hook, the kill, and
 * the protected call that turns a Lua error into a growth_error (see sandbox.h).
 *
 * Memory. lua_newstate gets sandbox_alloc, which counts the bytes the VM holds
 * and refuses any growth past the cap. Lua answers a refusal with an emergency
 * full collection and one retry of the same request; a refusal of that retry
 * means the job really is over its cap, and the VM is killed (KILL_MEMORY).
 * Shrinking and freeing always succeed, as Lua requires.
 *
 * Time. A count hook runs every HOOK_INTERVAL instructions: it adds them to the
 * budget and compares the monotonic clock with the deadline. C code that may
 * loop long without running Lua (the pattern matcher) charges its steps through
 * sandbox_charge, which does the same checks.
 *
 * The kill. Once a limit has passed, the VM is killed: the hook fires at every
 * instruction and raises a light userdata (no allocation, so it works with the
 * heap full); the catching functions (pcall, xpcall, coroutine.resume and
 * coroutine.close, sandbox_libs.c) raise it again instead of returning. The
 * error thus climbs to sandbox_call, whatever the script does. Finalisers are
 * refused outright (sandbox_libs.c: Lua runs __gc with hooks off), so closing
 * the VM runs no script code.
 *
 * Errors. sandbox_call's message handler walks the stack with lua_getinfo into
 * fixed buffers (again no allocation): "where" is the innermost frame with a
 * line, the traceback is the whole stack. The error object is read with raw
 * accesses only, so an error whose __tostring raises cannot break the host.
 */
#include "lua/sandbox.h"

#include <lauxlib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "lua/sandbox_internal.h"

#define HOOK_INTERVAL 1000
#define WHERE_MAX 256
#define EFFECT_SCOPE_MAX 512

enum kill_reason { KILL_NONE, KILL_DEADLINE, KILL_INSTRUCTIONS, KILL_MEMORY, KILL_CLOSING };

struct sandbox {
  lua_State *L;
  struct sandbox_options options;
  size_t used, peak, limit;
  uint64_t instructions;
  enum kill_reason kill;
  /* the last refused request, to recognise Lua's retry after its emergency collection */
  int refused;
  const void *refused_ptr;
  size_t refused_osize, refused_nsize;
  char where[WHERE_MAX];                 /* "agents/x.lua:12" of the error, or "" */
  char traceback[SANDBOX_TRACEBACK_MAX];
  /* the ctx.step running now, for the keys of its side effects (sandbox_call_step) */
  char effect_scope[EFFECT_SCOPE_MAX];   /* "<job id>/<step>", or "" outside a step */
  unsigned long effect_count;
};

static atomic_size_t live_total;

void sandbox_call_step(lua_State *L, const char *job_id, const char *step)
{
  struct sandbox *sandbox = sandbox_of(L);
  char saved[EFFECT_SCOPE_MAX];
  unsigned long saved_count = sandbox->effect_count;
  memcpy(saved, sandbox->effect_scope, sizeof saved);
  int fits = snprintf(sandbox->effect_scope, sizeof sandbox->effect_scope, "%s/%s", job_id ? job_id : "",
                      step) < (int)sizeof sandbox->effect_scope;
  if (!fits || !job_id)
    sandbox->effect_scope[0] = '\0';
  sandbox->effect_count = 0;
  int status = lua_pcall(L, 0, 1, 0);
  /* a step called inside a step gives its keys back to the outer one */
  memcpy(sandbox->effect_scope, saved, sizeof saved);
  sandbox->effect_count = saved_count;
  if (status != LUA_OK) {
    sandbox_rethrow_kill(L, status);
    lua_error(L);
  }
}

int sandbox_next_effect_key(lua_State *L, char *out, size_t size)
{
  struct sandbox *sandbox = sandbox_of(L);
  if (!sandbox->effect_scope[0])
    return -1;
  sandbox->effect_count++;
  if ((size_t)snprintf(out, size, "%s/%lu", sandbox->effect_scope, sandbox->effect_count) >= size)
    return -1;
  return 0;
}
static const char kill_sentinel = 'k';   /* its address is the kill's error object */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  struct sandbox *sandbox = ud;
  size_t old = ptr ? osize : 0;   /* without ptr, osize tells the type of object */
  if (nsize == 0) {
    free(ptr);
    sandbox->used -= old;
    atomic_fetch_sub(&live_total, old);
    return NULL;
  }
  if (nsize > old && nsize - old > sandbox->limit - sandbox->used) {
    if (sandbox->refused && sandbox->refused_ptr == ptr && sandbox->refused_osize == osize &&
        sandbox->refused_nsize == nsize && sandbox->kill == KILL_NONE)
      sandbox->kill = KILL_MEMORY;
    sandbox->refused = 1;
    sandbox->refused_ptr = ptr;
    sandbox->refused_osize = osize;
    sandbox->refused_nsize = nsize;
    return NULL;
  }
  void *block = realloc(ptr, nsize);
  if (!block) {
    if (nsize > old)
      return NULL;
    block = ptr;   /* a shrink must not fail: keep the larger block */
  }
  if (nsize > old) {
    sandbox->used += nsize - old;
    atomic_fetch_add(&live_total, nsize - old);
    sandbox->refused = 0;
  } else {
    sandbox->used -= old - nsize;
    atomic_fetch_sub(&live_total, old - nsize);
  }
  if (sandbox->used > sandbox->peak)
    sandbox->peak = sandbox->used;
  return block;
}

struct sandbox *sandbox_of(lua_State *L)
{
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return ud;
}

void *sandbox_services(lua_State *L)
{
  return sandbox_of(L)->options.services;
}

const struct sandbox_options *sandbox_options_of(lua_State *L)
{
  return &sandbox_of(L)->options;
}

size_t sandbox_memory_left(lua_State *L)
{
  struct sandbox *sandbox = sandbox_of(L);
  return sandbox->limit - sandbox->used;
}

/* "file:line" of the innermost frame that has a line, into sandbox->where. */
static void record_where(lua_State *L, struct sandbox *sandbox)
{
  lua_Debug ar;
  sandbox->where[0] = '\0';
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
      snprintf(sandbox->where, sizeof sandbox->where, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
  }
}

static void record_traceback(lua_State *L, struct sandbox *sandbox)
{
  lua_Debug ar;
  size_t length = (size_t)snprintf(sandbox->traceback, sizeof sandbox->traceback, "stack traceback:");
  for (int level = 0; lua_getstack(L, level, &ar) && length < sizeof sandbox->traceback; level++) {
    if (!lua_getinfo(L, "Sln", &ar))
      continue;
    if (ar.currentline <= 0 && strcmp(ar.what, "C") == 0 && !ar.name)
      continue;
    char line[32] = "";
    if (ar.currentline > 0)
      snprintf(line, sizeof line, ":%d", ar.currentline);
    length += (size_t)snprintf(sandbox->traceback + length, sizeof sandbox->traceback - length, "\n\t%s%s: in %s%s%s",
                               ar.short_src, line, ar.name ? "function '" : "",
                               ar.name ? ar.name : (*ar.what == 'm' ? "main chunk" : "a function"),
                               ar.name ? "'" : "");
  }
}

static int raise_kill(lua_State *L, struct sandbox *sandbox)
{
  if (!sandbox->where[0]) {
    record_where(L, sandbox);
    record_traceback(L, sandbox);
  }
  lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);   /* from now on, at every instruction */
  lua_pushlightuserdata(L, (void *)&kill_sentinel);
  return lua_error(L);
}

void sandbox_charge(lua_State *L, uint64_t steps)
{
  struct sandbox *sandbox = sandbox_of(L);
  if (sandbox->kill == KILL_NONE) {
    sandbox->instructions += steps;
    if (sandbox->options.instruction_limit && sandbox->instructions > sandbox->options.instruction_limit)
      sandbox->kill = KILL_INSTRUCTIONS;
    else if (sandbox->options.deadline_ms && clock_monotonic_ms() >= sandbox->options.deadline_ms)
      sandbox->kill = KILL_DEADLINE;
  }
  if (sandbox->kill != KILL_NONE)
    raise_kill(L, sandbox);
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
  (void)ar;
  sandbox_charge(L, sandbox_of(L)->kill == KILL_NONE ? HOOK_INTERVAL : 1);
}

void sandbox_rethrow_kill(lua_State *L, int status)
{
  struct sandbox *sandbox = sandbox_of(L);
  if (status == LUA_ERRMEM && sandbox->kill == KILL_NONE)
    sandbox->kill = KILL_MEMORY;
  if (sandbox->kill != KILL_NONE)
    raise_kill(L, sandbox);
}

int sandbox_raise_memory(lua_State *L)
{
  struct sandbox *sandbox = sandbox_of(L);
  if (sandbox->kill == KILL_NONE)
    sandbox->kill = KILL_MEMORY;
  return raise_kill(L, sandbox);
}

int sandbox_raise(lua_State *L, const struct growth_error *err)
{
  lua_createtable(L, 0, 4);
  lua_pushstring(L, error_code_name(err->code));
  lua_setfield(L, -2, "code");
  lua_pushstring(L, err->message);
  lua_setfield(L, -2, "message");
  lua_pushboolean(L, err->retryable);
  lua_setfield(L, -2, "retryable");
  if (err->status) {
    lua_pushinteger(L, err->status);
    lua_setfield(L, -2, "status");
  }
  return lua_error(L);
}

static int open_libraries(lua_State *L)
{
  sandbox_libs_open(L);
  return 0;
}

struct sandbox *sandbox_new(const struct sandbox_options *options, struct growth_error *err)
{
  struct sandbox *sandbox = calloc(1, sizeof *sandbox);
  if (!sandbox) {
    error_set(err, ERR_NO_MEMORY, "Lua sandbox: out of memory");
    return NULL;
  }
  sandbox->options = *options;
  sandbox->limit = options->memory_bytes ? options->memory_bytes : SANDBOX_DEFAULT_MEMORY_BYTES;
  sandbox->L = lua_newstate(sandbox_alloc, sandbox);
  if (!sandbox->L)
    goto fail;
  lua_pushcfunction(sandbox->L, open_libraries);
  if (lua_pcall(sandbox->L, 0, 0, 0) != LUA_OK)
    goto fail;
  lua_sethook(sandbox->L, sandbox_hook, LUA_MASKCOUNT, HOOK_INTERVAL);
  return sandbox;

fail:
  error_set(err, ERR_MEMORY_LIMIT, "Lua sandbox: cannot open the standard library within %zu bytes", sandbox->limit);
  sandbox_free(sandbox);
  return NULL;
}

void sandbox_free(struct sandbox *sandbox)
{
  if (!sandbox)
    return;
  if (sandbox->L) {
    sandbox->kill = KILL_CLOSING;
    lua_sethook(sandbox->L, sandbox_hook, LUA_MASKCOUNT, 1);
    lua_close(sandbox->L);
  }
  free(sandbox);
}

lua_State *sandbox_state(struct sandbox *sandbox)
{
  return sandbox->L;
}

void sandbox_set_deadline(struct sandbox *sandbox, int64_t deadline_ms)
{
  sandbox->options.deadline_ms = deadline_ms;
}

int sandbox_load(struct sandbox *sandbox, const char *bytes, size_t length, const char *chunkname, int binary_ok,
                 struct growth_error *err)
{
  lua_State *L = sandbox->L;
  int status = luaL_loadbufferx(L, bytes, length, chunkname, binary_ok ? "bt" : "t");
  if (status == LUA_OK)
    return 0;
  if (status == LUA_ERRMEM)
    error_set(err, ERR_MEMORY_LIMIT, "%s: compiling needs more than the memory limit of %zu bytes",
              chunkname + (*chunkname == '@' || *chunkname == '='), sandbox->limit);
  else
    error_set(err, ERR_BAD_ARGUMENT, "%s",
              lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "the chunk does not compile");
  lua_pop(L, 1);
  return -1;
}

static int message_handler(lua_State *L)
{
  struct sandbox *sandbox = sandbox_of(L);
  if (sandbox->kill == KILL_NONE || !sandbox->where[0]) {
    record_where(L, sandbox);
    record_traceback(L, sandbox);
  }
  return 1;
}

/* The raw string field key of the table at index, or NULL. */
static const char *raw_string_field(lua_State *L, int index, const char *key)
{
  lua_pushstring(L, key);
  lua_rawget(L, index);
  const char *value = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);   /* the table still holds the string */
  return value;
}

/* Fills err from the error object at the top of the stack and the recorded where. */
static void describe_error(struct sandbox *sandbox, int status, struct growth_error *err)
{
  lua_State *L = sandbox->L;
  char where[WHERE_MAX + 2] = "";
  if (sandbox->where[0])
    snprintf(where, sizeof where, "%s: ", sandbox->where);
  /* lauxlib's buffers raise a plain "not enough memory" when the allocator refuses them */
  int buffer_refused = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "not enough memory") == 0;
  if ((status == LUA_ERRMEM || buffer_refused) && sandbox->kill == KILL_NONE)
    sandbox->kill = KILL_MEMORY;
  switch (sandbox->kill) {
  case KILL_MEMORY:
    error_set(err, ERR_MEMORY_LIMIT, "%sthe job went over its Lua memory limit of %zu KB", where,
              sandbox->limit / 1024);
    err->retryable = 0;
    return;
  case KILL_DEADLINE:
    error_set(err, ERR_TIMEOUT, "%sthe job ran past its time limit", where);
    err->retryable = 0;
    return;
  case KILL_INSTRUCTIONS:
    error_set(err, ERR_TIMEOUT, "%sthe job went over its budget of %llu Lua instructions", where,
              (unsigned long long)sandbox->options.instruction_limit);
    err->retryable = 0;
    return;
  default:
    break;
  }
  int type = lua_type(L, -1);
  if (type == LUA_TSTRING) {
    const char *message = lua_tostring(L, -1);
    /* error("x") already starts with the position; error("x", 0) and C errors may not */
    size_t where_file = strcspn(sandbox->where, ":");
    int positioned = where_file > 0 && strncmp(message, sandbox->where, where_file) == 0;
    error_set(err, ERR_SCRIPT, "%s%s", positioned ? "" : where, message);
  } else if (type == LUA_TTABLE) {
    int table = lua_gettop(L);
    const char *code_name = raw_string_field(L, table, "code");
    const char *message = raw_string_field(L, table, "message");
    enum error_code code = error_code_from_name(code_name);
    error_set(err, code == ERR_NONE ? ERR_SCRIPT : code, "%s%s", where,
              message ? message : "error object is a table value without a message field");
    lua_pushliteral(L, "retryable");
    if (lua_rawget(L, table) == LUA_TBOOLEAN)
      err->retryable = lua_toboolean(L, -1);
    lua_pushliteral(L, "status");
    if (lua_rawget(L, table) == LUA_TNUMBER)
      err->status = (int)lua_tointeger(L, -1);
    lua_pop(L, 2);
  } else {
    error_set(err, ERR_SCRIPT, "%serror object is a %s value", where, lua_typename(L, type));
  }
}

int sandbox_call(struct sandbox *sandbox, int nargs, int nresults, struct growth_error *err)
{
  lua_State *L = sandbox->L;
  int base = lua_gettop(L) - nargs;   /* the function's index */
  sandbox->where[0] = '\0';
  sandbox->traceback[0] = '\0';
  if (sandbox->kill != KILL_NONE) {
    lua_settop(L, base - 1);
    lua_pushlightuserdata(L, (void *)&kill_sentinel);
    describe_error(sandbox, LUA_ERRRUN, err);
    lua_pop(L, 1);
    return -1;
  }
  lua_pushcfunction(L, message_handler);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  if (status == LUA_OK) {
    lua_remove(L, base);
    return 0;
  }
  describe_error(sandbox, status, err);
  lua_settop(L, base - 1);
  return -1;
}

const char *sandbox_traceback(const struct sandbox *sandbox)
{
  return sandbox->traceback;
}

size_t sandbox_memory_used(const struct sandbox *sandbox)
{
  return sandbox->used;
}

size_t sandbox_memory_peak(const struct sandbox *sandbox)
{
  return sandbox->peak;
}

uint64_t sandbox_instructions(const struct sandbox *sandbox)
{
  return sandbox->instructions;
}

size_t sandbox_memory_live_total(void)
{
  return atomic_load(&live_total);
}
