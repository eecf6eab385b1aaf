/*
 * queue_worker_job.c — running one job: the checks BullMQ's worker makes before processing, the handler
 * call, and the decision between completed, retry and failed (see queue_handler.h).
 *
 * Before the handler runs, a job fails for good (no retry) when it carries a deferred failure (defa, set by
 * the stalled checker past the stall limit), when its hash is damaged (no name, opts or data that is not
 * JSON), or when no handler accepts its name; the reason says which. An iteration of a job scheduler first
 * adds the scheduler's next iteration, as BullMQ's worker does. A handler's error is retried while
 * attempts remain (attemptsMade + 1 < attempts) unless the error is not retryable, with BullMQ's backoff.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "queue/queue_worker_internal.h"

void worker_outcome_free(struct job_outcome *outcome)
{
  free(outcome->value);
  free(outcome->stack_line);
  memset(outcome, 0, sizeof *outcome);
}

static void fail_outcome(struct slot *slot, const struct growth_error *error, int final)
{
  const struct queue_job *job = slot->job;
  struct job_outcome *outcome = &slot->outcome;
  worker_outcome_free(outcome);
  outcome->value = strdup(error->message[0] ? error->message : "the job failed without a reason");
  if (asprintf(&outcome->stack_line, "Error [%s]: %s\n    at growthd worker (job %s '%s', attempt %ld)",
               error_code_name(error->code), outcome->value ? outcome->value : "", job->id,
               job->name ? job->name : "", job->attempts_made + 1) < 0)
    outcome->stack_line = NULL;
  outcome->kind = 'f';
  if (!final && error->retryable && job->attempts_made + 1 < job->options.attempts) {
    outcome->backoff_ms = queue_job_backoff_ms(&job->options, job->attempts_made);
    outcome->kind = outcome->backoff_ms > 0 ? 'd' : 'r';
  }
}

/* The checks that fail a job before its handler runs; 0 when the job may run. */
static int check_job(struct queue_worker *worker, const struct queue_job *job, struct growth_error *err)
{
  if (job->deferred_failure)
    return error_set(err, ERR_CONFLICT, "%s", job->deferred_failure);
  if (!job->name)
    return error_set(err, ERR_BAD_ARGUMENT, "job %s: its hash has no name field (damaged); expected BullMQ's job hash",
                     job->id);
  if (!job->options_valid)
    return error_set(err, ERR_BAD_ARGUMENT, "job %s: its opts field is not a JSON object (damaged hash)", job->id);
  json_error_t parse_error;
  json_t *data = job->data ? json_loads(job->data, JSON_DECODE_ANY, &parse_error) : NULL;
  if (!data)
    return error_set(err, ERR_BAD_ARGUMENT, "job %s ('%s'): its data is %s; expected JSON", job->id, job->name,
                     job->data ? "not valid JSON" : "missing");
  json_decref(data);
  const struct queue_job_handler *handler = worker->options.handler;
  if (handler->accepts && !handler->accepts(handler->context, job->name))
    return error_set(err, ERR_NOT_FOUND, "job %s: no handler for the job name '%s' in this worker", job->id,
                     job->name);
  return 0;
}

void worker_run_job(struct queue_worker *worker, struct slot *slot)
{
  struct growth_error err = { 0 };
  const struct queue_job_handler *handler = worker->options.handler;
  /* BullMQ's worker adds a scheduler's next iteration before it processes the current one */
  if (slot->job->scheduler_id && queue_schedule_next(worker->options.queue, slot->job->id, &err) < 0) {
    log_warn("Worker", "%s", err.message);
    error_clear(&err);
  }
  if (check_job(worker, slot->job, &err) != 0) {
    log_warn("Worker", "job %s failed before running: %s", slot->job->id, err.message);
    fail_outcome(slot, &err, 1);
    return;
  }
  char *result = NULL;
  int ran = handler->run(handler->context, slot->job, &slot->control, &result, &err);
  if (ran == QUEUE_HANDLER_DEFER) {
    free(result);
    worker_outcome_free(&slot->outcome);
    slot->outcome.kind = 'h';
    slot->outcome.backoff_ms = handler->defer_ms > 0 ? handler->defer_ms : QUEUE_DEFAULT_DEFER_MS;
    return;
  }
  if (ran != 0) {
    free(result);
    if (!err.message[0])
      error_set(&err, ERR_INTERNAL, "the handler of '%s' failed without a reason", slot->job->name);
    fail_outcome(slot, &err, 0);
    return;
  }
  if (result) {
    /* JSON_ALLOW_NUL: a Lua string may hold a zero byte, which the runner encodes as \u0000 (valid JSON) */
    json_t *parsed = json_loads(result, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!parsed) {
      free(result);
      error_set(&err, ERR_INTERNAL, "the handler of '%s' returned a result that is not JSON", slot->job->name);
      fail_outcome(slot, &err, 1);
      return;
    }
    json_decref(parsed);
  }
  slot->outcome.kind = 'c';
  slot->outcome.value = result ? result : strdup("null");
  if (!slot->outcome.value) {
    error_set(&err, ERR_NO_MEMORY, "out of memory storing the result of job %s", slot->job->id);
    fail_outcome(slot, &err, 0);
  }
}

int queue_control_progress_json(struct queue_job_control *control, const char *json, struct growth_error *err)
{
  struct queue_progress progress = { .json = json };
  return queue_set_progress(control->worker->options.queue, control->job->id, &progress, err);
}

int queue_control_progress(struct queue_job_control *control, double percent, const char *message,
                           const char *log_line, struct growth_error *err)
{
  char text[64];
  snprintf(text, sizeof text, "%.15g", percent);
  struct queue_progress progress = { .json = text, .message = message, .log_line = log_line,
                                     .keep_logs = control->job->options.keep_logs };
  return queue_set_progress(control->worker->options.queue, control->job->id, &progress, err);
}

int queue_control_log(struct queue_job_control *control, const char *line, struct growth_error *err)
{
  return queue_add_log(control->worker->options.queue, control->job->id, line, control->job->options.keep_logs,
                       err);
}

int queue_control_step_load(struct queue_job_control *control, const char *step, char **json_out,
                            struct growth_error *err)
{
  return queue_step_load(control->worker->options.queue, control->job->id, step, json_out, err);
}

int queue_control_step_save(struct queue_job_control *control, const char *step, const char *json,
                            struct growth_error *err)
{
  return queue_step_save(control->worker->options.queue, control->job->id, step, json, err);
}

int queue_control_set_field(struct queue_job_control *control, const char *field, const char *value,
                            struct growth_error *err)
{
  return queue_job_set_field(control->worker->options.queue, control->job->id, field, value, err);
}

int queue_control_cancelled(const struct queue_job_control *control)
{
  return __atomic_load_n(&control->cancelled, __ATOMIC_ACQUIRE);
}

int queue_control_sleep(struct queue_job_control *control, long ms)
{
  struct queue_worker *worker = control->worker;
  int64_t deadline = clock_monotonic_ms() + ms;
  pthread_mutex_lock(&worker->lock);
  while (!queue_control_cancelled(control) && clock_monotonic_ms() < deadline)
    worker_wait_until(worker, &worker->sleepers_wake, deadline);
  int cancelled = queue_control_cancelled(control);
  pthread_mutex_unlock(&worker->lock);
  return cancelled;
}
