/*
 * serve.c — `growthd serve [--workers N]`: the HTTP API and dashboard until SIGTERM/SIGINT, and with
 * --workers (GROWTH_WORKERS) N jobs at once run in-process by the same worker as `growthd worker`.
 *
 * The stop signals are blocked before any thread starts, so every thread
 * inherits the mask and the main thread alone takes them with sigwait; no
 * handler runs in signal context. On a stop signal the server stops
 * accepting, lets requests in flight finish, and the process exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "agents/registry.h"
#include "base/clock.h"
#include "base/log.h"
#include "cmd/command.h"
#include "cmd/job_worker.h"
#include "http/api.h"
#include "http/server.h"
#include "redis/redis_pool.h"

#define DRAIN_TIMEOUT_MS 10000

static void block_stop_signals(sigset_t *set)
{
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  pthread_sigmask(SIG_BLOCK, set, NULL);
  signal(SIGPIPE, SIG_IGN);
}

static int wait_for_stop_signal(const sigset_t *set)
{
  int signal_number = 0;
  while (sigwait(set, &signal_number) != 0)
    ;
  return signal_number;
}

static struct redis_pool *open_redis(const struct config *config, struct growth_error *err)
{
  struct redis_pool_options options = {
    .url = config->redis,
    .size = (size_t)config->http_threads,
    .connect_timeout_ms = config->redis_connect_timeout_ms,
    .command_timeout_ms = config->redis_command_timeout_ms,
  };
  return redis_pool_new(&options, err);
}

static int parse_serve_options(int argc, char **argv, long *workers)
{
  for (int i = 0; i < argc; i++) {
    int matched = command_option_long(argc, argv, &i, "--workers", 0, 1024, workers);
    if (matched < 0)
      return -1;
    if (matched == 0) {
      fprintf(stderr, "growthd serve: unknown option '%s'\n", argv[i]);
      return -1;
    }
  }
  return 0;
}

int command_serve(const struct config *config, int argc, char **argv)
{
  long workers = config->workers;
  if (parse_serve_options(argc, argv, &workers) != 0)
    return EXIT_USAGE;
  sigset_t stop_signals;
  block_stop_signals(&stop_signals);

  int status = 1;
  struct growth_error err = { 0 };
  struct api_context context = { .config = config, .started_ms = clock_monotonic_ms() };
  struct router *router = NULL;
  struct http_server *server = NULL;
  struct job_worker *worker = NULL;

  context.registry = registry_new(&err);
  if (!context.registry)
    goto done;
  context.redis = open_redis(config, &err);
  if (!context.redis)
    goto done;
  router = api_router_new(config, &err);
  if (!router)
    goto done;
  struct http_server_options options = {
    .bind_address = config->bind_address,
    .port = (int)config->port,
    .threads = (unsigned)config->http_threads,
    .max_body_bytes = (size_t)config->max_body_bytes,
    .router = router,
    .guard = api_guard,
    .context = &context,
  };
  server = http_server_start(&options, &err);
  if (!server)
    goto done;
  log_info("Server", "growthd %s listening on http://%s:%d (environment %s)", GROWTH_VERSION, config->bind_address,
           http_server_port(server), config_environment_name(config->environment));

  if (workers > 0 && !(worker = job_worker_start(config, workers, &err)))
    goto done;

  int signal_number = wait_for_stop_signal(&stop_signals);
  log_info("Server", "%s received: no longer accepting; finishing requests in flight", strsignal(signal_number));
  job_worker_stop(worker, config);
  worker = NULL;
  http_server_stop(server, DRAIN_TIMEOUT_MS);
  server = NULL;
  log_info("Server", "stopped");
  status = 0;

done:
  if (status != 0)
    log_error("Server", "%s", err.message);
  job_worker_stop(worker, config);
  http_server_stop(server, 0);
  router_free(router);
  redis_pool_free(context.redis);
  registry_free(context.registry);
  return status;
}
