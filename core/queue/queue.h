/*
 * queue.h — a BullMQ-compatible queue in Redis: adding jobs, pausing, and reading states, jobs and logs.
 *
 * The keys and fields are BullMQ 6.7.0's (shared/docs/bullmq-protocol.md), so BullMQ's Queue, Worker and
 * QueueEvents, and bull-board, work on the same queue. Every state change is one Redis Lua script
 * (queue_scripts.h). The queue moves opaque jobs: a name and JSON data; it knows nothing of agents.
 * A struct queue is shared by threads; each call borrows a connection from the pool.
 */
#ifndef GROWTH_QUEUE_H
#define GROWTH_QUEUE_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "queue/queue_job.h"
#include "redis/redis_pool.h"

struct queue;

/* prefix: BullMQ's key prefix (NULL for "bull"); name: the queue's name. The pool is borrowed. */
struct queue *queue_new(struct redis_pool *pool, const char *prefix, const char *name, struct growth_error *err);
void queue_free(struct queue *queue);

const char *queue_name(const struct queue *queue);
/* "bull:<name>:", the start of every key of the queue. */
const char *queue_key_prefix(const struct queue *queue);
struct redis_pool *queue_pool(const struct queue *queue);

/* How many finished jobs a job added from now on keeps in Redis when its own options say nothing
 * (removeOnComplete / removeOnFail): count -1 keeps every one, the default. Bounds Redis memory. */
void queue_set_retention(struct queue *queue, long keep_completed, long keep_failed);

/* BullMQ's defaultJobOptions, the part growthd's producers use: how many attempts a job has and the first
 * delay of its exponential backoff. Until set: one attempt, no backoff (BullMQ's own defaults). */
void queue_set_job_defaults(struct queue *queue, long attempts, long backoff_ms);

/* options as queue_job_options_default, with the queue's attempts and exponential backoff. */
void queue_default_options(const struct queue *queue, struct queue_job_options *options);

struct queue_new_job {
  const char *name;
  const char *data;                         /* JSON text; NULL means {} */
  const char *job_id;                       /* NULL: the next number of bull:<name>:id */
  const struct queue_job_options *options;  /* NULL: defaults */
};

/* Adds one job. *id_out (caller frees) is its id; adding an existing custom id changes nothing and gives
 * that id back. Data that is not JSON, or a custom id BullMQ would refuse, is ERR_BAD_ARGUMENT. */
int queue_add(struct queue *queue, const struct queue_new_job *job, char **id_out, struct growth_error *err);

/* Adds count jobs in few round trips. ids_out gets a malloc'd array of count malloc'd ids (free each and
 * the array), or stays NULL on error. Nothing is added when any job is refused before sending. */
int queue_add_bulk(struct queue *queue, const struct queue_new_job *jobs, size_t count, char ***ids_out,
                   struct growth_error *err);

/* Queue-wide pause and resume, as BullMQ's Queue.pause / resume (events paused / resumed). */
int queue_pause(struct queue *queue, struct growth_error *err);
int queue_resume(struct queue *queue, struct growth_error *err);

enum queue_state {
  QUEUE_STATE_WAIT, QUEUE_STATE_ACTIVE, QUEUE_STATE_DELAYED, QUEUE_STATE_PRIORITIZED,
  QUEUE_STATE_COMPLETED, QUEUE_STATE_FAILED, QUEUE_STATE_WAITING_CHILDREN, QUEUE_STATE_PAUSED,
  QUEUE_STATE_COUNT
};

/* BullMQ's name of a state ("wait", "waiting-children", ...); queue_state_parse also takes "waiting".
 * queue_state_parse returns -1 for an unknown name. */
const char *queue_state_name(enum queue_state state);
int queue_state_parse(const char *name);

struct queue_counts {
  long counts[QUEUE_STATE_COUNT];
  int paused;
};

/* What getJobCounts answers, in one round trip. */
int queue_counts(struct queue *queue, struct queue_counts *out, struct growth_error *err);

/* One job; NULL with ERR_NOT_FOUND when it does not exist. Caller frees with queue_job_free. */
struct queue_job *queue_get_job(struct queue *queue, const char *id, struct growth_error *err);

/* Jobs in one state, as getJobs(state, start, end, asc): lists newest first unless asc, zsets highest score
 * first unless asc; ids whose hash is gone are skipped. *jobs_out is a malloc'd array (free each job and
 * the array; NULL when *count_out is 0). */
int queue_list_jobs(struct queue *queue, enum queue_state state, long start, long end, int asc,
                    struct queue_job ***jobs_out, size_t *count_out, struct growth_error *err);

/* Log lines start..end (inclusive, negative from the end) of a job, and how many there are in all.
 * *lines_out is a malloc'd array of malloc'd strings (NULL when *count_out is 0). */
int queue_job_logs(struct queue *queue, const char *id, long start, long end, char ***lines_out,
                   size_t *count_out, long *total_out, struct growth_error *err);

