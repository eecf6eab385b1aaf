/*
 * queue_fixture_worker.c — a test fixture: runs core/queue's worker with C handlers, or adds jobs with
 * core/queue's producer, against the Redis of REDIS_URL and the queue GROWTH_QUEUE_NAME.
 *
 *   queue_fixture_worker worker [--concurrency N] [--lock-ms N] [--stalled-ms N] [--max-stalled N]
 *                               [--grace-ms N] [--name NAME]
 *   queue_fixture_worker add --name NAME [--data JSON] [--count N] [--bulk] [--attempts N]
 *                            [--backoff fixed|exponential] [--backoff-ms N] [--delay N] [--priority N]
 *                            [--job-id ID] [--remove-on-complete N] [--remove-on-fail N] [--time]
 *   queue_fixture_worker counts | jobs STATE START END [asc] | job ID | logs ID | pause | resume
 *                        | events newest LIMIT [BEFORE [AFTER]] | events after ID LIMIT [BEFORE]
 *
 * The reads print JSON: counts as {"wait":n,...,"paused":bool}, jobs as a list of job objects (the
 * shape of BullMQ's Job.toJSON), logs as {"logs":[...],"count":n}.
 *
 * Handlers by job name: noop (returns null), echo (returns data), fail (fails, retryable, with
 * data.message), fatal (fails, not retryable), progress (progress 50 and 100 plus two log lines, returns
 * {"done":true}), sleep (waits data.ms, honouring cancellation), http (GETs data.url, returns its status).
 * Any other name is refused by the worker. The worker prints "ready" on stdout once started and stops on
 * SIGTERM/SIGINT with --grace-ms. step: the first attempt saves step "charge" and fails (retryable); a
 * later attempt finds the saved result and returns {"charge":<it>,"reused":true}. store: counts its runs
 * for data.owner in the queue's store and returns {"count":n}. defer: hands the job back (QUEUE_HANDLER_DEFER,
 * 300 ms in delayed, no attempt) while the store of owner "fixture" has the key "gate", then returns
 * {"ran":true}.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/redis_url.h"
#include "queue/queue.h"
#include "queue/queue_worker.h"
#include "redis/redis_pool.h"

static const char *const handler_names[] = { "noop", "echo", "fail", "fatal", "progress", "sleep", "http", "step", "store", "defer" };

static int accepts(void *context, const char *name)
{
  (void)context;
  for (size_t i = 0; i < sizeof handler_names / sizeof handler_names[0]; i++)
    if (strcmp(name, handler_names[i]) == 0)
      return 1;
  return 0;
}

static size_t discard(char *data, size_t size, size_t count, void *user)
{
  (void)data;
  (void)user;
  return size * count;
}

static int run_http(const char *url, char **result, struct growth_error *err)
{
  CURL *curl = curl_easy_init();
  if (!curl)
    return error_set(err, ERR_NO_MEMORY, "http: no curl handle");
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    return error_set(err, ERR_UNAVAILABLE, "http: %s", curl_easy_strerror(code));
  return asprintf(result, "{\"status\":%ld}", status) < 0 ? error_set(err, ERR_NO_MEMORY, "http: no memory") : 0;
}

static int run(void *context, const struct queue_job *job, struct queue_job_control *control, char **result,
               struct growth_error *err)
{
  json_t *data = json_loads(job->data, JSON_DECODE_ANY, NULL);
  int status = 0;
  const char *message = json_string_value(json_object_get(data, "message"));
  if (strcmp(job->name, "echo") == 0) {
    *result = strdup(job->data);
  } else if (strcmp(job->name, "fail") == 0 || strcmp(job->name, "fatal") == 0) {
    status = error_set(err, ERR_UPSTREAM, "%s", message ? message : "the fixture failed on purpose");
    err->retryable = strcmp(job->name, "fail") == 0;
  } else if (strcmp(job->name, "progress") == 0) {
    /* the message rides in the progress event; BullMQ's QueueEvents must still see data 50 and 100 */
    if (queue_control_progress(control, 50, "half way", "half way", err) != 0 ||
        queue_control_progress(control, 100, "done", NULL, err) != 0 || queue_control_log(control, "done", err) != 0)
      status = -1;
    else
      *result = strdup("{\"done\":true}");
  } else if (strcmp(job->name, "sleep") == 0) {
    json_int_t ms = json_integer_value(json_object_get(data, "ms"));
    if (queue_control_sleep(control, (long)ms))
      status = error_set(err, ERR_TIMEOUT, "sleep: cancelled");
    else
      *result = strdup("{\"slept\":true}");
  } else if (strcmp(job->name, "step") == 0) {
    char *stored = NULL;
    if (queue_control_step_load(control, "charge", &stored, err) != 0)
      status = -1;
    else if (stored)
      status = asprintf(result, "{\"charge\":%s,\"reused\":true}", stored) < 0 ? -1 : 0;
    else if (queue_control_step_save(control, "charge", "{\"id\":\"ch_1\"}", err) != 0)
      status = -1;
    else
      status = error_set(err, ERR_UNAVAILABLE, "step: failing once after the side effect");
    free(stored);
  } else if (strcmp(job->name, "store") == 0) {
    const char *owner = json_string_value(json_object_get(data, "owner"));
    char *stored = NULL, text[32];
    status = queue_store_get(context, owner, "count", &stored, err);
    long count = stored ? strtol(stored, NULL, 10) + 1 : 1;
    snprintf(text, sizeof text, "%ld", count);
    if (status == 0)
      status = queue_store_set(context, owner, "count", text, err);
    if (status == 0)
      status = asprintf(result, "{\"count\":%ld}", count) < 0 ? -1 : 0;
    free(stored);
  } else if (strcmp(job->name, "defer") == 0) {
    /* hands the job back (QUEUE_HANDLER_DEFER) while the store of "fixture" has the key "gate" */
    char *gate = NULL;
    status = queue_store_get(context, "fixture", "gate", &gate, err);
    if (status == 0 && gate)
      status = QUEUE_HANDLER_DEFER;
    else if (status == 0)
      *result = strdup("{\"ran\":true}");
    free(gate);
  } else if (strcmp(job->name, "http") == 0) {
    const char *url = json_string_value(json_object_get(data, "url"));
    status = url ? run_http(url, result, err) : error_set(err, ERR_BAD_ARGUMENT, "http: data.url is missing");
  }
  json_decref(data);
  return status;
}

