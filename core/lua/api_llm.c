/*
 * api_llm.c — growth.llm: chat and embeddings for agents.
 *
 *   local llm = require "growth.llm"
 *   llm.backend()                 --> "local" (or "live", "missing") and the reason
 *   llm.embed{ "text one", "text two" }   --> { {0.12, ...}, {...} } one unit vector per text, in order
 *   llm.chat{
 *     messages = { { role = "system", content = "..." }, { role = "user", content = "..." } },
 *     temperature = 0.2, max_tokens = 400,        -- optional
 *     schema = { type = "object", properties = {...}, required = {...} },   -- optional: a table back
 *     offline = function(request) return {...} end,   -- the answer in offline mode
 *   }                             --> the answer: a string, or with `schema` the decoded table
 *
 * The request is checked first, with the rules the live backend applies
 * (llm_chat_check): at least one message, known roles, string contents,
 * temperature 0 to 2, a schema that describes an object. Then the job's
 * backend answers. Offline (local) mode calls the agent's `offline` function
 * with the request table; without one the call raises `llm_unavailable`. With a
 * `schema`, the answer — a table, or JSON text — is checked against it by
 * llm_schema (the same check a model's answer gets) and a mismatch raises
 * upstream_error with the path ("$.themes[2]: expected string, got number").
 * Without a schema the answer must be a string. An empty Lua table in a table
 * answer counts as an empty list wherever the schema asks for an array.
 *
 * Live (OPENAI_API_KEY set): the model answers (providers/llm/llm_openai.h)
 * and `offline` is not called; with a schema the answer is checked, repaired
 * once, and a second mismatch raises upstream_error. A missing llm
 * (production without a key) raises bad_config with the reason.
 *
 * Usage: every chat and embed call, answered or failed, adds what it cost
 * (llm_usage.h) to the job's tally (services_job.llm_usage), before any error
 * is raised; an offline answer counts as a call of model "offline" with 0
 * tokens. The runner reports the tally when the job ends.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/args.h"
#include "lua/marshal.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/llm/llm.h"
#include "providers/services.h"

#define SCHEMA_MAX_BYTES (64 * 1024)
#define ANSWER_MAX_BYTES (1024 * 1024)
#define MESSAGES_MAX 256
#define MAX_TOKENS_MAX 1000000

static const struct services *job_services(lua_State *L)
{
  const struct services_job *job = sandbox_services(L);
  return job ? job->services : NULL;
}

/* Adds one call's usage to the job's tally, when the host keeps one. */
static void count_call(lua_State *L, const struct llm_call_usage *usage)
{
  const struct services_job *job = sandbox_services(L);
  if (job)
    llm_tally_add(job->llm_usage, usage);
}

static int llm_backend(lua_State *L)
{
  const struct services *services = job_services(L);
  if (!services) {
    lua_pushliteral(L, "missing");
    lua_pushliteral(L, "this host gives jobs no integrations");
    return 2;
  }
  const struct service_status *status = services_status(services, SERVICE_LLM);
  lua_pushstring(L, services_state_name(status->state));
  lua_pushstring(L, status->reason);
  return 2;
}