/* Entries of the queue's events stream (bull:<queue>:events) as a JSON array of {"id", "event", <fields>...},
 * every field as the text stored: those with ids after `after` and before `before` (both exclusive stream
 * ids; NULL = unbounded), at most limit, newest first when newest_first, else oldest first. A bound that is
 * not a stream id is ERR_BAD_ARGUMENT. *events_out is a new reference. This file is the one reader of the
 * stream's format. */
int queue_read_events(struct queue *queue, int newest_first, const char *after, const char *before, long limit,
                      json_t **events_out, struct growth_error *err);

/* Whether text is a stream id: "1732000000000-0", or "1732000000000" (sequence 0). */
int queue_event_id_valid(const char *text);

/* Waits up to block_ms for entries after `after` (a stream id, or "$" for only those added from now on), on
 * conn: a connection of the caller's own (redis_conn_new_dedicated), since it blocks. Oldest first, at most
 * limit; an empty array when the wait ends with none. */
int queue_wait_events(struct queue *queue, struct redis_conn *conn, const char *after, long limit, long block_ms,
                      json_t **events_out, struct growth_error *err);

/* Frees an array returned by queue_list_jobs / queue_job_logs / queue_add_bulk. */
void queue_free_jobs(struct queue_job **jobs, size_t count);
void queue_free_strings(char **strings, size_t count);

/* Appends a log line to a job (trimmed to keep_logs lines when > 0); -1 with ERR_NOT_FOUND if it is gone. */
int queue_add_log(struct queue *queue, const char *id, const char *line, long keep_logs, struct growth_error *err);

/* A job's progress: json is what BullMQ keeps as the job's progress (a number for its percent bar); message,
 * when given, goes into the progress event as an extra field "message" (BullMQ's QueueEvents passes it along
 * and leaves data alone); log_line, when given, is appended to the job's log (trimmed to keep_logs lines
 * when > 0) in the same round trip. */
struct queue_progress {
  const char *json;
  const char *message;
  const char *log_line;
  long keep_logs;
};

/* Sets a job's progress and emits the progress event, in one script; ERR_NOT_FOUND if the job is gone. */
int queue_set_progress(struct queue *queue, const char *id, const struct queue_progress *progress,
                       struct growth_error *err);

/* Job schedulers (BullMQ's Queue.upsertJobScheduler): after a worker takes an iteration of a scheduler, it
 * adds the next one, as BullMQ's worker does, for "every" and for cron patterns (queue_cron.h). Returns 1
 * when the next iteration was added, 0 when there is nothing to add (not a scheduler job, limit or end
 * date reached, scheduler removed, already added), -1 with err otherwise (ERR_BAD_ARGUMENT for a cron
 * pattern growthd cannot compute: those schedulers need BullMQ workers). */
int queue_schedule_next(struct queue *queue, const char *id, struct growth_error *err);

/* A field of the job's hash that BullMQ does not use (growthd keeps "scriptVersion" there); BullMQ ignores
 * fields it does not know. set: ERR_NOT_FOUND when the job is gone. get: *value_out (caller frees) or NULL. */
int queue_job_set_field(struct queue *queue, const char *id, const char *field, const char *value,
                        struct growth_error *err);
int queue_job_get_field(struct queue *queue, const char *id, const char *field, char **value_out,
                        struct growth_error *err);

/* Results of a job's named steps (what ctx.step keeps so a retried or recovered job does not repeat a side
 * effect). They are fields "step:<name>" of the job's own hash: they survive retries and stall recovery,
 * and go wherever the job goes (BullMQ's removal deletes them too; BullMQ ignores unknown fields).
 * queue_step_load sets *json_out (caller frees) or NULL when the step has no result yet;
 * queue_step_save is ERR_NOT_FOUND when the job is gone. */
int queue_step_load(struct queue *queue, const char *id, const char *step, char **json_out, struct growth_error *err);
int queue_step_save(struct queue *queue, const char *id, const char *step, const char *json, struct growth_error *err);

/* A small key/value store per owner (what ctx.store keeps per user and agent; the caller names the owner,
 * e.g. "<user>:<agent>"), in the hash <prefix>:<queue>:store:<owner>. It outlives jobs. Values are text
 * (JSON by convention) of at most QUEUE_STORE_VALUE_MAX bytes, at most QUEUE_STORE_KEYS_MAX keys per owner
 * (ERR_TOO_LARGE beyond). queue_store_get sets *value_out (caller frees) or NULL when the key is absent. */
#define QUEUE_STORE_VALUE_MAX 65536
#define QUEUE_STORE_KEYS_MAX 1000
int queue_store_get(struct queue *queue, const char *owner, const char *key, char **value_out,
                    struct growth_error *err);
int queue_store_set(struct queue *queue, const char *owner, const char *key, const char *value,
                    struct growth_error *err);
int queue_store_delete(struct queue *queue, const char *owner, const char *key, struct growth_error *err);

#endif
