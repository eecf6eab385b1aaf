/*
 * loader.c — compiles and checks one agent file into an agent_script (see loader.h).
 *
 * Steps: read the agent and its lib files (loader_files.c, which also gives the
 * version); in a scratch sandbox with a small budget, compile the agent (text
 * only), dump its bytecode with debug information (so jobs report lines), run
 * the chunk to get the agent table, and read the table's fields inside a
 * protected call (inspect_agent) so nothing the script did can raise into the
 * host; then compile each lib file and keep its bytecode. Problems are
 * collected, not stopped at: `growthd check` shows them all.
 */
#include "agents/loader.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/loader_files.h"
#include "agents/schema.h"
#include "base/clock.h"
#include "lua/marshal.h"

#define LOADER_INSTRUCTIONS (20u * 1000 * 1000)
#define LOADER_DEADLINE_MS 2000
#define SCHEMA_MAX_BYTES (256 * 1024)

const char *const loader_integrations[] = { "sheets", "calendar", "drive", "llm", "mail", "sms", "pdf", NULL };
static const char *const tiers[] = { "rooted", "grounded", "radiant", NULL };
static const char *const known_fields[] = { "name", "title", "tier", "description", "needs", "input", "timeout",
                                            "setup", "run", "validate", "tasks", NULL };

struct inspection {
  struct agent_script *script;
  const char *source;
  const char *file;     /* "agents/journal.lua" */
  char stem[AGENT_NAME_MAX];
  json_t *problems;
  json_t *warnings;
};

/* The line of the agent field key; "input.<field>" keys are looked for after the input line. */
static int field_line(const struct inspection *in, const char *key)
{
  if (strncmp(key, "input.", 6) != 0)
    return loader_field_line(in->source, key, 1);
  int input_line = loader_field_line(in->source, "input", 1);
  int line = input_line ? loader_field_line(in->source, key + 6, input_line) : 0;
  return line ? line : input_line;
}

static void add_line(json_t *list, const char *file, int line, const char *fmt, va_list ap)
{
  char message[ERROR_MESSAGE_MAX];
  int length = snprintf(message, sizeof message, "%s:%d: ", file, line > 0 ? line : 1);
  vsnprintf(message + length, sizeof message - (size_t)length, fmt, ap);
  if (list)
    json_array_append_new(list, json_string(message));
}

static void problem(struct inspection *in, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct inspection *in, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_line(in->problems, in->file, key ? field_line(in, key) : 0, fmt, ap);
  va_end(ap);
}

static void warning(struct inspection *in, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warning(struct inspection *in, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_line(in->warnings, in->file, field_line(in, key), fmt, ap);
  va_end(ap);
}

static int in_list(const char *name, const char *const *list)
{
  for (size_t i = 0; list[i]; i++)
    if (strcmp(name, list[i]) == 0)
      return 1;
  return 0;
}

/* Pushes agent[key] (raw) and returns its type. */
static int field(lua_State *L, const char *key)
{
  lua_pushstring(L, key);
  return lua_rawget(L, 2);
}

/* Copies the optional string field key into out; a non-string is a problem. */
static void string_field(lua_State *L, struct inspection *in, const char *key, char *out, size_t size, int required)
{
  int type = field(L, key);
  if (type == LUA_TSTRING)
    snprintf(out, size, "%s", lua_tostring(L, -1));
  else if (type != LUA_TNIL || required)
    problem(in, key, "%s must be a string, got %s", key, lua_typename(L, type));
  lua_pop(L, 1);
}

static void check_name(lua_State *L, struct inspection *in)
{
  struct agent_script *script = in->script;
  string_field(L, in, "name", script->name, sizeof script->name, 1);
  if (!script->name[0])
    return;
  for (const char *p = script->name; *p; p++) {
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
      problem(in, "name", "name '%s' may hold only lower-case letters, digits and '_'", script->name);
      return;
    }
  }
  if (strcmp(script->name, in->stem) != 0)
    problem(in, "name", "name '%s' must equal the file name '%s'", script->name, in->stem);
}

