/*
 * sandbox_require.c — the `require` of a job.
 *
 * Two kinds of names exist, nothing else:
 *   growth.<name>  a C module listed in lua/modules.def (opened by modules.c);
 *   lib.<a>.<b>    the Lua file <scripts_dir>/lib/a/b.lua, or the compiled chunk
 *                  of that name the host handed over in the options (so a job
 *                  runs the lib files of the agent version it started with).
 * A name is dotted identifiers only, so "../../etc/passwd" or "/etc/passwd" is
 * refused before any path is built, and the resolved file must still lie under
 * the lib folder (a symbolic link cannot lead out of it). Files load as text
 * only; C modules from disk do not exist here. Results are cached per VM in a
 * registry table like package.loaded, and a module that requires itself while
 * loading is an error rather than an endless recursion.
 */
#include <errno.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/sandbox_internal.h"

#define MODULE_NAME_MAX 128
#define LIB_FILE_MAX (1024 * 1024)
#define LOADED_KEY "growth.loaded"

static int is_identifier_char(char c, int first)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* 1 when name is identifiers joined by single dots. */
static int is_dotted_name(const char *name)
{
  int first = 1;
  size_t length = strlen(name);
  if (length == 0 || length > MODULE_NAME_MAX)
    return 0;
  for (const char *p = name; *p; p++) {
    if (*p == '.') {
      if (first)
        return 0;
      first = 1;
    } else if (is_identifier_char(*p, first)) {
      first = 0;
    } else {
      return 0;
    }
  }
  return !first;
}

static const struct sandbox_chunk *find_chunk(const struct sandbox_options *options, const char *name)
{
  for (size_t i = 0; i < options->chunk_count; i++)
    if (strcmp(options->chunks[i].name, name) == 0)
      return &options->chunks[i];
  return NULL;
}

/* Reads <scripts_dir>/lib/<path>.lua into a Lua string on the stack; raises on failure. */
static void push_lib_file(lua_State *L, const char *scripts_dir, const char *name, const char *relative)
{
  char lib_dir[PATH_MAX], path[PATH_MAX], resolved_dir[PATH_MAX], resolved[PATH_MAX];
  snprintf(lib_dir, sizeof lib_dir, "%s/lib", scripts_dir);
  snprintf(path, sizeof path, "%s/%s", scripts_dir, relative);
  if (!realpath(lib_dir, resolved_dir) || !realpath(path, resolved)) {
    luaL_error(L, "module '%s' not found: no file %s", name, relative);
    return;
  }
  size_t dir_length = strlen(resolved_dir);
  if (strncmp(resolved, resolved_dir, dir_length) != 0 || resolved[dir_length] != '/') {
    luaL_error(L, "module '%s': %s leads outside scripts/lib", name, relative);
    return;
  }
  FILE *file = fopen(resolved, "rb");
  if (!file) {
    luaL_error(L, "module '%s': cannot open %s: %s", name, relative, strerror(errno));
    return;
  }
  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  size_t total = 0, got;
  char block[4096];
  while ((got = fread(block, 1, sizeof block, file)) > 0 && total <= LIB_FILE_MAX) {
    luaL_addlstring(&buffer, block, got);
    total += got;
  }
  fclose(file);
  if (total > LIB_FILE_MAX) {
    luaL_error(L, "module '%s': %s is larger than %d bytes", name, relative, LIB_FILE_MAX);
    return;
  }
  luaL_pushresult(&buffer);
}

/* Compiles lib.<...> and pushes the chunk. */
static void load_lib(lua_State *L, const char *name)
{
  const struct sandbox_options *options = sandbox_options_of(L);
  const struct sandbox_chunk *chunk = find_chunk(options, name);
  int status;
  if (chunk) {
    status = luaL_loadbufferx(L, chunk->bytes, chunk->length, chunk->chunkname, "bt");
  } else {
    if (!options->scripts_dir)
      luaL_error(L, "module '%s' not found: this sandbox has no scripts folder", name);
    char relative[MODULE_NAME_MAX + 8], chunkname[MODULE_NAME_MAX + 9];
    size_t i = 0;
    for (; name[i]; i++)
      relative[i] = name[i] == '.' ? '/' : name[i];
    snprintf(relative + i, sizeof relative - i, ".lua");
    snprintf(chunkname, sizeof chunkname, "@%s", relative);
    push_lib_file(L, options->scripts_dir, name, relative);
    size_t length;
    const char *text = lua_tolstring(L, -1, &length);
    status = luaL_loadbufferx(L, text, length, chunkname, "t");
    lua_remove(L, -2);
  }
  if (status == LUA_ERRMEM)
    sandbox_rethrow_kill(L, status);
  if (status != LUA_OK)
    lua_error(L);
}

/* Loads and runs lib module (name at 1), returning what it returns (run under lua_pcall). */
static int run_lib(lua_State *L)
{
  const char *name = lua_tostring(L, 1);
  load_lib(L, name);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

int sandbox_require(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  if (!is_dotted_name(name))
    return luaL_error(L, "require: '%s' is not a module name; use dotted names such as 'lib.text' or "
                         "'growth.json', never paths", name);
  lua_settop(L, 1);
  if (lua_getfield(L, LUA_REGISTRYINDEX, LOADED_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, LOADED_KEY);
  }
  int loaded = lua_gettop(L);
  int type = lua_getfield(L, loaded, name);
  if (type == LUA_TLIGHTUSERDATA)
    return luaL_error(L, "require: module '%s' requires itself while loading", name);
  if (type != LUA_TNIL)
    return 1;
  lua_pop(L, 1);

  if (strncmp(name, "growth.", 7) == 0) {
    if (!modules_open(L, name + 7))
      return luaL_error(L, "module '%s' not found: no such growth module", name);
  } else if (strncmp(name, "lib.", 4) == 0) {
    lua_pushlightuserdata(L, (void *)sandbox_require);   /* "loading" mark */
    lua_setfield(L, loaded, name);
    lua_pushcfunction(L, run_lib);
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 1, 1, 0);
    if (status != LUA_OK) {
      lua_pushnil(L);
      lua_setfield(L, loaded, name);   /* a later require may try again */
      sandbox_rethrow_kill(L, status);
      return lua_error(L);
    }
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushboolean(L, 1);
    }
  } else {
    return luaL_error(L, "module '%s' not found: require reaches only 'lib.*' (scripts/lib) and the "
                         "'growth.*' modules", name);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, loaded, name);
  return 1;
}
