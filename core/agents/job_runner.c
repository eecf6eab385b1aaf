/*
 * job_runner.c — the agent job handler of the queue worker (see job_runner.h).
 *
 * One `struct job_context` lives on the worker thread's stack for the length
 * of one job; the agent_host callbacks the runner calls receive it and turn
 * each ctx operation into the matching queue call. Failures keep their codes:
 * a script error, a bad input or a missing agent is final at once
 * (retryable = 0, BullMQ's UnrecoverableError), while an error a provider
 * marked retryable (rate_limited, a timeout upstream, unavailable) lets the
 * queue retry with backoff. A job whose agent is disabled (kill_switch.h) is handed back to the queue before
 * anything runs, its attempt unused, and waits in delayed until the agent is enabled again.
 * Whatever the outcome of a job that ran, its LLM usage goes to its hash and /metrics (job_usage.h).
 *
 * Every run is counted on /metrics by agent: growth_jobs_total{agent,state} with the state the run leaves
 * the job in (completed; retried while attempts remain; failed for good — the queue's own rule, see
 * queue_handler.h), growth_job_duration_seconds{agent} for its run time, and
 * growth_job_failures_total{agent,code} by error code, so memory_limit and timeout kills of the Lua
 * sandbox are counted apart from script errors and upstream failures.
 */
#include "agents/job_runner.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "agents/job_usage.h"
#include "agents/launcher.h"
#include "agents/kill_switch.h"
#include "agents/runner.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"

#define STORE_OWNER_MAX (AGENT_NAME_MAX + 160)
#define HELD_LOG_INTERVAL_MS 30000
#define PROGRESS_MESSAGE_MAX 256   /* bytes of a progress message carried in the event (the log keeps more) */

struct job_runner {
  struct metric *jobs_counter;
  struct metric *duration_histogram;
  struct metric *failures_counter;
  const struct config *config;
  struct agent_registry *registry;
  struct services *services;
  struct queue *queue;
  struct kill_switch *kill_switch;
  _Atomic int64_t held_logged_ms;   /* monotonic time of the last info line about held jobs */
};

struct job_context {
  struct job_runner *runner;
  struct queue_job_control *control;
  const struct queue_job *job;
  const json_t *user;
  char store_owner[STORE_OWNER_MAX];   /* "<user id>:<agent>" */
  char artifact_dir[4096];
};

void job_runner_artifact_dir(const struct config *config, const char *job_id, char *out, size_t size)
{
  snprintf(out, size, "%s/artifacts/%s", config->data_dir, job_id);
}

struct job_runner *job_runner_new(const struct config *config, struct agent_registry *registry,
                                  struct services *services, struct queue *queue, struct growth_error *err)
{
  struct job_runner *runner = calloc(1, sizeof *runner);
  if (!runner) {
    error_set(err, ERR_NO_MEMORY, "job runner: out of memory");
    return NULL;
  }
  runner->config = config;
  runner->registry = registry;
  runner->services = services;
  runner->queue = queue;
  runner->kill_switch = kill_switch_new(queue_pool(queue), config->queue_prefix, config->queue_name, err);
  if (!runner->kill_switch) {
    free(runner);
    return NULL;
  }
  struct growth_error metrics_err = { 0 };
  struct metrics_registry *metrics = metrics_global();
  runner->jobs_counter = metrics_counter(metrics, "growth_jobs_total",
                                         "Agent job runs by agent and the state they left the job in "
                                         "(completed, retried, failed)", "agent,state", &metrics_err);
  runner->duration_histogram = metrics_histogram(metrics, "growth_job_duration_seconds",
                                                 "Run time of agent jobs, each attempt", "agent", NULL, 0,
                                                 &metrics_err);
  runner->failures_counter = metrics_counter(metrics, "growth_job_failures_total",
                                             "Failed agent job runs by error code (memory_limit and timeout are "
                                             "the Lua sandbox's limits)", "agent,code", &metrics_err);
  if (metrics_err.code != ERR_NONE)
    log_warn("Worker", "job metrics: %s", metrics_err.message);
  return runner;
}

void job_runner_free(struct job_runner *runner)
{
  if (!runner)
    return;
  kill_switch_free(runner->kill_switch);
  free(runner);
}