static void check_tier(lua_State *L, struct inspection *in)
{
  string_field(L, in, "tier", in->script->tier, sizeof in->script->tier, 1);
  if (in->script->tier[0] && !in_list(in->script->tier, tiers))
    problem(in, "tier", "tier '%s' is not known; expected rooted, grounded or radiant", in->script->tier);
}

static void check_needs(lua_State *L, struct inspection *in)
{
  int type = field(L, "needs");
  if (type == LUA_TTABLE) {
    lua_Integer count = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= count; i++) {
      lua_rawgeti(L, -1, i);
      const char *need = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
      if (!need || !in_list(need, loader_integrations))
        problem(in, "needs", "needs[%lld] is %s%s%s; expected one of sheets, calendar, drive, llm, mail, sms, pdf",
                (long long)i, need ? "'" : "a ", need ? need : luaL_typename(L, -1), need ? "'" : "");
      else if (in->script->need_count < AGENT_NEEDS_MAX)
        snprintf(in->script->needs[in->script->need_count++], AGENT_NEED_NAME_MAX, "%s", need);
      lua_pop(L, 1);
    }
  } else if (type != LUA_TNIL) {
    problem(in, "needs", "needs must be a list of integration names, got %s", lua_typename(L, type));
  }
  lua_pop(L, 1);
}

static void check_timeout(lua_State *L, struct inspection *in)
{
  int type = field(L, "timeout");
  if (type == LUA_TNUMBER) {
    double seconds = lua_tonumber(L, -1);
    if (!(seconds > 0 && seconds <= AGENT_TIMEOUT_MAX_S))
      problem(in, "timeout", "timeout %g is out of range; expected seconds above 0 and at most %g", seconds,
              AGENT_TIMEOUT_MAX_S);
    else
      in->script->timeout_s = seconds;
  } else if (type != LUA_TNIL) {
    problem(in, "timeout", "timeout must be a number of seconds, got %s", lua_typename(L, type));
  }
  lua_pop(L, 1);
}

/* Checks phase key: a function (required or optional). Returns 1 when present. */
static int check_phase(lua_State *L, struct inspection *in, const char *key, int required)
{
  int type = field(L, key);
  lua_pop(L, 1);
  if (type == LUA_TFUNCTION)
    return 1;
  if (type != LUA_TNIL || required)
    problem(in, key, "%s must be a function(ctx%s), got %s", key, strcmp(key, "validate") == 0 ? ", result" : "",
            lua_typename(L, type));
  return 0;
}

/* tasks: a table of name = function(ctx, data), the agent's follow-up work (ctx.schedule). */
static void check_tasks(lua_State *L, struct inspection *in)
{
  int type = field(L, "tasks");
  if (type == LUA_TTABLE) {
    int tasks = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, tasks)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TFUNCTION)
        problem(in, "tasks", "tasks must map names to function(ctx, data), and has a %s key holding a %s",
                luaL_typename(L, -2), luaL_typename(L, -1));
      lua_pop(L, 1);
    }
  } else if (type != LUA_TNIL) {
    problem(in, "tasks", "tasks must be a table of name = function(ctx, data), got %s", lua_typename(L, type));
  }
  lua_pop(L, 1);
}

static void check_input(lua_State *L, struct inspection *in)
{
  int type = field(L, "input");
  if (type == LUA_TNIL) {
    in->script->input = json_object();
  } else if (type != LUA_TTABLE) {
    problem(in, "input", "input must be a table of field specs, got %s", lua_typename(L, type));
  } else {
    struct growth_error err = { 0 };
    json_t *schema = marshal_to_json(L, -1, "input", SCHEMA_MAX_BYTES, &err);
    if (!schema) {
      problem(in, "input", "%s", err.message);
    } else if (!json_is_object(schema)) {
      if (json_is_array(schema))
        problem(in, "input", "input must map field names to specs, got a list");
      json_decref(schema);
    } else {
      json_t *found = json_array();
      schema_check(schema, found);
      size_t index;
      json_t *message;
      json_array_foreach(found, index, message) {
        /* "input.beliefs.items: ..." is reported on the line of the field it names */
        const char *text = json_string_value(message);
        char key[AGENT_NAME_MAX + 8] = "input";
        const char *dot = strchr(text, '.');
        if (dot) {
          size_t length = strcspn(dot + 1, ".:[");
          if (length < AGENT_NAME_MAX)
            snprintf(key, sizeof key, "input.%.*s", (int)length, dot + 1);
        }
        problem(in, key, "%s", text);
      }
      json_decref(found);
      in->script->input = schema;
    }
  }
  lua_pop(L, 1);
}

