/*
 * queue_producer.c — the queue object, adding jobs, pause/resume, and what a running job writes: progress,
 * log lines and step results (see queue.h).
 *
 * Adding is QUEUE_SCRIPT_ADD, which takes any number of jobs: one call per job for queue_add, and for
 * queue_add_bulk chunks of BULK_CHUNK jobs sent as one pipeline, so 20,000 jobs cost a few dozen script
 * calls and one round trip instead of 20,000 of each (BullMQ's addBulk pipelines one call per job).
 * A chunk is small enough that Redis is never blocked for long by one script.
 */
#include "queue/queue.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "queue/queue_cron.h"
#include "queue/queue_scripts.h"

#define BULK_CHUNK 500
#define ADD_FIELDS_PER_JOB 7

struct queue {
  struct redis_pool *pool;
  char *name;
  char *key_prefix;
  long keep_completed, keep_failed;   /* -1: keep every job (queue_set_retention) */
  long attempts, backoff_ms;          /* queue_set_job_defaults */
};

struct queue *queue_new(struct redis_pool *pool, const char *prefix, const char *name, struct growth_error *err)
{
  if (!name || !*name || strchr(name, ':')) {
    error_set(err, ERR_BAD_ARGUMENT, "queue name '%s' is not usable; expected a non-empty name without ':'",
              name ? name : "");
    return NULL;
  }
  struct queue *queue = calloc(1, sizeof *queue);
  if (!queue)
    goto fail_queue;
  queue->pool = pool;
  queue->keep_completed = queue->keep_failed = -1;
  queue->attempts = 1;
  queue->name = strdup(name);
  if (!queue->name)
    goto fail_name;
  size_t size = strlen(prefix ? prefix : "bull") + strlen(name) + 3;
  queue->key_prefix = malloc(size);
  if (!queue->key_prefix)
    goto fail_prefix;
  snprintf(queue->key_prefix, size, "%s:%s:", prefix ? prefix : "bull", name);
  return queue;

fail_prefix:
  free(queue->name);
fail_name:
  free(queue);
fail_queue:
  error_set(err, ERR_NO_MEMORY, "queue %s: out of memory", name);
  return NULL;
}

void queue_free(struct queue *queue)
{
  if (!queue)
    return;
  free(queue->key_prefix);
  free(queue->name);
  free(queue);
}

const char *queue_name(const struct queue *queue)
{
  return queue->name;
}

const char *queue_key_prefix(const struct queue *queue)
{
  return queue->key_prefix;
}

struct redis_pool *queue_pool(const struct queue *queue)
{
  return queue->pool;
}

/* BullMQ's Node client refuses these custom ids: they would collide with the counter or the key layout. */
static int check_custom_id(const char *id, struct growth_error *err)
{
  int digits_only = *id != '\0';
  for (const char *p = id; *p; p++)
    digits_only = digits_only && isdigit((unsigned char)*p);
  if (!*id || digits_only || strchr(id, ':'))
    return error_set(err, ERR_BAD_ARGUMENT,
                     "job id '%.100s' is not allowed; expected a non-empty id that is not a whole number and has no ':'",
                     id);
  return 0;
}

static int check_data(const struct queue_new_job *job, struct growth_error *err)
{
  if (!job->name || !*job->name)
    return error_set(err, ERR_BAD_ARGUMENT, "a job needs a name; got an empty one");
  if (job->data) {
    json_error_t parse_error;
    json_t *value = json_loads(job->data, JSON_DECODE_ANY, &parse_error);
    if (!value)
      return error_set(err, ERR_BAD_ARGUMENT, "job '%s': data is not JSON (%s at line %d column %d)", job->name,
                       parse_error.text, parse_error.line, parse_error.column);
    json_decref(value);
  }
  if (job->job_id && check_custom_id(job->job_id, err) != 0)
    return -1;
  const struct queue_job_options *options = job->options;
  if (options && (options->priority < 0 || options->priority > 2097151))
    return error_set(err, ERR_BAD_ARGUMENT, "job '%s': priority %ld is out of range; expected 0 to 2097151", job->name,
                     options->priority);
  if (options && (options->delay_ms < 0 || options->attempts < 0))
    return error_set(err, ERR_BAD_ARGUMENT, "job '%s': delay and attempts must not be negative", job->name);
  return 0;
}

/* The opts JSON of every job, built before anything is sent; opts[i] are freed by the caller. */
void queue_set_retention(struct queue *queue, long keep_completed, long keep_failed)
{
  queue->keep_completed = keep_completed;
  queue->keep_failed = keep_failed;
}

void queue_set_job_defaults(struct queue *queue, long attempts, long backoff_ms)
{
  queue->attempts = attempts;
  queue->backoff_ms = backoff_ms;
}

