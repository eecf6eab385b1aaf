/*
 * queue_scripts.h — the queue's Redis Lua scripts and how they are called (internal to core/queue/).
 *
 * Every state change of a job is one script, so it is atomic against BullMQ's own scripts running on the
 * same Redis. A script is called by its SHA1 (EVALSHA); on NOSCRIPT (first use, or after SCRIPT FLUSH or a
 * Redis restart) it is loaded with SCRIPT LOAD and the call is made once more.
 *
 * struct queue_args collects a command's arguments: borrowed strings (the caller keeps them alive until
 * the call) and formatted numbers (owned by the collection).
 */
#ifndef GROWTH_QUEUE_SCRIPTS_H
#define GROWTH_QUEUE_SCRIPTS_H

#include <stddef.h>
#include <hiredis/hiredis.h>

#include "base/error.h"
#include "redis/redis_pool.h"

enum queue_script {
  QUEUE_SCRIPT_ADD,           /* add jobs (one or many) */
  QUEUE_SCRIPT_STEP,          /* finish jobs, promote delayed ones, take new ones */
  QUEUE_SCRIPT_EXTEND_LOCKS,  /* renew the locks of jobs a worker holds */
  QUEUE_SCRIPT_STALLED,       /* move jobs whose worker died back to wait */
  QUEUE_SCRIPT_PROGRESS,
  QUEUE_SCRIPT_LOG,
  QUEUE_SCRIPT_PAUSE,         /* pause ("1") or resume ("0") the whole queue */
  QUEUE_SCRIPT_RELEASE,       /* give an active job back to wait (shutdown) */
  QUEUE_SCRIPT_SET_FIELD,     /* set a field of a job's hash while the job exists */
  QUEUE_SCRIPT_STORE_SET,     /* set a key of an owner's store, within its key limit */
  QUEUE_SCRIPT_SCHEDULE_NEXT, /* add a job scheduler's next iteration */
  QUEUE_SCRIPT_RECLAIM,       /* the jobs a step call took whose reply was lost */
  QUEUE_SCRIPT_COUNT
};

/* The sources (queue_script_step.c, queue_script_sources.c). */
extern const char queue_script_add[], queue_script_step[], queue_script_extend[], queue_script_reclaim[], queue_script_stalled[],
    queue_script_progress[], queue_script_log[], queue_script_pause[], queue_script_release[],
    queue_script_set_field[], queue_script_store_set[], queue_script_schedule_next[];

struct queue_args {
  size_t count, capacity;
  const char **values;
  size_t *lengths;
  char **owned;       /* formatted values, freed with the collection */
  size_t owned_count;
  int failed;         /* an allocation failed; reported by queue_script_run */
};

void queue_args_init(struct queue_args *args);
void queue_args_free(struct queue_args *args);
void queue_args_add(struct queue_args *args, const char *value, size_t length);
void queue_args_add_text(struct queue_args *args, const char *text);
void queue_args_add_long(struct queue_args *args, long long value);

/* The SHA1 (40 hex digits) of a script. */
const char *queue_script_sha(enum queue_script script);

/* EVALSHA script with KEYS[1] = prefix and ARGV = args; loads it on NOSCRIPT and retries once.
 * Returns the reply (caller frees with freeReplyObject) or NULL with err. */
redisReply *queue_script_run(struct redis_conn *conn, enum queue_script script, const char *prefix,
                             const struct queue_args *args, struct growth_error *err);

/* Loads script with SCRIPT LOAD (used before a pipeline of EVALSHA calls). */
int queue_script_load(struct redis_conn *conn, enum queue_script script, struct growth_error *err);

/* Builds the EVALSHA command for script into out (prefix and args borrowed), for pipelining. */
int queue_script_command(enum queue_script script, const char *prefix, const struct queue_args *args,
                         struct queue_args *out);

#endif