static long option_long(int argc, char **argv, const char *name, long fallback)
{
  for (int i = 0; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return strtol(argv[i + 1], NULL, 10);
  return fallback;
}

static const char *option_text(int argc, char **argv, const char *name, const char *fallback)
{
  for (int i = 0; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return fallback;
}

static int has_flag(int argc, char **argv, const char *name)
{
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return 1;
  return 0;
}

static int run_worker(struct queue *queue, int argc, char **argv)
{
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  struct queue_job_handler handler = { .context = queue, .accepts = accepts, .run = run, .defer_ms = 300 };
  struct queue_worker_options options = {
    .queue = queue,
    .handler = &handler,
    .concurrency = option_long(argc, argv, "--concurrency", 8),
    .lock_duration_ms = option_long(argc, argv, "--lock-ms", 30000),
    .stalled_interval_ms = option_long(argc, argv, "--stalled-ms", 30000),
    .max_stalled_count = option_long(argc, argv, "--max-stalled", 1),
    .drain_delay_ms = 5000,
    .name = option_text(argc, argv, "--name", NULL),
  };
  struct growth_error err = { 0 };
  struct queue_worker *worker = queue_worker_start(&options, &err);
  if (!worker) {
    fprintf(stderr, "queue_fixture_worker: %s\n", err.message);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  queue_worker_stop(worker, option_long(argc, argv, "--grace-ms", 30000));
  return 0;
}

static int run_add(struct queue *queue, int argc, char **argv)
{
  long count = option_long(argc, argv, "--count", 1);
  struct queue_job_options options;
  queue_job_options_default(&options);
  options.attempts = option_long(argc, argv, "--attempts", 0);
  const char *backoff = option_text(argc, argv, "--backoff", NULL);
  if (backoff)
    options.backoff_type = strcmp(backoff, "exponential") == 0 ? QUEUE_BACKOFF_EXPONENTIAL : QUEUE_BACKOFF_FIXED;
  options.backoff_delay_ms = option_long(argc, argv, "--backoff-ms", 0);
  options.delay_ms = option_long(argc, argv, "--delay", 0);
  options.priority = option_long(argc, argv, "--priority", 0);
  options.remove_on_complete.count = option_long(argc, argv, "--remove-on-complete", -1);
  options.remove_on_complete.remove_all = options.remove_on_complete.count == 0;
  options.remove_on_fail.count = option_long(argc, argv, "--remove-on-fail", -1);
  options.remove_on_fail.remove_all = options.remove_on_fail.count == 0;
  struct queue_new_job *jobs = calloc((size_t)count, sizeof *jobs);
  if (!jobs)
    return 1;
  for (long i = 0; i < count; i++)
    jobs[i] = (struct queue_new_job){ .name = option_text(argc, argv, "--name", "noop"),
                                      .data = option_text(argc, argv, "--data", NULL),
                                      .job_id = option_text(argc, argv, "--job-id", NULL),
                                      .options = &options };
  struct growth_error err = { 0 };
  int status = 0;
  double started = clock_monotonic_ms_precise();
  printf("[");
  if (has_flag(argc, argv, "--bulk")) {
    char **ids = NULL;
    status = queue_add_bulk(queue, jobs, (size_t)count, &ids, &err);
    for (long i = 0; status == 0 && i < count; i++)
      printf("%s\"%s\"", i ? "," : "", ids[i]);
    queue_free_strings(ids, status == 0 ? (size_t)count : 0);
  } else {
    for (long i = 0; status == 0 && i < count; i++) {
      char *id = NULL;
      status = queue_add(queue, &jobs[i], &id, &err);
      if (status == 0)
        printf("%s\"%s\"", i ? "," : "", id);
      free(id);
    }
  }
  printf("]\n");
  if (status == 0 && has_flag(argc, argv, "--time"))
    fprintf(stderr, "added %ld jobs in %.3f ms\n", count, clock_monotonic_ms_precise() - started);
  free(jobs);
  if (status != 0)
    fprintf(stderr, "queue_fixture_worker: %s\n", err.message);
  return status == 0 ? 0 : 1;
}

static int print_json(json_t *value)
{
  char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
  json_decref(value);
  if (!text)
    return 1;
  printf("%s\n", text);
  free(text);
  return 0;
}

static int run_read(struct queue *queue, int argc, char **argv)
{
  struct growth_error err = { 0 };
  int status = -1;
  const char *what = argv[0];
  if (strcmp(what, "counts") == 0) {
    struct queue_counts counts;
    if ((status = queue_counts(queue, &counts, &err)) == 0) {
      json_t *root = json_object();
      for (int i = 0; i < QUEUE_STATE_COUNT; i++)
        json_object_set_new(root, queue_state_name((enum queue_state)i), json_integer(counts.counts[i]));
      json_object_set_new(root, "isPaused", json_boolean(counts.paused));
      status = print_json(root);
    }
  } else if (strcmp(what, "jobs") == 0 && argc >= 4 && queue_state_parse(argv[1]) >= 0) {
    struct queue_job **jobs = NULL;
    size_t count = 0;
    status = queue_list_jobs(queue, (enum queue_state)queue_state_parse(argv[1]), strtol(argv[2], NULL, 10),
                             strtol(argv[3], NULL, 10), argc > 4 && strcmp(argv[4], "asc") == 0, &jobs, &count, &err);
    if (status == 0) {
      json_t *list = json_array();
      for (size_t i = 0; i < count; i++)
        json_array_append_new(list, queue_job_to_json(jobs[i]));
      status = print_json(list);
    }
    queue_free_jobs(jobs, count);
  } else if (strcmp(what, "job") == 0 && argc >= 2) {
    struct queue_job *job = queue_get_job(queue, argv[1], &err);
    status = job ? print_json(queue_job_to_json(job)) : -1;
    queue_job_free(job);
  } else if (strcmp(what, "logs") == 0 && argc >= 2) {
    char **lines = NULL;
    size_t count = 0;
    long total = 0;
    if ((status = queue_job_logs(queue, argv[1], 0, -1, &lines, &count, &total, &err)) == 0) {
      json_t *list = json_array();
      for (size_t i = 0; i < count; i++)
        json_array_append_new(list, json_string(lines[i]));
      status = print_json(json_pack("{s:o, s:I}", "logs", list, "count", (json_int_t)total));
    }
    queue_free_strings(lines, count);
  } else if (strcmp(what, "events") == 0 && argc >= 3) {
    json_t *events = NULL;
    int newest = strcmp(argv[1], "newest") == 0;
    const char *after = newest ? (argc > 4 ? argv[4] : NULL) : (strcmp(argv[2], "0") == 0 ? NULL : argv[2]);
    const char *before = newest ? (argc > 3 ? argv[3] : NULL) : (argc > 4 ? argv[4] : NULL);
    status = queue_read_events(queue, newest, after, before, strtol(argv[newest ? 2 : 3], NULL, 10), &events, &err);
    if (status == 0)
      status = print_json(events);
  } else if (strcmp(what, "pause") == 0 || strcmp(what, "resume") == 0) {
    status = strcmp(what, "pause") == 0 ? queue_pause(queue, &err) : queue_resume(queue, &err);
  } else {
    error_set(&err, ERR_BAD_ARGUMENT, "unknown read '%s' or missing arguments", what);
  }
  if (status != 0)
    fprintf(stderr, "queue_fixture_worker: %s\n", err.message);
  return status == 0 ? 0 : 1;
}

static int known_command(const char *name)
{
  static const char *const names[] = { "worker", "add", "counts", "jobs", "job", "logs", "pause", "resume", "events" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i]) == 0)
      return 1;
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2 || !known_command(argv[1])) {
    fprintf(stderr, "usage: queue_fixture_worker worker|add|counts|jobs|job|logs|pause|resume [options]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct growth_error err = { 0 };
  struct redis_url url;
  const char *text = getenv("REDIS_URL");
  if (redis_url_parse(text ? text : "redis://127.0.0.1:6379", &url, &err) != 0) {
    fprintf(stderr, "queue_fixture_worker: %s\n", err.message);
    return 2;
  }
  long concurrency = option_long(argc, argv, "--concurrency", 8);
  struct redis_pool_options pool_options = { .url = url, .size = (size_t)(concurrency < 16 ? concurrency : 16) + 2,
                                             .connect_timeout_ms = 1000, .command_timeout_ms = 5000 };
  struct redis_pool *pool = redis_pool_new(&pool_options, &err);
  const char *name = getenv("GROWTH_QUEUE_NAME");
  struct queue *queue = pool ? queue_new(pool, NULL, name ? name : "growth-agents", &err) : NULL;
  int status = 2;
  if (!queue)
    fprintf(stderr, "queue_fixture_worker: %s\n", err.message);
  else
    status = strcmp(argv[1], "worker") == 0 ? run_worker(queue, argc - 2, argv + 2)
             : strcmp(argv[1], "add") == 0  ? run_add(queue, argc - 2, argv + 2)
                                            : run_read(queue, argc - 1, argv + 1);
  queue_free(queue);
  redis_pool_free(pool);
  curl_global_cleanup();
  return status;
}