/* 1 when the job's agent is disabled: the job goes back to wait (QUEUE_HANDLER_DEFER), its attempt unused.
 * When Redis cannot say, the job runs: the worker's own Redis calls are failing then anyway. */
static int agent_disabled(struct job_runner *runner, const struct queue_job *job)
{
  struct growth_error err = { 0 };
  struct kill_switch_state state;
  int disabled = kill_switch_check_fresh(runner->kill_switch, job->name, &state, &err);
  if (disabled < 0)
    log_warn("Worker", "job %s: %s; running it", job->id, err.message);
  if (disabled != 1)
    return 0;
  /* a held job comes back every QUEUE_DEFAULT_DEFER_MS: say so at info level only now and then */
  int64_t now = clock_monotonic_ms(), last = runner->held_logged_ms;
  if (now - last >= HELD_LOG_INTERVAL_MS && atomic_compare_exchange_strong(&runner->held_logged_ms, &last, now))
    log_info("Worker", "holding job %s: agent %s is disabled by %s: %s (its jobs wait until it is enabled)",
             job->id, job->name, state.by[0] ? state.by : "(unknown)", state.reason);
  else
    log_debug("Worker", "job %s: agent %s is disabled; handed back for %d ms", job->id, job->name,
              QUEUE_DEFAULT_DEFER_MS);
  return 1;
}

static int host_progress(void *context, const char *agent, double percent, const char *message,
                         struct growth_error *err)
{
  struct job_context *job = context;
  if (!message || !*message)
    return queue_control_progress(job->control, percent, NULL, NULL, err);
  /* the bar's number, the message for the live feed (cut at a character boundary so every event stays
   * small), and the log line: one round trip */
  char short_message[PROGRESS_MESSAGE_MAX];
  size_t length = strlen(message);
  if (length >= sizeof short_message) {
    length = sizeof short_message - 1;
    while (length > 0 && ((unsigned char)message[length] & 0xC0) == 0x80)
      length--;
  }
  memcpy(short_message, message, length);
  short_message[length] = '\0';
  char line[ERROR_MESSAGE_MAX];
  char component[AGENT_NAME_MAX + 8];
  agent_component(agent, component, sizeof component);
  snprintf(line, sizeof line, "[%s] %.0f%% %s", component, percent, message);
  return queue_control_progress(job->control, percent, short_message, line, err);
}

static void host_log(void *context, const char *component, const char *message)
{
  struct job_context *job = context;
  log_info(component, "%s (job %s)", message, job->job->id);
  char line[2048];
  snprintf(line, sizeof line, "[%s] %s", component, message);
  struct growth_error err = { 0 };
  if (queue_control_log(job->control, line, &err) != 0)
    log_warn("Worker", "job %s: a log line was not kept: %s", job->job->id, err.message);
}

static int host_step_load(void *context, const char *step, char **json, struct growth_error *err)
{
  struct job_context *job = context;
  return queue_control_step_load(job->control, step, json, err);
}

static int host_step_save(void *context, const char *step, const char *json, struct growth_error *err)
{
  struct job_context *job = context;
  return queue_control_step_save(job->control, step, json, err);
}

static int host_store_get(void *context, const char *key, char **json, struct growth_error *err)
{
  struct job_context *job = context;
  return queue_store_get(job->runner->queue, job->store_owner, key, json, err);
}

static int host_store_set(void *context, const char *key, const char *json, struct growth_error *err)
{
  struct job_context *job = context;
  if (!json)
    return queue_store_delete(job->runner->queue, job->store_owner, key, err);
  return queue_store_set(job->runner->queue, job->store_owner, key, json, err);
}

static int host_artifact(void *context, const char *name, const void *bytes, size_t length, char **location,
                         struct growth_error *err)
{
  struct job_context *job = context;
  struct services_job files = { .services = job->runner->services, .agent = job->job->name,
                                .job_id = job->job->id, .artifact_dir = job->artifact_dir };
  return services_job_save(&files, name, bytes, length, location, err);
}

/* "<job id>-<task>-<12 hex of SHA-256 of delay and data>": the same follow-up asked for again (by a retried
 * job, say) has the same id, and adding an existing id adds nothing. */
