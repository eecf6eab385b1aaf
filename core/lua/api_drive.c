/*
 * api_drive.c — growth.drive: file uploads for agents.
 *
 *   local drive = require "growth.drive"
 *   local file = drive.upload{ name = "niche-report.pdf", mime = "application/pdf", bytes = doc,
 *                              folder = "0AbC…", share_with = "ada@example.com" }
 *   file.id, file.url     --> "1XyZ…", "https://drive.google.com/file/d/1XyZ…/view"
 *
 * The backend is the process's (services_drive): a Google Drive v3 multipart
 * upload into folder (or GROWTH_DRIVE_FOLDER_ID), then a reader permission for
 * share_with; locally a file under GROWTH_DATA_DIR/drive/<id>/ whose file://
 * path is the url. `bytes` is a string or an object with a bytes() method (a
 * growth.pdf document), read before anything else is checked against the
 * backend so its Lua code runs first. The bytes are passed to the provider
 * without a copy: the string stays on the Lua stack for the whole call.
 * Inside ctx.step the upload carries the step's idempotency key
 * (sandbox_next_effect_key), so the step run again answers the file it made
 * before instead of uploading a copy.
 */
#include <lauxlib.h>
#include <string.h>

#include "lua/args.h"
#include "lua/marshal.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/drive/drive.h"
#include "providers/services.h"

static struct drive *job_drive(lua_State *L, const char *function)
{
  const struct services_job *job = sandbox_services(L);
  const struct services *services = job ? job->services : NULL;
  struct growth_error err = { 0 };
  if (services_require(services, SERVICE_DRIVE, &err) != 0)
    args_raise_from(L, &err, function);
  return services_drive(services);
}

/* Pushes the bytes of field "bytes" of the table at index (calling its bytes() method if it has one). */
static const char *read_bytes(lua_State *L, int table, const char *function, size_t *size)
{
  static const char what[] = "a string or an object with a bytes() method (a growth.pdf document)";
  int type = args_field(L, table, "bytes");
  if (type == LUA_TTABLE || type == LUA_TUSERDATA) {
    if (lua_getfield(L, -1, "bytes") != LUA_TFUNCTION) {
      lua_pop(L, 1);
      args_error(L, function, "bytes", what, -1);
    }
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    type = lua_type(L, -1);
  }
  if (type != LUA_TSTRING)
    args_error(L, function, "bytes", what, -1);
  return lua_tolstring(L, -1, size);
}

static int drive_upload_file(lua_State *L)
{
  static const char function[] = "drive.upload";
  args_check_table(L, 1, function);
  struct drive_upload upload = { 0 };
  upload.bytes = read_bytes(L, 1, function, &upload.size);   /* stays on the stack */
  upload.name = args_string(L, 1, function, "name", 1, 1, NULL);
  upload.mime = args_string(L, 1, function, "mime", 1, 1, NULL);
  upload.folder = args_string(L, 1, function, "folder", 0, 1, NULL);
  upload.share_with = args_string(L, 1, function, "share_with", 0, 1, NULL);
  char key[EFFECT_KEY_MAX];   /* inside ctx.step: the same file when the step runs again */
  if (sandbox_next_effect_key(L, key, sizeof key) == 0)
    upload.key = key;
  struct drive *drive = job_drive(L, function);
  struct growth_error err = { 0 };
  struct args_owner *owner = args_owner_push(L);
  if (drive_upload(drive, &upload, &owner->json, &err) != 0)
    return args_raise_from(L, &err, function);
  marshal_push_json(L, owner->json);
  return 1;
}

static const luaL_Reg drive_functions[] = {
  { "upload", drive_upload_file },
  { NULL, NULL },
};

int api_drive_open(lua_State *L)
{
  luaL_newlib(L, drive_functions);
  return 1;
}
