/*
 * serve.c — `growthd serve [--workers N]`: the HTTP API and dashboard until SIGTERM/SIGINT, and with
 * --workers (GROWTH_WORKERS) N jobs at once run in-process by the same worker as `growthd worker`.
 *
 * The stop signals and SIGHUP are blocked before any thread starts, so every
 * thread inherits the mask and the main thread alone takes them with sigwait;
 * no handler runs in signal context. On a stop signal the server stops
 * accepting, lets requests in flight finish, and the process exits 0.
 *
 * Agents: the registry is loaded from GROWTH_SCRIPTS_DIR before the server
 * starts (a broken script is refused and logged, the others load). SIGHUP
 * runs a reload pass; with GROWTH_HOT_RELOAD the watcher thread does the same
 * on every change under the scripts folder.
 *
 * SIGHUP also re-reads the --env-file (config_reload.h): a new configuration
 * snapshot is published to the handlers with one atomic store, so the flags
 * ENABLE_GROWTH_AGENTS and ENABLE_GROWTH_DASHBOARD apply from the next
 * request; a bad value is refused and the configuration in use stays. The
 * in-process workers keep the configuration they started with.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agents/kill_switch.h"
#include "agents/registry.h"
#include "agents/reload.h"
#include "agents/watcher.h"
#include "base/clock.h"
#include "base/config_reload.h"
#include "base/log.h"
#include "cmd/command.h"
#include "cmd/job_worker.h"
#include "http/api.h"
#include "agents/launcher.h"
#include "http/auth.h"
#include "http/orchestrator_events.h"
#include "http/orchestrator_internal.h"
#include "http/server.h"
#include "http/sse_broadcaster.h"
#include "providers/services.h"
#include "redis/redis_pool.h"

#define DRAIN_TIMEOUT_MS 10000

static void block_stop_signals(sigset_t *set)
{
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, set, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* SIGHUP's configuration half: publishes the next snapshot when a run-time setting changed. */
static void reload_config(struct api_context *context, struct config_history *history)
{
  struct growth_error err = { 0 };
  const struct config *next = NULL;
  if (config_reload(history, context->config, "SIGHUP", &next, &err) != 1)
    return;
  log_configure((enum log_format)next->log_format, (enum log_level)next->log_level);
  context->config = next;   /* atomic store: the next request sees the new snapshot whole */
  log_info("Orchestrator", "configuration reloaded: growth agents %s, dashboard %s",
           next->enable_agents ? "enabled" : "disabled (/api/orchestrator/ answers 403)",
           next->enable_dashboard ? "enabled" : "disabled (/agents answers 404)");
}

/* Waits for SIGTERM or SIGINT, running a reload pass (scripts, then the env file) on each SIGHUP. */
static int wait_for_stop_signal(const sigset_t *set, struct api_context *context, struct config_history *history,
                                const struct loader_options *loader_options)
{
  for (;;) {
    int signal_number = 0;
    if (sigwait(set, &signal_number) != 0)
      continue;
    if (signal_number != SIGHUP)
      return signal_number;
    struct growth_error err = { 0 };
    reload_and_log(context->registry, loader_options, "SIGHUP", &err);
    reload_config(context, history);
  }
}

/* GROWTH_HTTP_THREADS, where 0 means one per online CPU core (bench/http: with more threads than cores the
 * threads only take turns, and /health's p99 doubles). */
static size_t http_threads(const struct config *config)
{
  if (config->http_threads > 0)
    return (size_t)config->http_threads;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? (size_t)cores : 2;
}

static struct redis_pool *open_redis(const struct config *config, struct growth_error *err)
{
  struct redis_pool_options options = {
    .url = config->redis,
    .size = http_threads(config),
    .connect_timeout_ms = config->redis_connect_timeout_ms,
    .command_timeout_ms = config->redis_command_timeout_ms,
  };
  return redis_pool_new(&options, err);
}