void queue_default_options(const struct queue *queue, struct queue_job_options *options)
{
  queue_job_options_default(options);
  options->attempts = queue->attempts;
  if (queue->backoff_ms > 0) {
    options->backoff_type = QUEUE_BACKOFF_EXPONENTIAL;
    options->backoff_delay_ms = queue->backoff_ms;
  }
}

/* The queue's retention where the job's options leave it unset. */
static void apply_retention(struct queue_retention *keep, long count)
{
  if (!keep->remove_all && keep->count < 0 && keep->age_s < 0 && count >= 0)
    keep->count = count;
}

static int build_opts(const struct queue *queue, const struct queue_new_job *jobs, size_t count, char **opts,
                      struct growth_error *err)
{
  for (size_t i = 0; i < count; i++) {
    if (check_data(&jobs[i], err) != 0)
      return error_prefix(err, "job %zu of %zu", i + 1, count);
    struct queue_job_options options;
    if (jobs[i].options)
      options = *jobs[i].options;
    else
      queue_job_options_default(&options);
    apply_retention(&options.remove_on_complete, queue->keep_completed);
    apply_retention(&options.remove_on_fail, queue->keep_failed);
    opts[i] = queue_job_options_json(&options, jobs[i].job_id, err);
    if (!opts[i])
      return -1;
  }
  return 0;
}

static void add_chunk_args(struct queue_args *args, const char *now, const struct queue_new_job *jobs, char **opts,
                           size_t count)
{
  queue_args_add_text(args, now);
  queue_args_add_long(args, (long long)count);
  for (size_t i = 0; i < count; i++) {
    const struct queue_job_options *options = jobs[i].options;
    queue_args_add_text(args, jobs[i].job_id ? jobs[i].job_id : "");
    queue_args_add_text(args, jobs[i].name);
    queue_args_add_text(args, jobs[i].data ? jobs[i].data : "{}");
    queue_args_add_text(args, opts[i]);
    queue_args_add_long(args, options ? options->delay_ms : 0);
    queue_args_add_long(args, options ? options->priority : 0);
    queue_args_add_text(args, options && options->lifo ? "1" : "0");
  }
}

/* Copies the ids of one chunk's reply into ids[0..count). */
static int take_ids(const redisReply *reply, char **ids, size_t count, struct growth_error *err)
{
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != count)
    return error_set(err, ERR_UPSTREAM, "queue add: unexpected reply from the add script");
  for (size_t i = 0; i < count; i++) {
    ids[i] = strdup(reply->element[i]->str ? reply->element[i]->str : "");
    if (!ids[i])
      return error_set(err, ERR_NO_MEMORY, "queue add: out of memory");
  }
  return 0;
}

static int send_chunks(struct queue *queue, struct redis_conn *conn, const struct queue_new_job *jobs, char **opts,
                       size_t count, char **ids, struct growth_error *err)
{
  char now[32];
  snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
  size_t chunks = (count + BULK_CHUNK - 1) / BULK_CHUNK;
  int status = -1;
  struct queue_args *args = calloc(chunks, sizeof *args);
  struct queue_args *commands = calloc(chunks, sizeof *commands);
  int *argcs = calloc(chunks, sizeof *argcs);
  const char *const **argvs = calloc(chunks, sizeof *argvs);
  const size_t **lengths = calloc(chunks, sizeof *lengths);
  redisReply **replies = calloc(chunks, sizeof *replies);
  if (!args || !commands || !argcs || !argvs || !lengths || !replies) {
    error_set(err, ERR_NO_MEMORY, "queue add: out of memory for %zu jobs", count);
    goto done;
  }
  for (size_t c = 0; c < chunks; c++) {
    size_t first = c * BULK_CHUNK, n = count - first < BULK_CHUNK ? count - first : BULK_CHUNK;
    add_chunk_args(&args[c], now, jobs + first, opts + first, n);
    if (queue_script_command(QUEUE_SCRIPT_ADD, queue->key_prefix, &args[c], &commands[c]) != 0) {
      error_set(err, ERR_NO_MEMORY, "queue add: out of memory for %zu jobs", count);
      goto done;
    }
    argcs[c] = (int)commands[c].count;
    argvs[c] = commands[c].values;
    lengths[c] = commands[c].lengths;
  }
  /* The first chunk goes alone, so a missing script is loaded before the pipeline. */
  replies[0] = queue_script_run(conn, QUEUE_SCRIPT_ADD, queue->key_prefix, &args[0], err);
  if (!replies[0])
    goto done;
  if (chunks > 1 && redis_conn_pipeline(conn, chunks - 1, argcs + 1, argvs + 1, lengths + 1, replies + 1, err) != 0)
    goto done;
  for (size_t c = 0; c < chunks; c++) {
    size_t first = c * BULK_CHUNK, n = count - first < BULK_CHUNK ? count - first : BULK_CHUNK;
    if (replies[c]->type == REDIS_REPLY_ERROR) {
      error_set(err, ERR_UPSTREAM, "queue add: redis replied: %s", replies[c]->str);
      goto done;
    }
    if (take_ids(replies[c], ids + first, n, err) != 0)
      goto done;
  }
  status = 0;
done:
  for (size_t c = 0; replies && c < chunks; c++)
    if (replies[c])
      freeReplyObject(replies[c]);
  for (size_t c = 0; args && commands && c < chunks; c++) {
    queue_args_free(&args[c]);
    queue_args_free(&commands[c]);
  }
  free(replies);
  free(lengths);
  free(argvs);
  free(argcs);
  free(commands);
  free(args);
  return status;
}