static void check_unknown_fields(lua_State *L, struct inspection *in)
{
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      problem(in, NULL, "the agent table has a %s key; expected only named fields", luaL_typename(L, -1));
    else if (!in_list(lua_tostring(L, -1), known_fields))
      warning(in, lua_tostring(L, -1), "field '%s' is not part of the agent contract and is ignored",
              lua_tostring(L, -1));
  }
}

/* lua_CFunction run under lua_pcall: (inspection as light userdata, agent table). */
static int inspect_agent(lua_State *L)
{
  struct inspection *in = lua_touserdata(L, 1);
  if (lua_type(L, 2) != LUA_TTABLE) {
    problem(in, NULL, "the file must return the agent's table, and it returned a %s", luaL_typename(L, 2));
    return 0;
  }
  struct agent_script *script = in->script;
  check_name(L, in);
  string_field(L, in, "title", script->title, sizeof script->title, 0);
  if (!script->title[0])
    snprintf(script->title, sizeof script->title, "%s", script->name);
  check_tier(L, in);
  string_field(L, in, "description", script->description, sizeof script->description, 0);
  check_needs(L, in);
  check_input(L, in);
  check_timeout(L, in);
  script->has_setup = check_phase(L, in, "setup", 0);
  check_phase(L, in, "run", 1);
  script->has_validate = check_phase(L, in, "validate", 0);
  check_tasks(L, in);
  check_unknown_fields(L, in);
  return 0;
}

struct dump_buffer {
  char *bytes;
  size_t length, capacity;
};

static int dump_writer(lua_State *L, const void *bytes, size_t size, void *ud)
{
  (void)L;
  struct dump_buffer *buffer = ud;
  if (buffer->length + size > buffer->capacity) {
    size_t capacity = (buffer->capacity ? buffer->capacity * 2 : 4096) + size;
    char *grown = realloc(buffer->bytes, capacity);
    if (!grown)
      return 1;
    buffer->bytes = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->bytes + buffer->length, bytes, size);
  buffer->length += size;
  return 0;
}

/* Dumps the function at the top of the stack (kept there). */
static int dump_function(lua_State *L, char **bytes, size_t *length)
{
  struct dump_buffer buffer = { 0 };
  if (lua_dump(L, dump_writer, &buffer, 0) != 0) {
    free(buffer.bytes);
    return -1;
  }
  *bytes = buffer.bytes;
  *length = buffer.length;
  return 0;
}

static void file_stem(const char *path, char *out, size_t size)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t length = strcspn(base, ".");
  snprintf(out, size, "%.*s", (int)length, base);
}

static void report(json_t *problems, const char *message)
{
  if (problems)
    json_array_append_new(problems, json_string(message));
}

/* Compiles each lib file into the script's chunks. */
static int compile_libs(struct sandbox *sandbox, const struct loader_files *files, struct agent_script *script,
                        json_t *problems)
{
  lua_State *L = sandbox_state(sandbox);
  script->libs = calloc(files->lib_count ? files->lib_count : 1, sizeof *script->libs);
  if (!script->libs)
    return -1;
  int failed = 0;
  for (size_t i = 0; i < files->lib_count; i++) {
    const struct loader_file *lib = &files->libs[i];
    char chunkname[AGENT_FILE_MAX + 1];
    snprintf(chunkname, sizeof chunkname, "@%s", lib->display);
    struct growth_error err = { 0 };
    if (sandbox_load(sandbox, lib->text, lib->length, chunkname, 0, &err) != 0) {
      report(problems, err.message);
      failed = 1;
      continue;
    }
    struct sandbox_chunk *chunk = &script->libs[script->lib_count];
    char *bytes = NULL;
    size_t length = 0;
    int dumped = dump_function(L, &bytes, &length);
    lua_pop(L, 1);
    chunk->name = strdup(lib->name);
    chunk->chunkname = strdup(chunkname);
    chunk->bytes = bytes;
    chunk->length = length;
    script->lib_count++;
    if (dumped != 0 || !chunk->name || !chunk->chunkname)
      return -1;
  }
  return failed ? 1 : 0;
}