static int follow_up_id(const char *job_id, const char *task, int64_t delay_ms, const char *data, char *out,
                        size_t size, struct growth_error *err)
{
  char *keyed = NULL;
  if (asprintf(&keyed, "%lld:%s", (long long)delay_ms, data) < 0)
    return error_set(err, ERR_NO_MEMORY, "ctx.schedule: out of memory");
  unsigned char digest[EVP_MAX_MD_SIZE];
  int hashed = EVP_Digest(keyed, strlen(keyed), digest, NULL, EVP_sha256(), NULL);
  free(keyed);
  if (!hashed)
    return error_set(err, ERR_INTERNAL, "ctx.schedule: SHA-256 failed");
  snprintf(out, size, "%s-%s-%02x%02x%02x%02x%02x%02x", job_id, task, digest[0], digest[1], digest[2], digest[3],
           digest[4], digest[5]);
  return 0;
}

/* A follow-up job: the same agent, the same user, a task and its data, delayed. */
static int host_schedule(void *context, const char *agent, const char *task, int64_t delay_ms,
                         const char *data_json, char **id, struct growth_error *err)
{
  struct job_context *job = context;
  json_error_t parse_error;
  json_t *task_data = json_loads(data_json ? data_json : "{}", 0, &parse_error);
  json_t *data = task_data ? json_pack("{s:O, s:s, s:o}", "user", job->user ? job->user : json_object(), "task",
                                       task, "taskData", task_data)
                           : NULL;
  char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
  json_decref(data);
  if (!text)
    return error_set(err, task_data ? ERR_NO_MEMORY : ERR_BAD_ARGUMENT, "ctx.schedule: %s",
                     task_data ? "out of memory" : "the task's data is not a JSON object");
  char job_id[256];
  if (follow_up_id(job->job->id, task, delay_ms, text, job_id, sizeof job_id, err) != 0) {
    free(text);
    return -1;
  }
  struct queue_job_options options;
  queue_default_options(job->runner->queue, &options);
  options.delay_ms = delay_ms > 0 ? (long)delay_ms : 0;
  struct queue_new_job follow_up = { .name = agent, .data = text, .job_id = job_id, .options = &options };
  int status = queue_add(job->runner->queue, &follow_up, id, err);
  free(text);
  return status;
}

static const struct agent_host host_template = {
  .progress = host_progress,
  .log = host_log,
  .step_load = host_step_load,
  .step_save = host_step_save,
  .store_get = host_store_get,
  .store_set = host_store_set,
  .artifact = host_artifact,
  .schedule = host_schedule,
};

static int accepts_agent(void *context, const char *name)
{
  struct job_runner *runner = context;
  struct agent_script *script = registry_acquire(runner->registry, name);
  agent_script_release(script);
  return script != NULL;
}

/* Reads {"user": {...}, "input": {...}} from the job's data; both parts are optional objects. */
static json_t *parse_data(const struct queue_job *job, struct growth_error *err)
{
  json_error_t parse_error;
  json_t *data = json_loads(job->data ? job->data : "{}", 0, &parse_error);
  if (!data) {
    error_set(err, ERR_BAD_ARGUMENT, "job %s: its data is not JSON (line %d, column %d: %s); expected "
              "{\"user\": {...}, \"input\": {...}}", job->id, parse_error.line, parse_error.column, parse_error.text);
    return NULL;
  }
  const char *bad = !json_is_object(data) ? "the data"
                    : (json_object_get(data, "user") && !json_is_object(json_object_get(data, "user"))) ? "data.user"
                    : (json_object_get(data, "input") && !json_is_object(json_object_get(data, "input"))) ? "data.input"
                    : (json_object_get(data, "task") && !json_is_string(json_object_get(data, "task"))) ? "data.task"
                    : NULL;
  if (bad) {
    error_set(err, ERR_BAD_ARGUMENT, "job %s: %s has the wrong type; expected {\"user\": {...}, \"input\": {...}} "
              "(a follow-up job: {\"user\": {...}, \"task\": \"name\", \"taskData\": {...}})",
              job->id, bad);
    json_decref(data);
    return NULL;
  }
  return data;
}