int queue_add_bulk(struct queue *queue, const struct queue_new_job *jobs, size_t count, char ***ids_out,
                   struct growth_error *err)
{
  *ids_out = NULL;
  if (count == 0)
    return 0;
  int status = -1;
  char **opts = calloc(count, sizeof *opts);
  char **ids = calloc(count, sizeof *ids);
  struct redis_conn *conn = NULL;
  if (!opts || !ids) {
    error_set(err, ERR_NO_MEMORY, "queue add: out of memory for %zu jobs", count);
    goto done;
  }
  if (build_opts(queue, jobs, count, opts, err) != 0)
    goto done;
  conn = redis_pool_acquire(queue->pool, err);
  if (!conn)
    goto done;
  if (send_chunks(queue, conn, jobs, opts, count, ids, err) != 0)
    goto done;
  *ids_out = ids;
  ids = NULL;
  status = 0;
done:
  redis_pool_release(queue->pool, conn);
  queue_free_strings(ids, count);
  queue_free_strings(opts, count);
  if (status != 0)
    error_prefix(err, "adding to queue %s", queue->name);
  return status;
}

int queue_add(struct queue *queue, const struct queue_new_job *job, char **id_out, struct growth_error *err)
{
  char **ids = NULL;
  *id_out = NULL;
  if (queue_add_bulk(queue, job, 1, &ids, err) != 0)
    return -1;
  *id_out = ids[0];
  free(ids);
  return 0;
}

void queue_free_strings(char **strings, size_t count)
{
  if (!strings)
    return;
  for (size_t i = 0; i < count; i++)
    free(strings[i]);
  free(strings);
}

/* Runs a one-shot script on a pooled connection; returns its integer reply through *result. */
static int run_simple(struct queue *queue, enum queue_script script, struct queue_args *args, long long *result,
                      struct growth_error *err)
{
  struct redis_conn *conn = redis_pool_acquire(queue->pool, err);
  if (!conn)
    return -1;
  redisReply *reply = queue_script_run(conn, script, queue->key_prefix, args, err);
  redis_pool_release(queue->pool, conn);
  if (!reply)
    return -1;
  if (result)
    *result = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
  freeReplyObject(reply);
  return 0;
}

static int set_paused(struct queue *queue, int paused, struct growth_error *err)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, paused ? "1" : "0");
  int status = run_simple(queue, QUEUE_SCRIPT_PAUSE, &args, NULL, err);
  queue_args_free(&args);
  if (status != 0)
    return error_prefix(err, "%s queue %s", paused ? "pausing" : "resuming", queue->name);
  return 0;
}

int queue_pause(struct queue *queue, struct growth_error *err)
{
  return set_paused(queue, 1, err);
}

int queue_resume(struct queue *queue, struct growth_error *err)
{
  return set_paused(queue, 0, err);
}

int queue_add_log(struct queue *queue, const char *id, const char *line, long keep_logs, struct growth_error *err)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, id);
  queue_args_add_text(&args, line);
  queue_args_add_long(&args, keep_logs);
  long long result = 0;
  int status = run_simple(queue, QUEUE_SCRIPT_LOG, &args, &result, err);
  queue_args_free(&args);
  if (status == 0 && result < 0)
    return error_set(err, ERR_NOT_FOUND, "job %s of queue %s no longer exists; its log line was dropped", id,
                     queue->name);
  return status;
}

int queue_set_progress(struct queue *queue, const char *id, const struct queue_progress *progress,
                       struct growth_error *err)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, id);
  queue_args_add_text(&args, progress->json);
  queue_args_add_text(&args, progress->message ? progress->message : "");
  queue_args_add_text(&args, progress->log_line ? progress->log_line : "");
  queue_args_add_long(&args, progress->keep_logs);
  long long result = 0;
  int status = run_simple(queue, QUEUE_SCRIPT_PROGRESS, &args, &result, err);
  queue_args_free(&args);
  if (status == 0 && result < 0)
    return error_set(err, ERR_NOT_FOUND, "job %s of queue %s no longer exists; its progress was dropped", id,
                     queue->name);
  return status;
}