static int llm_embed_texts(lua_State *L)
{
  static const char function[] = "llm.embed";
  size_t count = args_list(L, 1, function, "texts", 0);
  lua_settop(L, 1);
  const char **texts = lua_newuserdatauv(L, count * sizeof *texts, 0);
  for (size_t i = 0; i < count; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i + 1);
    char field[32];
    snprintf(field, sizeof field, "texts[%zu]", i + 1);
    if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
      args_error(L, function, field, "a non-empty string", -1);
    texts[i] = lua_tostring(L, -1);   /* the list holds the string */
    lua_pop(L, 1);
  }
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  const struct services *services = job_services(L);
  float *vectors = NULL;
  size_t dim = 0;
  if (services_require(services, SERVICE_LLM, &err) != 0)
    return args_raise_from(L, &err, function);
  struct llm_call_usage usage;
  int status = llm_embed(services_config(services), services_http(services), texts, count, &vectors, &dim, &usage,
                         &err);
  count_call(L, &usage);
  if (status != 0)
    return args_raise_from(L, &err, function);
  owner->memory = vectors;
  lua_createtable(L, (int)count, 0);
  for (size_t i = 0; i < count; i++) {
    lua_createtable(L, (int)dim, 0);
    for (size_t d = 0; d < dim; d++) {
      lua_pushnumber(L, vectors[i * dim + d]);
      lua_rawseti(L, -2, (lua_Integer)d + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* Reads messages of the request table at 1 into a userdata array (anchored at the top). */
static struct llm_message *read_messages(lua_State *L, const char *function, size_t *count)
{
  args_field(L, 1, "messages");
  int list = lua_gettop(L);
  *count = args_list(L, list, function, "messages", 0);
  if (*count > MESSAGES_MAX)
    args_raise(L, ERR_BAD_ARGUMENT, "%s: messages has %zu entries; expected at most %d", function, *count,
               MESSAGES_MAX);
  struct llm_message *messages = lua_newuserdatauv(L, *count * sizeof *messages, 0);
  for (size_t i = 0; i < *count; i++) {
    char field[48];
    lua_rawgeti(L, list, (lua_Integer)i + 1);
    snprintf(field, sizeof field, "messages[%zu]", i + 1);
    if (lua_type(L, -1) != LUA_TTABLE)
      args_error(L, function, field, "a table { role = ..., content = ... }", -1);
    int message = lua_gettop(L);
    snprintf(field, sizeof field, "messages[%zu].role", i + 1);
    if (args_field(L, message, "role") != LUA_TSTRING)
      args_error(L, function, field, "\"system\", \"user\" or \"assistant\"", -1);
    messages[i].role = lua_tostring(L, -1);
    snprintf(field, sizeof field, "messages[%zu].content", i + 1);
    if (args_field(L, message, "content") != LUA_TSTRING)
      args_error(L, function, field, "a string", -1);
    messages[i].content = lua_tostring(L, -1);
    lua_settop(L, message - 1);
  }
  return messages;
}

/* 1 when schema asks for an array and not for an object. */
static int wants_array(const json_t *schema)
{
  const json_t *type = json_object_get(schema, "type");
  if (json_is_string(type))
    return strcmp(json_string_value(type), "array") == 0;
  int array = 0, object = 0;
  size_t i;
  const json_t *name;
  json_array_foreach(type, i, name) {
    array |= json_is_string(name) && strcmp(json_string_value(name), "array") == 0;
    object |= json_is_string(name) && strcmp(json_string_value(name), "object") == 0;
  }
  return array && !object;
}

/* An empty Lua table converts to {} (marshal.h); where the schema wants an array it means [].
 * Walks value along schema and replaces such empty objects in place. 0, or -1 out of memory. */
static int empty_tables_to_arrays(const json_t *schema, json_t *value)
{
  if (!json_is_object(schema))
    return 0;
  if (json_is_object(value)) {
    const json_t *properties = json_object_get(schema, "properties");
    const char *key;
    json_t *member;
    json_object_foreach(value, key, member) {
      const json_t *sub = json_object_get(properties, key);
      if (json_is_object(member) && json_object_size(member) == 0 && wants_array(sub)) {
        if (json_object_set_new(value, key, json_array()) != 0)
          return -1;
      } else if (empty_tables_to_arrays(sub, member) != 0) {
        return -1;
      }
    }
  } else if (json_is_array(value)) {
    const json_t *items = json_object_get(schema, "items");
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element) {
      if (json_is_object(element) && json_object_size(element) == 0 && wants_array(items)) {
        if (json_array_set_new(value, i, json_array()) != 0)
          return -1;
      } else if (empty_tables_to_arrays(items, element) != 0) {
        return -1;
      }
    }
  }
  return 0;
}

/* Calls offline(request) and leaves the checked answer on the stack. */
static int answer_offline(lua_State *L, const char *function, const json_t *schema)
{
  if (args_field(L, 1, "offline") != LUA_TFUNCTION) {
    if (lua_type(L, -1) != LUA_TNIL)
      return args_error(L, function, "offline", "a function", -1);
    return args_raise(L, ERR_LLM_UNAVAILABLE, "%s: no model is configured (offline mode) and the call passed no "
                                              "offline function to answer instead", function);
  }
  struct llm_call_usage usage;
  llm_call_usage_init(&usage, LLM_CALL_CHAT, LLM_OFFLINE_MODEL);
  count_call(L, &usage);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  int answer = lua_gettop(L);
  int type = lua_type(L, answer);
  if (!schema) {
    if (type != LUA_TSTRING)
      return args_raise(L, ERR_SCRIPT, "%s: the offline function must return a string when there is no schema, "
                                       "got %s", function, luaL_typename(L, answer));
    return 1;
  }
  if (type != LUA_TTABLE && type != LUA_TSTRING)
    return args_raise(L, ERR_SCRIPT, "%s: the offline function must return a table or JSON text matching the "
                                     "schema, got %s", function, luaL_typename(L, answer));
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  json_t *checked = NULL;
  if (type == LUA_TTABLE) {
    owner->json = marshal_to_json(L, answer, "answer", ANSWER_MAX_BYTES, &err);
    if (owner->json && empty_tables_to_arrays(schema, owner->json) != 0)
      return args_raise(L, ERR_NO_MEMORY, "llm.chat: out of memory checking the offline answer");
    if (!owner->json || llm_answer_check(schema, owner->json, NULL, &checked, &err) != 0)
      return args_raise_from(L, &err, "llm.chat (offline answer)");
  } else if (llm_answer_check(schema, NULL, lua_tostring(L, answer), &checked, &err) != 0) {
    return args_raise_from(L, &err, "llm.chat (offline answer)");
  }
  json_decref(owner->json);
  owner->json = checked;
  marshal_push_json(L, checked);
  return 1;
}

/* Asks the live model and leaves its answer (a string, or with a schema the checked table) on the stack. */
static int answer_live(lua_State *L, const char *function, const struct llm_chat_request *request,
                       const struct services *services)
{
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  char *text = NULL;
  json_t *value = NULL;
  struct llm_call_usage usage;
  int status = llm_chat(services_config(services), services_http(services), request, &text, &value, &usage, &err);
  count_call(L, &usage);
  if (status != 0)
    return args_raise_from(L, &err, function);
  owner->memory = text;
  owner->json = value;
  if (value)
    marshal_push_json(L, value);
  else
    lua_pushstring(L, text);
  return 1;
}

static int llm_chat_call(lua_State *L)
{
  static const char function[] = "llm.chat";
  args_check_table(L, 1, function);
  lua_settop(L, 1);
  struct llm_chat_request request = { .temperature = -1 };
  request.messages = read_messages(L, function, &request.message_count);
  request.temperature = args_number(L, 1, function, "temperature", 0, 2, -1);
  lua_Number max_tokens = args_number(L, 1, function, "max_tokens", 1, MAX_TOKENS_MAX, 0);
  if (max_tokens != (lua_Number)(long)max_tokens) {
    args_field(L, 1, "max_tokens");
    return args_error(L, function, "max_tokens", "a whole number", -1);
  }
  request.max_tokens = (long)max_tokens;
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  int schema_type = args_field(L, 1, "schema");
  if (schema_type != LUA_TNIL) {
    if (schema_type != LUA_TTABLE)
      return args_error(L, function, "schema", "a JSON schema table", -1);
    owner->json = marshal_to_json(L, -1, "schema", SCHEMA_MAX_BYTES, &err);
    if (!owner->json)
      return args_raise_from(L, &err, function);
    request.schema = owner->json;
  }
  lua_pop(L, 1);
  if (llm_chat_check(&request, &err) != 0) {
    err.retryable = 0;
    return args_raise_from(L, &err, function);
  }
  const struct services *services = job_services(L);
  if (services_require(services, SERVICE_LLM, &err) != 0)
    return args_raise_from(L, &err, function);
  if (services_status(services, SERVICE_LLM)->state == SERVICE_LIVE)
    return answer_live(L, function, &request, services);
  return answer_offline(L, function, request.schema);
}

static const luaL_Reg llm_functions[] = {
  { "backend", llm_backend },
  { "embed", llm_embed_texts },
  { "chat", llm_chat_call },
  { NULL, NULL },
};

int api_llm_open(lua_State *L)
{
  luaL_newlib(L, llm_functions);
  return 1;
}
