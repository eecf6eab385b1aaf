/*
 * api_sms.c — growth.sms: text messages for agents.
 *
 *   local sms = require "growth.sms"
 *   sms.available()               --> true, or false and the reason (SMS is optional)
 *   sms.segments("Hello ✨")      --> { encoding = "ucs2", characters = 7, units = 7, segments = 1 }
 *   sms.send{ to = "+14155550123", body = "..." }   --> { sid = "SM…", segments = 1 }
 *
 * The backend is the job's (providers/sms/sms.h through services.h): Twilio
 * when its settings are complete, else the outbox file
 * GROWTH_DATA_DIR/outbox/sms.jsonl. Arguments are checked
 * before anything is sent: `to` in E.164, the body non-empty UTF-8 of at most
 * SMS_MAX_SEGMENTS segments. When SMS is not available, send raises
 * bad_config with the reason; an agent that treats SMS as optional asks
 * available() first.
 */
#include <lauxlib.h>

#include "lua/args.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/services.h"
#include "providers/sms/sms.h"
#include "providers/sms/sms_text.h"

static const struct services *job_services(lua_State *L)
{
  const struct services_job *job = sandbox_services(L);
  return job ? job->services : NULL;
}

static int sms_available(lua_State *L)
{
  const struct services *services = job_services(L);
  if (!services) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "this host gives jobs no integrations");
    return 2;
  }
  const struct service_status *status = services_status(services, SERVICE_SMS);
  int available = status->state == SERVICE_LIVE || status->state == SERVICE_LOCAL;
  lua_pushboolean(L, available);
  lua_pushstring(L, status->reason);
  return 2;
}

/* Counts the segments of the string at index; raises bad_argument naming function. */
static void count_segments(lua_State *L, int index, const char *function, struct sms_segments *segments)
{
  if (lua_type(L, index) != LUA_TSTRING)
    args_error(L, function, "the text", "a string", index);
  struct growth_error err = { 0 };
  if (sms_count_segments(lua_tostring(L, index), segments, &err) != 0)
    args_raise_from(L, &err, function);
}

static int sms_segments(lua_State *L)
{
  struct sms_segments segments;
  count_segments(L, 1, "sms.segments", &segments);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, sms_encoding_name(segments.encoding));
  lua_setfield(L, -2, "encoding");
  lua_pushinteger(L, (lua_Integer)segments.characters);
  lua_setfield(L, -2, "characters");
  lua_pushinteger(L, (lua_Integer)segments.units);
  lua_setfield(L, -2, "units");
  lua_pushinteger(L, (lua_Integer)segments.segments);
  lua_setfield(L, -2, "segments");
  return 1;
}

static int sms_send_message(lua_State *L)
{
  static const char function[] = "sms.send";
  args_check_table(L, 1, function);
  const char *to = args_string(L, 1, function, "to", 1, 1, NULL);
  struct growth_error err = { 0 };
  if (sms_check_e164(to, &err) != 0) {
    args_field(L, 1, "to");
    return args_error(L, function, "to", "an E.164 phone number such as +14155550123", -1);
  }
  const char *body = args_string(L, 1, function, "body", 1, 1, NULL);
  struct sms_segments segments;
  if (sms_check_body(body, &segments, &err) != 0) {
    err.retryable = 0;
    return args_raise_from(L, &err, function);
  }
  char sid[SMS_SID_SIZE];
  char key[EFFECT_KEY_MAX];   /* inside ctx.step: one message however often the step runs */
  int keyed = sandbox_next_effect_key(L, key, sizeof key) == 0;
  const struct services *services = job_services(L);
  if (services_require(services, SERVICE_SMS, &err) != 0 ||
      sms_send_keyed(services_config(services), services_http(services), to, body, keyed ? key : NULL, sid,
                     &err) != 0)
    return args_raise_from(L, &err, function);
  lua_createtable(L, 0, 2);
  lua_pushstring(L, sid);
  lua_setfield(L, -2, "sid");
  lua_pushinteger(L, (lua_Integer)segments.segments);
  lua_setfield(L, -2, "segments");
  return 1;
}

static const luaL_Reg sms_functions[] = {
  { "available", sms_available },
  { "segments", sms_segments },
  { "send", sms_send_message },
  { NULL, NULL },
};

int api_sms_open(lua_State *L)
{
  luaL_newlib(L, sms_functions);
  return 1;
}