static void set_store_owner(struct job_context *context, const json_t *user)
{
  const char *user_id = json_string_value(json_object_get(user, "id"));
  snprintf(context->store_owner, sizeof context->store_owner, "%s:%s", user_id && *user_id ? user_id : "default",
           context->job->name);
}

static int run_agent(struct job_runner *runner, const struct queue_job *job, struct queue_job_control *control,
                     char **result_json, struct growth_error *err)
{
  struct agent_script *script = registry_acquire(runner->registry, job->name);
  if (!script) {
    error_set(err, ERR_NOT_FOUND, "job %s: no agent named '%s' is loaded from %s/agents", job->id, job->name,
              runner->config->scripts_dir);
    err->retryable = 0;
    return -1;
  }
  int status = -1;
  json_t *data = parse_data(job, err);
  if (!data) {
    err->retryable = 0;
    goto done;
  }
  struct job_context job_context = { .runner = runner, .control = control, .job = job };
  job_context.user = json_object_get(data, "user");
  set_store_owner(&job_context, job_context.user);
  job_runner_artifact_dir(runner->config, job->id, job_context.artifact_dir, sizeof job_context.artifact_dir);
  if (queue_control_set_field(control, JOB_RUNNER_VERSION_FIELD, script->version, err) != 0)
    goto done;
  struct agent_host host = host_template;
  host.context = &job_context;
  struct runner_job runner_job = {
    .id = job->id,
    .attempt = (int)job->attempts_made + 1,
    .user = json_object_get(data, "user"),
    .input = json_object_get(data, "input"),
    .artifact_dir = job_context.artifact_dir,
    .task = json_string_value(json_object_get(data, "task")),
    .task_data = json_object_get(data, "taskData"),
  };
  struct runner_options options = runner_options_from_config(runner->config, runner->services);
  struct runner_outcome outcome;
  /* err->retryable as the runner sets it: kills, script errors and bad input are final at once */
  int ran = runner_run(script, &runner_job, &host, &options, &outcome, err);
  job_usage_report(control, job->id, job->name, &outcome.llm_usage);
  if (ran != 0) {
    struct growth_error log_err = { 0 };
    if (outcome.traceback[0])
      queue_control_log(control, outcome.traceback, &log_err);
    goto done;
  }
  *result_json = json_dumps(outcome.result, JSON_COMPACT | JSON_ENCODE_ANY);
  runner_outcome_clear(&outcome);
  if (!*result_json) {
    error_set(err, ERR_NO_MEMORY, "job %s: out of memory encoding the result", job->id);
    goto done;
  }
  status = 0;

done:
  json_decref(data);
  agent_script_release(script);
  return status;
}

/* Counts a run on /metrics; the state is the one the queue gives the job (queue_worker_job.c's rule). */
static void count_run(struct job_runner *runner, const struct queue_job *job, int status,
                      const struct growth_error *err, int64_t started_ms)
{
  const char *state = "completed";
  if (status != 0) {
    long attempts = job->options.attempts > 1 ? job->options.attempts : 1;
    state = err->retryable && job->attempts_made + 1 < attempts ? "retried" : "failed";
    metric_inc(runner->failures_counter, (const char *[]){ job->name, error_code_name(err->code) });
  }
  metric_inc(runner->jobs_counter, (const char *[]){ job->name, state });
  metric_observe(runner->duration_histogram, (const char *[]){ job->name },
                 (double)(clock_monotonic_ms() - started_ms) / 1000.0);
}

static int run_agent_job(void *context, const struct queue_job *job, struct queue_job_control *control,
                         char **result_json, struct growth_error *err)
{
  struct job_runner *runner = context;
  *result_json = NULL;
  if (agent_disabled(runner, job))
    return QUEUE_HANDLER_DEFER;
  int64_t started_ms = clock_monotonic_ms();
  int status = run_agent(runner, job, control, result_json, err);
  count_run(runner, job, status, err, started_ms);
  return status;
}

struct queue_job_handler job_runner_handler(struct job_runner *runner)
{
  return (struct queue_job_handler){ .context = runner, .accepts = accepts_agent, .run = run_agent_job,
                                     .defer_ms = QUEUE_DEFAULT_DEFER_MS };
}
