/*
 * sandbox.h — one Lua VM for one job, with hard limits.
 *
 * A sandbox is a fresh lua_State whose every allocation goes through a capped
 * allocator and whose code runs under a count hook that enforces a wall-clock
 * deadline and an instruction budget. Going over either limit "kills" the VM:
 * the error is raised again at every hook and out of every pcall, xpcall and
 * coroutine.resume, so a script cannot catch it and carry on; it reaches the
 * host as ERR_TIMEOUT or ERR_MEMORY_LIMIT. The globals hold only the safe parts
 * of the standard library and a `require` that reaches scripts/lib and the
 * growth.* modules (lua/modules.def). Nothing of the process environment is
 * visible. Freeing the sandbox closes the VM under the same kill, so a
 * finaliser cannot hang it.
 *
 * A sandbox is used by one thread at a time; any number may exist at once.
 */
#ifndef GROWTH_LUA_SANDBOX_H
#define GROWTH_LUA_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Declared, not included: only core/lua/ and the agent runner include lua.h (design.md). */
struct lua_State;

#define SANDBOX_DEFAULT_MEMORY_BYTES (64u * 1024 * 1024)
#define SANDBOX_TRACEBACK_MAX 2048

/* A compiled lib module handed to require instead of reading scripts/lib from disk
 * (so a job keeps the lib files of the agent version it started with). */
struct sandbox_chunk {
  const char *name;       /* "lib.text" */
  const char *chunkname;  /* "@lib/text.lua" */
  const char *bytes;      /* text or bytecode */
  size_t length;
};

struct sandbox_options {
  size_t memory_bytes;            /* cap of the VM's heap; 0 = SANDBOX_DEFAULT_MEMORY_BYTES */
  uint64_t instruction_limit;     /* VM instructions for the whole job; 0 = no budget */
  int64_t deadline_ms;            /* monotonic (clock_monotonic_ms); 0 = none */
  const char *scripts_dir;        /* require "lib.x" reads <scripts_dir>/lib/x.lua; NULL = no lib */
  const struct sandbox_chunk *chunks;  /* looked up before the disk; may be NULL */
  size_t chunk_count;
  void *services;                 /* opaque, for growth.* bindings (sandbox_services) */
};

struct sandbox;

/* A fresh VM with the safe libraries open. NULL with err when out of memory. */
struct sandbox *sandbox_new(const struct sandbox_options *options, struct growth_error *err);

/* Closes the VM (finalisers run under the kill, so they cannot hang) and frees everything. */
void sandbox_free(struct sandbox *sandbox);

struct lua_State *sandbox_state(struct sandbox *sandbox);

/* The sandbox of a state made by sandbox_new, and the services pointer of its options. */
struct sandbox *sandbox_of(struct lua_State *L);
void *sandbox_services(struct lua_State *L);

/* Raises err in Lua as the growth error table {code=, message=, retryable=, status=} (status only
 * when non-zero): what every growth.* binding raises on failure, so the runner can read the code
 * back. Never returns. */
int sandbox_raise(struct lua_State *L, const struct growth_error *err);

/* Calls the function on top of the stack (no arguments, one result) as ctx.step's body: while it runs,
 * each side effect of a growth.* binding takes the next key of sandbox_next_effect_key. Errors (and
 * kills) propagate as if it had been called with lua_call. */
void sandbox_call_step(struct lua_State *L, const char *job_id, const char *step);

#define EFFECT_KEY_MAX 560   /* room for a key of sandbox_next_effect_key */

/* The idempotency key of the next side effect inside a step: "<job id>/<step>/<n>", n counting the
 * effects of this run of the step from 1, so a step that runs again after a crash asks for the same keys
 * in the same order. 0 with the key in out, -1 outside a step (or when it does not fit). */
int sandbox_next_effect_key(struct lua_State *L, char *out, size_t size);

/* Moves the deadline (monotonic ms, 0 = none); the instruction budget is not reset. */
void sandbox_set_deadline(struct sandbox *sandbox, int64_t deadline_ms);

/* Compiles a chunk and pushes it as a function. binary_ok allows bytecode (for chunks the host
 * compiled itself, never for text from a script). A syntax error is ERR_BAD_ARGUMENT whose message
 * is "file:line: message". */
int sandbox_load(struct sandbox *sandbox, const char *bytes, size_t length, const char *chunkname, int binary_ok,
                 struct growth_error *err);

/* Calls the function below nargs arguments like lua_pcall. On error the stack is back to what it
 * was below the function, err holds the reason with the script's file:line (ERR_TIMEOUT,
 * ERR_MEMORY_LIMIT, ERR_SCRIPT, or the code of a growth error table {code=, message=, retryable=}),
 * and sandbox_traceback gives the Lua stack at the time of the error. */
int sandbox_call(struct sandbox *sandbox, int nargs, int nresults, struct growth_error *err);

/* The traceback of the last failed sandbox_call ("" when none). Valid until the next call. */
const char *sandbox_traceback(const struct sandbox *sandbox);

/* Bytes the VM holds now, and the most it held. */
size_t sandbox_memory_used(const struct sandbox *sandbox);
size_t sandbox_memory_peak(const struct sandbox *sandbox);

/* Instructions executed so far (counted in hook intervals). */
uint64_t sandbox_instructions(const struct sandbox *sandbox);

/* Bytes held by all live sandboxes of the process: 0 when none is open (the leak check of the tests). */
size_t sandbox_memory_live_total(void);

#endif
