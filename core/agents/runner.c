/*
 * runner.c — one job: validate the input, then setup -> run -> validate in one
 * fresh sandbox (see runner.h).
 *
 * The VM's stack holds the agent table at 1, ctx at 2 and the result at 3.
 * Everything that may allocate in the VM runs inside sandbox_call (the phase
 * trampoline, building ctx, converting the result), so a job that filled its
 * memory or was killed fails cleanly and the host never takes a Lua error
 * unprotected. The log lines follow the rollout guide:
 *   [JournalAgent] Setup complete / [MindsetAgent] Validation failed: ...
 */
#include "agents/runner.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "agents/runner_ctx.h"
#include "agents/schema.h"
#include "base/clock.h"
#include "lua/marshal.h"
#include "lua/sandbox.h"

enum phase { PHASE_SETUP, PHASE_RUN, PHASE_VALIDATE, PHASE_TASK };
static const char *const phase_names[] = { "setup", "run", "validate" };

/* lua_CFunction: (phase, agent, ctx[, result]) -> agent[phase](ctx[, result]) */
static int call_phase(lua_State *L)
{
  int phase = (int)lua_tointeger(L, 1);
  lua_getfield(L, 2, phase_names[phase]);
  lua_pushvalue(L, 3);
  if (phase == PHASE_VALIDATE)
    lua_pushvalue(L, 4);
  lua_call(L, phase == PHASE_VALIDATE ? 2 : 1, 1);
  return 1;
}

/* lua_CFunction: (state, agent, ctx) -> agent.tasks[job.task](ctx, job.task_data) */
static int call_task(lua_State *L)
{
  const struct runner_state *state = lua_touserdata(L, 1);
  const char *task = state->job->task;
  if (lua_getfield(L, 2, "tasks") != LUA_TTABLE || lua_getfield(L, -1, task) != LUA_TFUNCTION) {
    struct growth_error err = { 0 };
    error_set(&err, ERR_NOT_FOUND, "%s has no task '%s'; expected a function in the agent's tasks table",
              state->script->file, task);
    return sandbox_raise(L, &err);
  }
  lua_pushvalue(L, 3);
  if (state->job->task_data)
    marshal_push_json(L, state->job->task_data);
  else
    lua_newtable(L);
  lua_call(L, 2, 1);
  return 1;
}

/* lua_CFunction: (state, result) -> stores the result as JSON in state->result */
static int convert_result(lua_State *L)
{
  struct runner_state *state = lua_touserdata(L, 1);
  struct growth_error err = { 0 };
  state->result = marshal_to_json(L, 2, "result", RUNNER_RESULT_MAX_BYTES, &err);
  if (!state->result) {
    error_prefix(&err, "the result cannot be returned");
    return sandbox_raise(L, &err);
  }
  return 0;
}

static int run_phase(struct sandbox *sandbox, enum phase phase, struct growth_error *err)
{
  lua_State *L = sandbox_state(sandbox);
  lua_pushcfunction(L, call_phase);
  lua_pushinteger(L, phase);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  if (phase == PHASE_VALIDATE)
    lua_pushvalue(L, 3);
  return sandbox_call(sandbox, phase == PHASE_VALIDATE ? 4 : 3, phase == PHASE_RUN ? 1 : 0, err);
}

static int validate_input(struct runner_state *state, struct growth_error *err)
{
  const struct runner_job *job = state->job;
  if (job->task) {   /* a follow-up task takes its data, not the agent's input */
    state->input = json_object();
    return state->input ? 0 : error_set(err, ERR_NO_MEMORY, "%s: out of memory", state->script->name);
  }
  state->input = job->input ? json_deep_copy(job->input) : json_object();
  json_t *violations = json_array();
  if (!state->input || !violations) {
    json_decref(violations);
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory validating the input", state->script->name);
  }
  size_t count = schema_validate(state->script->input, state->input, state->script->name, violations);
  if (count > 0) {
    char *joined = schema_join(violations);
    error_set(err, ERR_BAD_ARGUMENT, "invalid input: %s", joined ? joined : "(out of memory)");
    err->retryable = 0;
    runner_log(state, "Input rejected: %s", joined ? joined : "(out of memory)");
    free(joined);
  }
  json_decref(violations);
  return count > 0 ? -1 : 0;
}

/* An integration the agent names in `needs` that cannot work (missing: a credential absent in
 * production, an incomplete setting) fails the job before any of its code runs, so it cannot do
 * half its side effects and then fail. Local, live and not configured (an optional integration the
 * agent checks itself) pass; integrations the services do not know are left to their modules. */
static int check_needs(const struct runner_state *state, const struct services *services, struct growth_error *err)
{
  const struct agent_script *script = state->script;
  for (size_t i = 0; services && i < script->need_count; i++) {
    enum service_id id = services_find(script->needs[i]);
    if (id == SERVICE_COUNT || services_status(services, id)->state != SERVICE_MISSING)
      continue;
    error_set(err, ERR_BAD_CONFIG, "%s needs %s, which is missing: %s", script->name, script->needs[i],
              services_status(services, id)->reason);
    err->retryable = 0;
    runner_log(state, "Integration missing: %s: %s", script->needs[i], services_status(services, id)->reason);
    return -1;
  }
  return 0;
}