/* The queue, the default profile, the events reader with its SSE clients, and the queue-depth metrics. */
static int start_orchestrator(const struct config *config, struct api_context *context, struct growth_error *err)
{
  context->queue = queue_new(context->redis, config->queue_prefix, config->queue_name, err);
  if (!context->queue)
    return -1;
  /* what launches keep (0 in the settings keeps every job), and their attempts */
  queue_set_retention(context->queue, config->keep_completed > 0 ? config->keep_completed : -1,
                      config->keep_failed > 0 ? config->keep_failed : -1);
  queue_set_job_defaults(context->queue, config->job_attempts, config->job_backoff_ms);
  json_t *profile = launcher_read_profile(config->profile_path, err);
  if (!profile)
    return -1;
  context->default_profile = profile;
  struct sse_broadcaster_options options = {
    .client_buffer_bytes = (size_t)config->sse_client_buffer_bytes,
    .heartbeat_ms = config->sse_heartbeat_s * 1000,
    .history = (size_t)config->sse_history,
  };
  context->broadcaster = sse_broadcaster_new(&options, err);
  if (!context->broadcaster)
    return -1;
  context->events = orchestrator_events_start(context->queue, context->broadcaster, err);
  if (!context->events)
    return -1;
  return orchestrator_metrics_attach(context, err);
}

static void stop_orchestrator(struct api_context *context)
{
  if (context->queue)
    orchestrator_metrics_detach(context);
  orchestrator_events_stop(context->events);
  sse_broadcaster_free(context->broadcaster);
  queue_free(context->queue);
  json_decref(context->default_profile);
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
  config_log_summary(config);
  sigset_t stop_signals;
  block_stop_signals(&stop_signals);

  int status = 1;
  struct growth_error err = { 0 };
  struct api_context context = { .config = config, .started_ms = clock_monotonic_ms() };
  struct router *router = NULL;
  struct http_server *server = NULL;
  struct watcher *watcher = NULL;
  struct loader_options loader_options = loader_options_from_config(config);
  struct job_worker *worker = NULL;
  struct config_history *history = NULL;

  context.auth = auth_new(config, &err);
  if (!context.auth) {
    if (err.code == ERR_BAD_CONFIG) {
      /* Like any bad setting: one line, exit 2, nothing started. */
      fprintf(stderr, "growthd: configuration error: %s\n", err.message);
      return EXIT_USAGE;
    }
    goto done;
  }
  context.registry = registry_new(&err);
  if (!context.registry)
    goto done;
  if (reload_and_log(context.registry, &loader_options, "start", &err) != 0)
    goto done;
  if (config->hot_reload && !(watcher = watcher_start(context.registry, &loader_options, &err)))
    goto done;
  context.redis = open_redis(config, &err);
  if (!context.redis)
    goto done;
  /* after Redis: the Google rate limits live there, shared with every worker process */
  context.services = services_new(config, context.redis, &err);
  if (!context.services)
    goto done;
  services_log(context.services);
  context.kill_switch = kill_switch_new(context.redis, config->queue_prefix, config->queue_name, &err);
  if (!context.kill_switch || kill_switch_add_metrics(context.kill_switch, context.registry, &err) != 0)
    goto done;
  if (!(history = config_history_new(&err)))
    goto done;
  if (start_orchestrator(config, &context, &err) != 0)
    goto done;
  router = api_router_new(config, &err);
  if (!router)
    goto done;
  struct http_server_options options = {
    .bind_address = config->bind_address,
    .port = (int)config->port,
    .threads = (unsigned)http_threads(config),
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

  if (workers > 0 && !(worker = job_worker_start(config, workers, context.registry, context.services, &err)))
    goto done;

  int signal_number = wait_for_stop_signal(&stop_signals, &context, history, &loader_options);
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
  stop_orchestrator(&context);
  watcher_stop(watcher);
  kill_switch_remove_metrics(context.kill_switch);
  kill_switch_free(context.kill_switch);
  config_history_free(history);   /* after the server: no request holds a snapshot any more */
  router_free(router);
  services_free(context.services);   /* before the pool its rate limiter borrows */
  redis_pool_free(context.redis);
  registry_free(context.registry);
  auth_free(context.auth);
  return status;
}
