/*
 * queue_handler.h — what a worker runs: the small interface between the queue and whoever does the work
 * (the agent runner in growthd, plain C handlers in tests). The queue knows nothing of what a job means.
 *
 * run() is called on a worker thread, one job at a time per thread. It returns 0 with *result_json set to
 * a malloc'd JSON text (the job's return value; NULL means null), or -1 with err set: err->message becomes
 * the job's failedReason; err->retryable = 0 makes the failure final at once (BullMQ's
 * UnrecoverableError), otherwise the job is retried while attempts remain. Through the control a handler
 * reports progress, appends log lines, and learns that it should stop (shutdown past its grace time, or
 * the job's lock was lost): a handler must return soon after queue_control_cancelled() turns true.
 *
 * run() may also return QUEUE_HANDLER_DEFER without doing the work (growthd's kill switch: the job's agent
 * is disabled): the job goes back to the delayed set for defer_ms (QUEUE_DEFAULT_DEFER_MS when 0), its
 * attempts made unchanged and no failedReason written, and any worker takes it again when it is due. The
 * layout stays BullMQ's: to BullMQ it is a job that was delayed.
 */
#ifndef GROWTH_QUEUE_HANDLER_H
#define GROWTH_QUEUE_HANDLER_H

#include "base/error.h"
#include "queue/queue_job.h"

struct queue_job_control;

struct queue_job_handler {
  void *context;
  /* 1 when this handler runs jobs of that name; NULL means every name. A job whose name is not accepted
   * fails with a reason that names it. */
  int (*accepts)(void *context, const char *name);
  int (*run)(void *context, const struct queue_job *job, struct queue_job_control *control, char **result_json,
             struct growth_error *err);
  long defer_ms;   /* how long a deferred job waits in delayed; 0: QUEUE_DEFAULT_DEFER_MS */
};

#define QUEUE_HANDLER_DEFER 1
#define QUEUE_DEFAULT_DEFER_MS 1000

/* Sets the job's progress (BullMQ shows a number as a percent bar) and emits a progress event; message
 * (NULL: none) rides in the event as the field "message", and log_line (NULL: none) is appended to the
 * job's log in the same round trip (queue_progress in queue.h). */
int queue_control_progress(struct queue_job_control *control, double percent, const char *message,
                           const char *log_line, struct growth_error *err);

/* Sets any JSON value as progress. */
int queue_control_progress_json(struct queue_job_control *control, const char *json, struct growth_error *err);

/* Appends a line to the job's log (bull:<queue>:<id>:logs). */
int queue_control_log(struct queue_job_control *control, const char *line, struct growth_error *err);

/* A step's stored result for this job (see queue_step_load / queue_step_save in queue.h). */
int queue_control_step_load(struct queue_job_control *control, const char *step, char **json_out,
                            struct growth_error *err);
int queue_control_step_save(struct queue_job_control *control, const char *step, const char *json,
                            struct growth_error *err);

/* Sets a field of the job's hash that BullMQ does not use (queue_job_set_field). */
int queue_control_set_field(struct queue_job_control *control, const char *field, const char *value,
                            struct growth_error *err);

/* 1 once the handler should stop working on this job. */
int queue_control_cancelled(const struct queue_job_control *control);

/* Waits up to ms milliseconds, returning early (1) when the job is cancelled; 0 after the full wait. */
int queue_control_sleep(struct queue_job_control *control, long ms);

#endif
