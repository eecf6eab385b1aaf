/*
 * runner.h — runs one job of one agent: setup -> run -> validate in one fresh
 * sandbox, with the `ctx` the agent sees.
 *
 * Whatever outlives the VM goes through a host: a struct of callbacks that the
 * queue worker backs with Redis and `growthd run` with memory and stderr
 * (host_memory.h). The runner never touches Redis or files itself.
 *
 *   ctx.job        { id, attempt, agent, version }
 *   ctx.user       the user's profile (a table)
 *   ctx.input      the job's input, validated against the agent's schema, defaults filled in
 *   ctx.progress(percent, message)   -> host.progress
 *   ctx.log(...)                      -> host.log, as "[JournalAgent] ..."
 *   ctx.step(name, fn)                -> fn() once per job and name; host.step_load/step_save keep its
 *                                        JSON result, so a retried job gets it back instead of redoing it
 *   ctx.store.get/set/delete(key, v)  -> host.store_get/store_set (per user and agent: the host scopes keys)
 *   ctx.artifact(name, bytes)         -> host.artifact; returns where it was stored
 *   ctx.schedule(task, delay_s, data) -> host.schedule: follow-up work, agent.tasks[task](ctx, data) in a
 *                                        later job; present only when the host has a queue (schedule set)
 * A job with runner_job.task set is such a follow-up: it runs agent.tasks[task](ctx, task_data) alone
 * (no input validation, setup or validate; ctx.input is {}), and its result is the task's.
 * A host callback that fails raises a growth error table in Lua, so the job
 * fails (or retries) with the host's code.
 */
#ifndef GROWTH_AGENTS_RUNNER_H
#define GROWTH_AGENTS_RUNNER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "agents/agent.h"
#include "base/config.h"
#include "base/error.h"
#include "providers/llm/llm_usage.h"
#include "providers/services.h"

#define RUNNER_RESULT_MAX_BYTES (1024 * 1024)
#define RUNNER_STEP_MAX_BYTES (256 * 1024)
#define RUNNER_STORE_VALUE_MAX_BYTES (64 * 1024)
#define RUNNER_ARTIFACT_MAX_BYTES (32 * 1024 * 1024)
#define RUNNER_SCHEDULE_DATA_MAX_BYTES (64 * 1024)
#define RUNNER_SCHEDULE_DELAY_MAX_S (400.0 * 86400.0)

struct agent_host {
  void *context;
  /* percent in 0..100; message may be NULL. */
  int (*progress)(void *context, const char *agent, double percent, const char *message, struct growth_error *err);
  /* one log line of the agent; component is "JournalAgent". */
  void (*log)(void *context, const char *component, const char *message);
  /* *json = the stored result of step (malloc'd, caller frees) or NULL when there is none. */
  int (*step_load)(void *context, const char *step, char **json, struct growth_error *err);
  int (*step_save)(void *context, const char *step, const char *json, struct growth_error *err);
  /* *json = the stored value (malloc'd) or NULL; store_set with json NULL deletes. */
  int (*store_get)(void *context, const char *key, char **json, struct growth_error *err);
  int (*store_set)(void *context, const char *key, const char *json, struct growth_error *err);
  /* keeps bytes under name; *location (malloc'd) says where (a path or URL). */
  int (*artifact)(void *context, const char *name, const void *bytes, size_t length, char **location,
                  struct growth_error *err);
  /* optional: queues agent's task to run in delay_ms with data (JSON text of an object) as a job of its
   * own (runner_job.task); *id (malloc'd) names that job. NULL: the host has no queue, ctx.schedule is nil. */
  int (*schedule)(void *context, const char *agent, const char *task, int64_t delay_ms, const char *data_json,
                  char **id, struct growth_error *err);
};

struct runner_job {
  const char *id;
  int attempt;            /* 1 on the first try */
  const json_t *user;     /* the profile, or NULL for {} */
  const json_t *input;    /* or NULL for {} */
  const char *artifact_dir;   /* the job's folder for files the bindings save (pdf doc:save); may be NULL */
  const char *task;           /* NULL for the agent's job; else the follow-up task to run (ctx.schedule) */
  const json_t *task_data;    /* the task's data, an object, or NULL for {} */
};

struct runner_options {
  size_t memory_bytes;          /* per job VM; 0 = sandbox default */
  uint64_t instruction_limit;   /* 0 = none */
  const char *scripts_dir;      /* for requires with a computed name */
  const struct services *services;   /* the integrations; the bindings get a per-job services_job
                                        (sandbox_services); NULL: none available */
};

struct runner_outcome {
  json_t *result;               /* the run's result on success (owned) */
  char traceback[SANDBOX_TRACEBACK_MAX];   /* on failure, the Lua stack, when there was one */
  char version[AGENT_VERSION_MAX];
  size_t memory_peak;
  uint64_t instructions;
  struct llm_tally llm_usage;   /* the tokens and calls of the job's growth.llm calls, also when it failed */
};

/* The options of the settings: GROWTH_LUA_MEMORY_MB, GROWTH_LUA_INSTRUCTION_LIMIT, GROWTH_SCRIPTS_DIR. */
struct runner_options runner_options_from_config(const struct config *config, const struct services *services);

/* Runs job on script (after checking its input, and that no integration in its `needs` is missing
 * in options->services). 0 with outcome->result set, or -1 with err (the job's failure reason:
 * code, "file:line: message", retryable) and outcome->traceback. Free with runner_outcome_clear. */
int runner_run(const struct agent_script *script, const struct runner_job *job, const struct agent_host *host,
               const struct runner_options *options, struct runner_outcome *outcome, struct growth_error *err);

void runner_outcome_clear(struct runner_outcome *outcome);

#endif