int loader_load(const struct loader_options *options, const char *path, struct agent_script **out,
                json_t *problems, json_t *warnings, struct growth_error *err)
{
  struct loader_files files;
  struct sandbox *sandbox = NULL;
  struct agent_script *script = NULL;
  json_t *found = json_array();
  *out = NULL;
  if (!found)
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory", path);
  if (loader_files_read(options->scripts_dir, path, &files, err) != 0) {
    json_decref(found);
    return -1;
  }
  script = agent_script_new();
  struct sandbox_options sandbox_options = {
    .memory_bytes = options->memory_bytes,
    .instruction_limit = LOADER_INSTRUCTIONS,
    .deadline_ms = clock_monotonic_ms() + LOADER_DEADLINE_MS,
    .scripts_dir = options->scripts_dir,
  };
  if (!script || !(sandbox = sandbox_new(&sandbox_options, err)))
    goto fail_memory;
  lua_State *L = sandbox_state(sandbox);
  snprintf(script->file, sizeof script->file, "%s", files.agent.display);
  snprintf(script->chunkname, sizeof script->chunkname, "@%s", files.agent.display);
  snprintf(script->version, sizeof script->version, "%s", files.version);

  struct growth_error step = { 0 };
  if (sandbox_load(sandbox, files.agent.text, files.agent.length, script->chunkname, 0, &step) != 0) {
    report(found, step.message);
    goto refused;
  }
  if (dump_function(L, &script->bytecode, &script->bytecode_length) != 0)
    goto fail_memory;
  if (sandbox_call(sandbox, 0, 1, &step) != 0) {
    report(found, step.message);
    goto refused;
  }
  struct inspection in = { .script = script, .source = files.agent.text, .file = script->file,
                           .problems = found, .warnings = warnings };
  file_stem(path, in.stem, sizeof in.stem);
  lua_pushcfunction(L, inspect_agent);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &in);
  lua_insert(L, -2);
  if (sandbox_call(sandbox, 2, 0, &step) != 0)
    report(found, step.message);
  int libs = compile_libs(sandbox, &files, script, found);
  if (libs < 0)
    goto fail_memory;
  if (json_array_size(found) > 0)
    goto refused;

  sandbox_free(sandbox);
  loader_files_free(&files);
  json_decref(found);
  *out = script;
  return 0;

refused:
  if (problems) {
    size_t index;
    json_t *message;
    json_array_foreach(found, index, message)
      json_array_append(problems, message);
  }
  if (json_array_size(found) > 1)
    error_set(err, ERR_BAD_ARGUMENT, "%s (and %zu more problems)", json_string_value(json_array_get(found, 0)),
              json_array_size(found) - 1);
  else
    error_set(err, ERR_BAD_ARGUMENT, "%s", json_string_value(json_array_get(found, 0)));
  goto done;
fail_memory:
  if (err->code == ERR_NONE)
    error_set(err, ERR_NO_MEMORY, "%s: out of memory loading the agent", files.agent.display);
done:
  sandbox_free(sandbox);
  agent_script_release(script);
  loader_files_free(&files);
  json_decref(found);
  return -1;
}

struct loader_options loader_options_from_config(const struct config *config)
{
  struct loader_options options = {
    .scripts_dir = config->scripts_dir,
    .memory_bytes = (size_t)config->lua_memory_mb * 1024 * 1024,
  };
  return options;
}

int loader_version(const struct loader_options *options, const char *path, char version[AGENT_VERSION_MAX],
                   struct growth_error *err)
{
  struct loader_files files;
  if (loader_files_read(options->scripts_dir, path, &files, err) != 0)
    return -1;
  snprintf(version, AGENT_VERSION_MAX, "%s", files.version);
  loader_files_free(&files);
  return 0;
}
