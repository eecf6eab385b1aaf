/*
 * api_json.c — growth.json: JSON encode and decode for agents, by lua-cjson.
 *
 *   local json = require "growth.json"
 *   json.encode({ a = 1 })        --> '{"a":1}'
 *   json.decode('[1,null]')       --> { 1, json.null }
 *   json.empty_array              --> [] in a job's result, a step's result or the store (an empty
 *                                     table is {} there); json.encode does not take it
 *
 * lua-cjson is opened into the job's VM (its per-VM configuration lives there
 * and dies with it); only encode, decode and null are handed on, so a script
 * cannot change the configuration. cjson's encode buffer is malloc'd outside
 * the VM's cap; it is never larger than the string it returns, which is inside.
 */
#include <lauxlib.h>
#include <lua-cjson.h>

#include "lua/marshal.h"
#include "lua/modules.h"

int api_json_open(lua_State *L)
{
  static const char *const kept[] = { "encode", "decode", "null" };
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_createtable(L, 0, 3);
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
    lua_getfield(L, -2, kept[i]);
    lua_setfield(L, -2, kept[i]);
  }
  lua_remove(L, -2);
  lua_pushlightuserdata(L, marshal_empty_array());
  lua_setfield(L, -2, "empty_array");
  return 1;
}
