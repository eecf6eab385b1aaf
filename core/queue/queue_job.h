/*
 * queue_job.h — one job as BullMQ stores it (the hash bull:<queue>:<id>), and the options that steer it.
 *
 * A job is read with HGETALL and kept as text where BullMQ keeps JSON (data, opts, progress,
 * returnvalue, stacktrace), so nothing is re-encoded on the way through; the options the worker acts on
 * (attempts, backoff, retention, stackTraceLimit, keepLogs, lifo) are parsed from opts once.
 */
#ifndef GROWTH_QUEUE_JOB_H
#define GROWTH_QUEUE_JOB_H

#include <jansson.h>
#include <stdint.h>

#include "base/error.h"

enum queue_backoff_type { QUEUE_BACKOFF_NONE, QUEUE_BACKOFF_FIXED, QUEUE_BACKOFF_EXPONENTIAL };

/* removeOnComplete / removeOnFail: keep every job (the default), none (true), or the newest count and/or
 * those younger than age_s (-1: no limit of that kind). */
struct queue_retention {
  int remove_all;
  long count;
  long age_s;
};

struct queue_job_options {
  long attempts;                    /* 0 and 1 both mean "no retry" */
  enum queue_backoff_type backoff_type;
  long backoff_delay_ms;
  double backoff_jitter;            /* 0..1 */
  long delay_ms;
  long priority;                    /* 0 or 1..2097151, lower first */
  int lifo;
  struct queue_retention remove_on_complete, remove_on_fail;
  long stack_trace_limit;           /* -1: keep every entry */
  long keep_logs;                   /* 0: keep every line */
};

struct queue_job {
  char *id;
  char *token;          /* lock token while a worker holds the job, else NULL */
  char *name;
  char *data;           /* JSON text as stored */
  char *opts;           /* JSON text as stored */
  char *progress;       /* JSON text or NULL */
  char *returnvalue;    /* JSON text or NULL */
  char *failed_reason;
  char *stacktrace;     /* JSON array text or NULL */
  char *deferred_failure;  /* "defa": the job must fail at once with this reason */
  char *processed_by;
  char *scheduler_id;   /* "rjk": the job scheduler this job is an iteration of, or NULL */
  int has_links;        /* has "parent" or "deid": its finish must update a flow parent or a dedup id */
  int64_t timestamp, processed_on, finished_on;
  long delay, priority, attempts_made, attempts_started, stalled_counter;
  struct queue_job_options options;
  int options_valid;    /* 0 when opts is not a JSON object: the worker fails such a job */
};

/* The defaults of BullMQ's Queue.add: no retry, no delay, keep every job. */
void queue_job_options_default(struct queue_job_options *options);

/* Builds the opts JSON BullMQ writes for these options (attempts always present; job_id if given). Returns a
 * string the caller frees, or NULL with err. */
char *queue_job_options_json(const struct queue_job_options *options, const char *job_id, struct growth_error *err);

/* Parses opts text into options (defaults for what is absent); -1 with err when it is not a JSON object. */
int queue_job_options_parse(const char *opts, struct queue_job_options *options, struct growth_error *err);

/* Builds a job from the flat field/value list of HGETALL. Returns NULL with err when out of memory. */
struct queue_job *queue_job_from_fields(const char *id, const char *const *fields, const size_t *lengths,
                                        size_t count, struct growth_error *err);
void queue_job_free(struct queue_job *job);

/* Milliseconds to wait before attempt number attempts_made + 1 (BullMQ's fixed and exponential backoff). */
long queue_job_backoff_ms(const struct queue_job_options *options, long attempts_made);

/* The job as BullMQ's Job.toJSON shows it (data, opts, progress, returnvalue parsed; bad JSON kept as text).
 * New reference, or NULL when out of memory. */
json_t *queue_job_to_json(const struct queue_job *job);

#endif
