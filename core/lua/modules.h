/*
 * modules.h — the open functions of the growth.* modules (one per line of
 * lua/modules.def). Each pushes the module's table and returns 1, like a
 * luaopen_ function; raising a Lua error is allowed.
 */
#ifndef GROWTH_LUA_MODULES_H
#define GROWTH_LUA_MODULES_H

#include <lua.h>

#define GROWTH_MODULE(name) int api_##name##_open(lua_State *L);
#include "lua/modules.def"
#undef GROWTH_MODULE

/* The names of the growth.* modules, without the prefix ("json"), NULL-terminated. */
extern const char *const modules_names[];

#endif