/* Loads the agent table into slot 1 and ctx into slot 2. */
static int prepare(struct sandbox *sandbox, struct runner_state *state, struct growth_error *err)
{
  lua_State *L = sandbox_state(sandbox);
  const struct agent_script *script = state->script;
  if (sandbox_load(sandbox, script->bytecode, script->bytecode_length, script->chunkname, 1, err) != 0 ||
      sandbox_call(sandbox, 0, 1, err) != 0)
    return -1;
  if (lua_type(L, 1) != LUA_TTABLE)
    return error_set(err, ERR_SCRIPT, "%s: the file did not return the agent's table", script->file);
  lua_pushcfunction(L, runner_ctx_build);
  lua_pushlightuserdata(L, state);
  lua_pushvalue(L, 1);
  return sandbox_call(sandbox, 2, 1, err);
}

static int run_stages(struct sandbox *sandbox, struct runner_state *state, struct growth_error *err);

static int run_phases(struct sandbox *sandbox, struct runner_state *state, struct growth_error *err)
{
  lua_State *L = sandbox_state(sandbox);
  if (state->job->task) {
    lua_pushcfunction(L, call_task);
    lua_pushlightuserdata(L, state);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    if (sandbox_call(sandbox, 3, 1, err) != 0) {
      runner_log(state, "Task %s failed: %s", state->job->task, err->message);
      return error_prefix(err, "task failed");
    }
    runner_log(state, "Task %s complete", state->job->task);
  } else if (run_stages(sandbox, state, err) != 0) {
    return -1;
  }
  lua_pushcfunction(L, convert_result);
  lua_pushlightuserdata(L, state);
  lua_pushvalue(L, 3);
  if (sandbox_call(sandbox, 2, 0, err) != 0) {
    runner_log(state, "Result refused: %s", err->message);
    return -1;
  }
  return 0;
}

/* setup -> run -> validate, leaving the result in slot 3. */
static int run_stages(struct sandbox *sandbox, struct runner_state *state, struct growth_error *err)
{
  const struct agent_script *script = state->script;
  if (script->has_setup) {
    if (run_phase(sandbox, PHASE_SETUP, err) != 0) {
      runner_log(state, "Setup failed: %s", err->message);
      return error_prefix(err, "setup failed");
    }
    runner_log(state, "Setup complete");
  }
  if (run_phase(sandbox, PHASE_RUN, err) != 0) {
    runner_log(state, "Run failed: %s", err->message);
    return -1;
  }
  if (script->has_validate) {
    if (run_phase(sandbox, PHASE_VALIDATE, err) != 0) {
      runner_log(state, "Validation failed: %s", err->message);
      return error_prefix(err, "validation failed");
    }
    runner_log(state, "Validation passed");
  }
  return 0;
}

int runner_run(const struct agent_script *script, const struct runner_job *job, const struct agent_host *host,
               const struct runner_options *options, struct runner_outcome *outcome, struct growth_error *err)
{
  static const struct agent_host no_host = { 0 };
  struct runner_state state = { .script = script, .job = job, .host = host ? host : &no_host };
  memset(outcome, 0, sizeof *outcome);
  snprintf(outcome->version, sizeof outcome->version, "%s", script->version);
  agent_component(script->name, state.component, sizeof state.component);
  if (validate_input(&state, err) != 0 || check_needs(&state, options->services, err) != 0) {
    json_decref(state.input);
    return -1;
  }
  /* what the growth.* bindings see of the job (sandbox_services); lives as long as the VM */
  struct services_job services_job = {
    .services = options->services,
    .agent = script->name,
    .job_id = job->id ? job->id : "local",
    .artifact_dir = job->artifact_dir,
    .llm_usage = &outcome->llm_usage,
  };
  struct sandbox_options sandbox_options = {
    .memory_bytes = options->memory_bytes,
    .instruction_limit = options->instruction_limit,
    .deadline_ms = clock_monotonic_ms() + (int64_t)(script->timeout_s * 1000.0),
    .scripts_dir = options->scripts_dir,
    .chunks = script->libs,
    .chunk_count = script->lib_count,
    .services = &services_job,
  };
  struct sandbox *sandbox = sandbox_new(&sandbox_options, err);
  if (!sandbox) {
    json_decref(state.input);
    return -1;
  }
  int status = prepare(sandbox, &state, err);
  if (status != 0)
    runner_log(&state, "Load failed: %s", err->message);
  else
    status = run_phases(sandbox, &state, err);
  if (status != 0)
    snprintf(outcome->traceback, sizeof outcome->traceback, "%s", sandbox_traceback(sandbox));
  outcome->memory_peak = sandbox_memory_peak(sandbox);
  outcome->instructions = sandbox_instructions(sandbox);
  sandbox_free(sandbox);
  json_decref(state.input);
  if (status != 0) {
    json_decref(state.result);
    return -1;
  }
  outcome->result = state.result;
  return 0;
}

struct runner_options runner_options_from_config(const struct config *config, const struct services *services)
{
  struct runner_options options = {
    .memory_bytes = (size_t)config->lua_memory_mb * 1024 * 1024,
    .instruction_limit = (uint64_t)config->lua_instruction_limit,
    .scripts_dir = config->scripts_dir,
    .services = services,
  };
  return options;
}

void runner_outcome_clear(struct runner_outcome *outcome)
{
  json_decref(outcome->result);
  outcome->result = NULL;
}
