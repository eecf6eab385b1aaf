/*
 * job_worker.c — growthd's worker pool (see job_worker.h).
 *
 * The job handler is where growthd decides what a job name means. The agent runner (core/agents, the
 * runtime issue) is not wired in yet, so this handler accepts no name: every job taken fails at once with
 * "no handler for the job name '<name>' in this worker", and the worker goes on. Wiring the runner means
 * filling accepts() and run() from it here; the queue itself stays as it is.
 */
#include "cmd/job_worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "queue/queue.h"
#include "queue/queue_worker.h"
#include "redis/redis_pool.h"

struct job_worker {
  char name[160];   /* "growthd-<host>-<pid>": the jobs' processedBy and the connection's name in CLIENT LIST */
  struct redis_pool *pool;
  struct queue *queue;
  struct queue_job_handler handler;
  struct queue_worker *worker;
};

static int accepts_nothing(void *context, const char *name)
{
  (void)context;
  (void)name;
  return 0;
}

static int run_nothing(void *context, const struct queue_job *job, struct queue_job_control *control,
                       char **result_json, struct growth_error *err)
{
  (void)context;
  (void)control;
  *result_json = NULL;
  return error_set(err, ERR_NOT_FOUND, "no handler for the job name '%s' in this worker", job->name);
}

struct job_worker *job_worker_start(const struct config *config, long concurrency, struct growth_error *err)
{
  struct job_worker *worker = calloc(1, sizeof *worker);
  if (!worker) {
    error_set(err, ERR_NO_MEMORY, "worker: out of memory");
    return NULL;
  }
  /* the coordinator, progress and log writes of the handlers, and the shutdown's CLIENT UNBLOCK */
  struct redis_pool_options options = {
    .url = config->redis,
    .size = (size_t)(concurrency < 16 ? concurrency : 16) + 2,
    .connect_timeout_ms = config->redis_connect_timeout_ms,
    .command_timeout_ms = config->redis_command_timeout_ms,
  };
  worker->pool = redis_pool_new(&options, err);
  if (!worker->pool)
    goto fail;
  worker->queue = queue_new(worker->pool, config->queue_prefix, config->queue_name, err);
  if (!worker->queue)
    goto fail;
  char host[64] = "host";
  gethostname(host, sizeof host - 1);
  snprintf(worker->name, sizeof worker->name, "growthd-%s-%ld", host, (long)getpid());
  worker->handler = (struct queue_job_handler){ .context = NULL, .accepts = accepts_nothing, .run = run_nothing };
  struct queue_worker_options worker_options = {
    .queue = worker->queue,
    .handler = &worker->handler,
    .concurrency = concurrency,
    .lock_duration_ms = config->lock_duration_ms,
    .stalled_interval_ms = config->stalled_interval_ms,
    .max_stalled_count = config->max_stalled_count,
    .drain_delay_ms = 5000,
    .name = worker->name,
  };
  worker->worker = queue_worker_start(&worker_options, err);
  if (!worker->worker)
    goto fail;
  return worker;
fail:
  queue_free(worker->queue);
  redis_pool_free(worker->pool);
  free(worker);
  return NULL;
}

void job_worker_stop(struct job_worker *worker, const struct config *config)
{
  if (!worker)
    return;
  queue_worker_stop(worker->worker, config->shutdown_grace_s * 1000);
  queue_free(worker->queue);
  redis_pool_free(worker->pool);
  free(worker);
}
