/*
 * job_worker.c — growthd's worker pool (see job_worker.h).
 *
 * A job's name is an agent's name: the handler is core/agents/job_runner, which runs the job on the
 * agent's current script. `growthd serve --workers N` hands in its own registry and services, so the
 * in-process workers share the API's hot reload; `growthd worker` has none, so the worker loads the
 * scripts itself, watches them when GROWTH_HOT_RELOAD is on, and reloads on SIGHUP (job_worker_reload).
 */
#include "cmd/job_worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agents/job_runner.h"
#include "agents/loader.h"
#include "agents/reload.h"
#include "agents/watcher.h"
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
  struct job_runner *runner;
  struct loader_options loader_options;
  /* owned only when the caller handed in none */
  struct agent_registry *own_registry;
  struct services *own_services;
  struct watcher *watcher;
  struct agent_registry *registry;
};

/* The registry and services of a worker process of its own: loaded, logged and watched like serve's. */
static int open_agents(struct job_worker *worker, const struct config *config, struct growth_error *err)
{
  worker->own_services = services_new(config, worker->pool, err);
  if (!worker->own_services)
    return -1;
  services_log(worker->own_services);
  worker->own_registry = registry_new(err);
  if (!worker->own_registry)
    return -1;
  worker->registry = worker->own_registry;
  if (reload_and_log(worker->registry, &worker->loader_options, "start", err) != 0)
    return -1;
  if (config->hot_reload && !(worker->watcher = watcher_start(worker->registry, &worker->loader_options, err)))
    return -1;
  return 0;
}

void job_worker_reload(struct job_worker *worker, const char *reason)
{
  struct growth_error err = { 0 };
  if (worker && worker->own_registry && reload_and_log(worker->registry, &worker->loader_options, reason, &err) != 0)
    log_error("Worker", "reload: %s", err.message);
}

static void free_agents(struct job_worker *worker)
{
  job_runner_free(worker->runner);
  watcher_stop(worker->watcher);
  registry_free(worker->own_registry);
  services_free(worker->own_services);
}

struct job_worker *job_worker_start(const struct config *config, long concurrency, struct agent_registry *registry,
                                    struct services *services, struct growth_error *err)
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
  /* the follow-up jobs of ctx.schedule keep what launched jobs keep */
  queue_set_retention(worker->queue, config->keep_completed > 0 ? config->keep_completed : -1,
                      config->keep_failed > 0 ? config->keep_failed : -1);
  queue_set_job_defaults(worker->queue, config->job_attempts, config->job_backoff_ms);
  worker->loader_options = loader_options_from_config(config);
  worker->registry = registry;
  if (!registry && open_agents(worker, config, err) != 0)
    goto fail;
  worker->runner = job_runner_new(config, worker->registry, services ? services : worker->own_services,
                                  worker->queue, err);
  if (!worker->runner)
    goto fail;
  char host[64] = "host";
  gethostname(host, sizeof host - 1);
  snprintf(worker->name, sizeof worker->name, "growthd-%s-%ld", host, (long)getpid());
  worker->handler = job_runner_handler(worker->runner);
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
  free_agents(worker);
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
  free_agents(worker);
  queue_free(worker->queue);
  redis_pool_free(worker->pool);
  free(worker);
}