int queue_job_set_field(struct queue *queue, const char *id, const char *field, const char *value,
                        struct growth_error *err)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, id);
  queue_args_add_text(&args, field);
  queue_args_add_text(&args, value);
  long long result = 0;
  int status = run_simple(queue, QUEUE_SCRIPT_SET_FIELD, &args, &result, err);
  queue_args_free(&args);
  if (status == 0 && result < 0)
    return error_set(err, ERR_NOT_FOUND, "job %s of queue %s no longer exists; its field '%s' was not set", id,
                     queue->name, field);
  return status;
}

int queue_job_get_field(struct queue *queue, const char *id, const char *field, char **value_out,
                        struct growth_error *err)
{
  *value_out = NULL;
  struct redis_conn *conn = redis_pool_acquire(queue->pool, err);
  if (!conn)
    return -1;
  redisReply *reply = redis_conn_command(conn, err, "HGET %s%s %s", queue->key_prefix, id, field);
  redis_pool_release(queue->pool, conn);
  if (!reply)
    return error_prefix(err, "reading field '%s' of job %s", field, id);
  int status = 0;
  if (reply->type == REDIS_REPLY_STRING && !(*value_out = strdup(reply->str)))
    status = error_set(err, ERR_NO_MEMORY, "reading field '%s' of job %s: out of memory", field, id);
  freeReplyObject(reply);
  return status;
}

int queue_step_save(struct queue *queue, const char *id, const char *step, const char *json, struct growth_error *err)
{
  char field[300];
  snprintf(field, sizeof field, "step:%s", step);
  return queue_job_set_field(queue, id, field, json, err);
}

int queue_step_load(struct queue *queue, const char *id, const char *step, char **json_out, struct growth_error *err)
{
  *json_out = NULL;
  struct redis_conn *conn = redis_pool_acquire(queue->pool, err);
  if (!conn)
    return -1;
  redisReply *reply = redis_conn_command(conn, err, "HGET %s%s step:%s", queue->key_prefix, id, step);
  redis_pool_release(queue->pool, conn);
  if (!reply)
    return error_prefix(err, "loading step '%s' of job %s", step, id);
  int status = 0;
  if (reply->type == REDIS_REPLY_STRING && !(*json_out = strdup(reply->str)))
    status = error_set(err, ERR_NO_MEMORY, "loading step '%s' of job %s: out of memory", step, id);
  freeReplyObject(reply);
  return status;
}

/* One call of the schedule script; *reply_out is its reply (caller frees). */
static int run_schedule(struct queue *queue, const char *id, const char *now, const char *next, redisReply **reply_out,
                        struct growth_error *err)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, id);
  queue_args_add_text(&args, now);
  queue_args_add_text(&args, next);
  struct redis_conn *conn = redis_pool_acquire(queue->pool, err);
  *reply_out = conn ? queue_script_run(conn, QUEUE_SCRIPT_SCHEDULE_NEXT, queue->key_prefix, &args, err) : NULL;
  redis_pool_release(queue->pool, conn);
  queue_args_free(&args);
  if (!*reply_out)
    return error_prefix(err, "scheduling the next run after job %s", id);
  if ((*reply_out)->type != REDIS_REPLY_ARRAY || (*reply_out)->elements < 2) {
    freeReplyObject(*reply_out);
    *reply_out = NULL;
    return error_set(err, ERR_UPSTREAM, "scheduling the next run after job %s: unexpected reply", id);
  }
  return 0;
}

int queue_schedule_next(struct queue *queue, const char *id, struct growth_error *err)
{
  int64_t now_ms = clock_wall_ms();
  char now[32], next[32] = "";
  snprintf(now, sizeof now, "%lld", (long long)now_ms);
  redisReply *reply = NULL;
  if (run_schedule(queue, id, now, next, &reply, err) != 0)
    return -1;
  long long code = reply->element[0]->integer;
  if (code == -2 && reply->elements == 4) {
    /* a cron scheduler: as BullMQ, the first match after max(previous run, now), at least now */
    int64_t previous = strtoll(reply->element[3]->str, NULL, 10), next_ms = 0;
    int64_t after = previous > now_ms ? previous : now_ms;
    int status = queue_cron_next(reply->element[1]->str, reply->element[2]->str, after, &next_ms, err);
    freeReplyObject(reply);
    if (status != 0)
      return error_prefix(err, "job %s of a job scheduler", id);
    snprintf(next, sizeof next, "%lld", (long long)next_ms);
    if (run_schedule(queue, id, now, next, &reply, err) != 0)
      return -1;
    code = reply->element[0]->integer;
  }
  freeReplyObject(reply);
  if (code < 0)
    return error_set(err, ERR_UPSTREAM, "scheduling the next run after job %s: unexpected reply", id);
  return code == 1;
}
