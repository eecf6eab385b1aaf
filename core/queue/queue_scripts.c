/*
 * queue_scripts.c — calling the queue's Lua scripts: SHA1s, EVALSHA with NOSCRIPT reload, and argument
 * lists (see queue_scripts.h). The sources are in queue_script_step.c and queue_script_sources.c.
 *
 * The scripts write BullMQ 6.7.0's layout (shared/docs/bullmq-protocol.md) and nothing more. They are
 * leaner than BullMQ's own because they leave out what growthd does not produce (metrics, deduplicated
 * adds, new job schedulers), and because one call finishes many jobs and takes many new ones (the step),
 * where BullMQ makes a round trip per job. For jobs that BullMQ's producers add, a finish still does
 * BullMQ's bookkeeping (flow parents, deduplication ids), and taking jobs honours the queue-wide limits
 * in meta (concurrency; max per duration with the limiter key). Times are the caller's clock in ms,
 * passed as arguments; numbers that become scores or fields are formatted with "%.0f" inside the scripts
 * so they never turn into exponent notation.
 */
#include "queue/queue_scripts.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const script_sources[QUEUE_SCRIPT_COUNT] = {
  [QUEUE_SCRIPT_ADD] = queue_script_add,
  [QUEUE_SCRIPT_STEP] = queue_script_step,
  [QUEUE_SCRIPT_EXTEND_LOCKS] = queue_script_extend,
  [QUEUE_SCRIPT_STALLED] = queue_script_stalled,
  [QUEUE_SCRIPT_PROGRESS] = queue_script_progress,
  [QUEUE_SCRIPT_LOG] = queue_script_log,
  [QUEUE_SCRIPT_PAUSE] = queue_script_pause,
  [QUEUE_SCRIPT_RELEASE] = queue_script_release,
  [QUEUE_SCRIPT_SET_FIELD] = queue_script_set_field,
  [QUEUE_SCRIPT_STORE_SET] = queue_script_store_set,
  [QUEUE_SCRIPT_SCHEDULE_NEXT] = queue_script_schedule_next,
  [QUEUE_SCRIPT_RECLAIM] = queue_script_reclaim,
};

static const char *const script_names[QUEUE_SCRIPT_COUNT] = {
  "add", "step", "extend-locks", "stalled", "progress", "log", "pause", "release", "set-field", "store-set", "schedule-next", "reclaim",
};

static char script_shas[QUEUE_SCRIPT_COUNT][41];
static pthread_once_t shas_once = PTHREAD_ONCE_INIT;

static void compute_shas(void)
{
  for (int i = 0; i < QUEUE_SCRIPT_COUNT; i++) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(script_sources[i], strlen(script_sources[i]), digest, &length, EVP_sha1(), NULL);
    for (unsigned int j = 0; j < length && j < 20; j++)
      snprintf(script_shas[i] + 2 * j, 3, "%02x", digest[j]);
  }
}

const char *queue_script_sha(enum queue_script script)
{
  pthread_once(&shas_once, compute_shas);
  return script_shas[script];
}

void queue_args_init(struct queue_args *args)
{
  memset(args, 0, sizeof *args);
}

void queue_args_free(struct queue_args *args)
{
  for (size_t i = 0; i < args->owned_count; i++)
    free(args->owned[i]);
  free(args->owned);
  free(args->values);
  free(args->lengths);
  memset(args, 0, sizeof *args);
}

static int grow(struct queue_args *args)
{
  if (args->count < args->capacity)
    return 0;
  size_t capacity = args->capacity ? args->capacity * 2 : 16;
  const char **values = realloc(args->values, capacity * sizeof *values);
  if (!values)
    return -1;
  args->values = values;
  size_t *lengths = realloc(args->lengths, capacity * sizeof *lengths);
  if (!lengths)
    return -1;
  args->lengths = lengths;
  char **owned = realloc(args->owned, capacity * sizeof *owned);
  if (!owned)
    return -1;
  args->owned = owned;
  args->capacity = capacity;
  return 0;
}

void queue_args_add(struct queue_args *args, const char *value, size_t length)
{
  if (args->failed || grow(args) != 0) {
    args->failed = 1;
    return;
  }
  args->values[args->count] = value;
  args->lengths[args->count] = length;
  args->count++;
}

void queue_args_add_text(struct queue_args *args, const char *text)
{
  queue_args_add(args, text ? text : "", text ? strlen(text) : 0);
}

void queue_args_add_long(struct queue_args *args, long long value)
{
  char buffer[32];
  int length = snprintf(buffer, sizeof buffer, "%lld", value);
  char *copy = NULL;
  if (!args->failed && grow(args) == 0)
    copy = strdup(buffer);
  if (!copy) {
    args->failed = 1;
    return;
  }
  args->owned[args->owned_count++] = copy;
  queue_args_add(args, copy, (size_t)length);
}

int queue_script_command(enum queue_script script, const char *prefix, const struct queue_args *args,
                         struct queue_args *out)
{
  queue_args_add_text(out, "EVALSHA");
  queue_args_add(out, queue_script_sha(script), 40);
  queue_args_add_text(out, "1");
  queue_args_add_text(out, prefix);
  for (size_t i = 0; i < args->count; i++)
    queue_args_add(out, args->values[i], args->lengths[i]);
  return out->failed || args->failed ? -1 : 0;
}

int queue_script_load(struct redis_conn *conn, enum queue_script script, struct growth_error *err)
{
  redisReply *reply = redis_conn_command(conn, err, "SCRIPT LOAD %s", script_sources[script]);
  if (!reply)
    return error_prefix(err, "loading the queue's '%s' script", script_names[script]);
  int same = reply->type == REDIS_REPLY_STRING && strcmp(reply->str, queue_script_sha(script)) == 0;
  freeReplyObject(reply);
  if (!same)
    return error_set(err, ERR_INTERNAL, "loading the queue's '%s' script: Redis computed another SHA1",
                     script_names[script]);
  return 0;
}

redisReply *queue_script_run(struct redis_conn *conn, enum queue_script script, const char *prefix,
                             const struct queue_args *args, struct growth_error *err)
{
  struct queue_args command;
  queue_args_init(&command);
  redisReply *reply = NULL;
  if (queue_script_command(script, prefix, args, &command) != 0) {
    error_set(err, ERR_NO_MEMORY, "queue script '%s': out of memory for its arguments", script_names[script]);
    goto done;
  }
  for (int attempt = 0; attempt < 2 && !reply; attempt++) {
    reply = redis_conn_command_argv(conn, (int)command.count, command.values, command.lengths, err);
    if (reply || attempt > 0 || strncmp(err->message, "redis replied: NOSCRIPT", 23) != 0)
      break;
    if (queue_script_load(conn, script, err) != 0)
      break;
  }
  if (!reply)
    error_prefix(err, "queue script '%s'", script_names[script]);
done:
  queue_args_free(&command);
  return reply;
}
