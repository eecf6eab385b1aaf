/*
 * sandbox_internal.h — what the files of core/lua/ share about a sandbox
 * (sandbox.c, sandbox_libs.c, sandbox_require.c, sandbox_pattern_api.c, modules.c).
 * Bindings (api_*.c) need only sandbox.h, except one that does long work in C on the job's
 * behalf and charges it with sandbox_charge (api_pdf.c).
 */
#ifndef GROWTH_LUA_SANDBOX_INTERNAL_H
#define GROWTH_LUA_SANDBOX_INTERNAL_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "lua/sandbox.h"

/* Counts steps done in C against the instruction budget, checks the deadline, and raises the
 * kill (a `timeout` no pcall can catch) when a limit has passed. Never returns then. */
void sandbox_charge(lua_State *L, uint64_t steps);

/* Raises the kill if the VM has been killed (after a catching function such as pcall caught an
 * error): the error keeps travelling up. Marks a memory error as a kill first. Returns otherwise. */
void sandbox_rethrow_kill(lua_State *L, int status);

/* Bytes the VM may still allocate before its cap. */
size_t sandbox_memory_left(lua_State *L);

/* Raises the memory kill at once (for a C function that knows its result will not fit). */
int sandbox_raise_memory(lua_State *L);

/* Opens the safe standard library into the globals (sandbox_libs.c). */
void sandbox_libs_open(lua_State *L);

/* Installs the guarded find/match/gmatch/gsub into the string table at index string_table. */
void sandbox_pattern_install(lua_State *L, int string_table);

/* The `require` function (sandbox_require.c); needs the options for the lib lookups. */
int sandbox_require(lua_State *L);
const struct sandbox_options *sandbox_options_of(lua_State *L);

/* Opens growth.<name> and pushes its table; 0 when no such module exists (modules.c). */
int modules_open(lua_State *L, const char *name);

#endif
