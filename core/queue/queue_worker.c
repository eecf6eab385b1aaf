/*
 * queue_worker.c — the worker's threads, its start and its stop (see queue_worker.h).
 *
 * Threads: `concurrency` handler threads run jobs; one waker blocks on the marker (queue_wakeup.c); one
 * thread per lane makes the script calls that change job states (queue_worker_step.c). The slots are split
 * between two lanes (one when concurrency is 1), each with its share of the concurrency and its own step
 * calls: while one lane's step runs in Redis, the jobs the other lane got run here, so Redis and the worker
 * work at the same time instead of in turn. A lane batches: one call of the step script writes the outcome
 * of every job of the lane finished since its last call and takes as many new jobs as the lane has free
 * slots, so a busy worker makes about one round trip per batch rather than two per job. A handler thread
 * that finishes the only job in flight in its lane makes that call itself and runs the job it got back, as
 * BullMQ's "fetch next" does: one round trip per job and no hand-over. Lane 0 also renews the locks of every
 * held job each lock_duration/2 in one call, and runs the stalled checker every stalled_interval.
 *
 * Wake-ups: a batch of ready jobs wakes one idle handler thread, which wakes the next only while jobs are
 * still waiting, so fast jobs are run by the few threads awake rather than one wake-up (and context switch)
 * per job; a lane's thread is woken once none of its jobs is left waiting, not per finished job.
 *
 * Redis going away: a failed step keeps the finished jobs and retries with backoff (100 ms .. 5 s) on a
 * fresh connection; a job whose lock could not be renewed for a whole lock duration is cancelled, since
 * another worker may have taken it by then, so a job never runs twice at once.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "queue/queue_worker_internal.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* How long a lane's finished jobs may wait for the lane's other running jobs, to be written in one step. */
#define BATCH_WAIT_MS 1

void worker_wait_until(struct queue_worker *worker, pthread_cond_t *cond, int64_t deadline_ms)
{
  /* The conditions use CLOCK_MONOTONIC (see queue_worker_start). */
  struct timespec ts = { .tv_sec = deadline_ms / 1000, .tv_nsec = (long)(deadline_ms % 1000) * 1000000L };
  pthread_cond_timedwait(cond, &worker->lock, &ts);
}

static int64_t min64(int64_t a, int64_t b)
{
  return a < b ? a : b;
}

void worker_wake_handler(struct queue_worker *worker)
{
  if (worker->ready_head && worker->handlers_waking == 0 && worker->handlers_idle > 0) {
    worker->handlers_waking++;
    pthread_cond_signal(&worker->handlers_wake);
  }
}

void worker_wake_lanes(struct queue_worker *worker)
{
  for (long i = 0; i < worker->lane_count; i++)
    pthread_cond_signal(&worker->lanes[i].wake);
}

/* A lane's finished jobs are written in one step once none of its jobs is waiting or running any more, or
 * BATCH_WAIT_MS after the first of them finished (a slow job must not hold back the others' outcomes), rather
 * than in a step per finished job. */
static int lane_batch_due(const struct queue_worker *worker, const struct worker_lane *lane, int64_t now)
{
  return lane->done_head && ((lane->ready == 0 && lane->running == 0) || worker->stopping ||
                             now >= lane->first_done_ms + BATCH_WAIT_MS);
}

void worker_push_done(struct queue_worker *worker, struct slot *slot)
{
  struct worker_lane *lane = &worker->lanes[slot->lane];
  slot->next_done = NULL;
  if (lane->done_tail) {
    lane->done_tail->next_done = slot;
  } else {
    lane->done_head = slot;
    lane->first_done_ms = clock_monotonic_ms();
  }
  lane->done_tail = slot;
  if (lane->ready == 0 && lane->running == 0)
    pthread_cond_signal(&lane->wake);
  else if (lane->done_head == slot)
    pthread_cond_signal(&lane->wake);   /* to wait at most BATCH_WAIT_MS from now */
}

static void *handler_main(void *arg)
{
  struct queue_worker *worker = arg;
  pthread_mutex_lock(&worker->lock);
  for (;;) {
    while (!worker->ready_head && !worker->handlers_exit) {
      worker->handlers_idle++;
      pthread_cond_wait(&worker->handlers_wake, &worker->lock);
      worker->handlers_idle--;
      if (worker->handlers_waking > 0)
        worker->handlers_waking--;
    }
    struct slot *slot = worker->ready_head;
    if (!slot)
      break;
    worker->ready_head = slot->next_ready;
    if (!worker->ready_head)
      worker->ready_tail = NULL;
    worker->lanes[slot->lane].ready--;
    worker->lanes[slot->lane].running++;
    worker_wake_handler(worker);
    while (slot) {
      pthread_mutex_unlock(&worker->lock);
      worker_run_job(worker, slot);
      pthread_mutex_lock(&worker->lock);
      worker->lanes[slot->lane].running--;
      struct slot *next = NULL;
      if (!worker_finish_directly(worker, slot, &next))
        worker_push_done(worker, slot);
      if (next)
        worker->lanes[next->lane].running++;
      slot = next;
    }
  }
  pthread_mutex_unlock(&worker->lock);
  return NULL;
}

/* A lane's thread: writes its finished jobs and takes new ones. Lane 0 also renews every held lock, runs the
 * stalled check and, past the grace time of a stop, gives back what is left; it stops last. */
static void *lane_main(void *arg)
{
  struct worker_lane *lane = arg;
  struct queue_worker *worker = lane->worker;
  int primary = lane->index == 0;
  struct redis_pool *pool = queue_pool(worker->options.queue);
  struct growth_error err = { 0 };
  long backoff = BACKOFF_MIN_MS;
  int64_t next_renew = clock_monotonic_ms() + worker->options.lock_duration_ms / 2;
  int64_t next_stalled = clock_monotonic_ms();
  pthread_mutex_lock(&worker->lock);
  for (;;) {
    int64_t now = clock_monotonic_ms();
    if (worker->stopping && (primary ? worker->held_count : lane->held) == 0)
      break;
    int past_grace = primary && worker->stopping && now >= worker->grace_deadline_ms && !worker->released_all;
    int want_fetch = !worker->stopping && worker->fetch_wanted && lane->held + lane->pending_fetch < lane->capacity;
    int renew_due = primary && now >= next_renew && worker->held_count > 0;
    int stalled_due = primary && now >= next_stalled && !worker->stopping;
    int batch_due = lane_batch_due(worker, lane, now);
    if (!batch_due && !want_fetch && !renew_due && !stalled_due && !past_grace) {
      /* wake for what is due next: the batch, lock renewal while jobs are held, the stalled check while
       * running, the end of the grace time while stopping (a check that is not run while stopping must not
       * count) */
      int64_t deadline = now + 60000;
      if (lane->done_head)
        deadline = min64(deadline, lane->first_done_ms + BATCH_WAIT_MS);
      if (primary && worker->held_count > 0)
        deadline = min64(deadline, next_renew);
      if (primary && !worker->stopping)
        deadline = min64(deadline, next_stalled);
      else if (primary && !worker->released_all)
        deadline = min64(deadline, worker->grace_deadline_ms);
      worker_wait_until(worker, &lane->wake, deadline);
      continue;
    }
    pthread_mutex_unlock(&worker->lock);
    struct redis_conn *conn = redis_pool_acquire(pool, &err);
    pthread_mutex_lock(&worker->lock);
    if (conn && past_grace) {
      worker_release_all(worker, conn);
      worker->released_all = 1;
    }
    if (conn && (batch_due || want_fetch) && worker_step(worker, lane, conn, &err) == 0)
      backoff = BACKOFF_MIN_MS;
    else if (conn && (batch_due || want_fetch))
      conn = (redis_pool_release(pool, conn), NULL);
    if (conn && renew_due) {
      worker_renew_locks(worker, conn);
      next_renew = clock_monotonic_ms() + worker->options.lock_duration_ms / 2;
    }
    if (conn && stalled_due) {
      worker_check_stalled(worker, conn);
      next_stalled = clock_monotonic_ms() + worker->options.stalled_interval_ms;
    }
    if (!conn) {
      log_warn("Worker", "%s; trying again in %ld ms", err.message, backoff);
      if (past_grace) {
        worker_release_all(worker, NULL);
        worker->released_all = 1;
      }
      if (worker->released_all)
        worker_drop_released(worker);
      if (renew_due) {
        worker_renew_locks(worker, NULL);
        next_renew = clock_monotonic_ms() + worker->options.lock_duration_ms / 2;
      }
      worker_wait_until(worker, &lane->wake, clock_monotonic_ms() + backoff);
      backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
      continue;
    }
    pthread_mutex_unlock(&worker->lock);
    redis_pool_release(pool, conn);
    pthread_mutex_lock(&worker->lock);
  }
  /* a lane that stops wakes the others, which may be waiting for the stop with nothing held */
  worker_wake_lanes(worker);
  pthread_mutex_unlock(&worker->lock);
  return NULL;
}

static void make_identity(struct queue_worker *worker)
{
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    for (size_t i = 0; i < sizeof bytes; i++)
      bytes[i] = (unsigned char)(rand() ^ (int)clock_monotonic_ms());
  char *out = worker->token_base;
  for (size_t i = 0; i < sizeof bytes; i++) {
    out += sprintf(out, "%02x", bytes[i]);
    if (i == 3 || i == 5 || i == 7 || i == 9)
      *out++ = '-';
  }
  *out = '\0';
  /* BullMQ's worker connection name: <prefix>:<base64(queue name)>[:w:<worker name>] */
  const char *name = queue_name(worker->options.queue);
  const char *key_prefix = queue_key_prefix(worker->options.queue);
  int prefix_length = (int)(strlen(key_prefix) - strlen(name) - 2);
  unsigned char encoded[200];
  size_t name_length = strlen(name) > 140 ? 140 : strlen(name);
  EVP_EncodeBlock(encoded, (const unsigned char *)name, (int)name_length);
  snprintf(worker->client_name, sizeof worker->client_name, "%.*s:%s%s%s", prefix_length, key_prefix, encoded,
           worker->options.name ? ":w:" : "", worker->options.name ? worker->options.name : "");
}

static int init_sync(struct queue_worker *worker)
{
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_mutex_init(&worker->lock, NULL);
  for (long i = 0; i < WORKER_LANES; i++)
    pthread_cond_init(&worker->lanes[i].wake, &attr);
  pthread_cond_init(&worker->handlers_wake, &attr);
  pthread_cond_init(&worker->waker_wake, &attr);
  pthread_cond_init(&worker->sleepers_wake, &attr);
  pthread_condattr_destroy(&attr);
  return 0;
}

static void free_worker(struct queue_worker *worker)
{
  while (worker->held) {
    struct slot *slot = worker->held;
    worker_held_remove(worker, slot);
    worker_slot_free(slot);
  }
  pthread_cond_destroy(&worker->sleepers_wake);
  pthread_cond_destroy(&worker->waker_wake);
  pthread_cond_destroy(&worker->handlers_wake);
  for (long i = 0; i < WORKER_LANES; i++)
    pthread_cond_destroy(&worker->lanes[i].wake);
  pthread_mutex_destroy(&worker->lock);
  free(worker->handlers);
  free(worker);
}

struct queue_worker *queue_worker_start(const struct queue_worker_options *options, struct growth_error *err)
{
  if (!options->queue || !options->handler || !options->handler->run || options->concurrency < 1 ||
      options->lock_duration_ms < 10 || options->stalled_interval_ms < 10 || options->max_stalled_count < 0) {
    error_set(err, ERR_BAD_ARGUMENT, "worker: needs a queue, a handler, concurrency >= 1, lock duration and "
              "stalled interval >= 10 ms");
    return NULL;
  }
  struct queue_worker *worker = calloc(1, sizeof *worker);
  if (!worker) {
    error_set(err, ERR_NO_MEMORY, "worker: out of memory");
    return NULL;
  }
  worker->options = *options;
  if (worker->options.drain_delay_ms <= 0)
    worker->options.drain_delay_ms = 5000;
  worker->fetch_wanted = 1;   /* BullMQ's worker also looks first and only then blocks */
  worker->next_due_ms = -1;
  /* two lanes from concurrency 2 up: while one lane's step runs in Redis, the other's jobs run here */
  worker->lane_count = options->concurrency >= 2 ? WORKER_LANES : 1;
  for (long i = 0; i < worker->lane_count; i++) {
    worker->lanes[i].worker = worker;
    worker->lanes[i].index = i;
    long share = options->concurrency / worker->lane_count;
    worker->lanes[i].capacity = share + (i < options->concurrency % worker->lane_count ? 1 : 0);
  }
  make_identity(worker);
  init_sync(worker);
  worker->handlers = calloc((size_t)options->concurrency, sizeof *worker->handlers);
  if (!worker->handlers) {
    error_set(err, ERR_NO_MEMORY, "worker: out of memory for %ld threads", options->concurrency);
    goto fail;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1024 * 1024);
  for (; worker->handler_count < options->concurrency; worker->handler_count++)
    if (pthread_create(&worker->handlers[worker->handler_count], &attr, handler_main, worker) != 0)
      break;
  pthread_attr_destroy(&attr);
  if (worker->handler_count < options->concurrency) {
    error_set(err, ERR_INTERNAL, "worker: could only start %ld of %ld threads", worker->handler_count,
              options->concurrency);
    goto fail;
  }
  for (long i = 0; i < worker->lane_count; i++) {
    struct worker_lane *lane = &worker->lanes[i];
    if (pthread_create(&lane->thread, NULL, lane_main, lane) != 0) {
      error_set(err, ERR_INTERNAL, "worker: cannot start the thread of its lane %ld", i);
      goto fail;
    }
    lane->started = 1;
  }
  if (pthread_create(&worker->waker, NULL, worker_wakeup_main, worker) != 0) {
    error_set(err, ERR_INTERNAL, "worker: cannot start its wake-up thread");
    goto fail;
  }
  worker->waker_started = 1;
  log_info("Worker", "taking jobs from queue %s (concurrency %ld, lock %ld ms, stalled check every %ld ms)",
           queue_name(options->queue), options->concurrency, options->lock_duration_ms, options->stalled_interval_ms);
  return worker;
fail:
  queue_worker_stop(worker, 0);
  return NULL;
}

/* Wakes the waker out of BZPOPMIN (CLIENT UNBLOCK) until it has seen the stop. */
static void unblock_waker(struct queue_worker *worker)
{
  struct redis_pool *pool = queue_pool(worker->options.queue);
  for (;;) {
    pthread_mutex_lock(&worker->lock);
    int done = worker->waker_done;
    long long id = worker->waker_client_id;
    pthread_cond_broadcast(&worker->waker_wake);
    pthread_mutex_unlock(&worker->lock);
    if (done)
      return;
    struct growth_error err = { 0 };
    struct redis_conn *conn = id ? redis_pool_acquire(pool, &err) : NULL;
    if (conn) {
      redisReply *reply = redis_conn_command(conn, &err, "CLIENT UNBLOCK %lld", id);
      if (reply)
        freeReplyObject(reply);
      redis_pool_release(pool, conn);
    }
    struct timespec pause = { 0, 50 * 1000000L };
    nanosleep(&pause, NULL);
  }
}

void queue_worker_stop(struct queue_worker *worker, long grace_ms)
{
  if (!worker)
    return;
  pthread_mutex_lock(&worker->lock);
  worker->stopping = 1;
  worker->grace_deadline_ms = clock_monotonic_ms() + (grace_ms > 0 ? grace_ms : 0);
  long held = worker->held_count;
  worker_wake_lanes(worker);
  pthread_mutex_unlock(&worker->lock);
  if (worker->waker_started) {
    log_info("Worker", "stopping: no new jobs; %ld running may finish within %ld ms", held, grace_ms);
    unblock_waker(worker);
    pthread_join(worker->waker, NULL);
  }
  for (long i = worker->lane_count; i-- > 0;)
    if (worker->lanes[i].started)
      pthread_join(worker->lanes[i].thread, NULL);
  pthread_mutex_lock(&worker->lock);
  worker->handlers_exit = 1;
  pthread_cond_broadcast(&worker->handlers_wake);
  pthread_mutex_unlock(&worker->lock);
  for (long i = 0; i < worker->handler_count; i++)
    pthread_join(worker->handlers[i], NULL);
  if (worker->waker_started)
    log_info("Worker", "stopped: %ld completed, %ld failed, %ld retried, %ld given back, %ld lost, %ld deferred",
             worker->stats.completed, worker->stats.failed, worker->stats.retried, worker->stats.released,
             worker->stats.lost, worker->stats.deferred);
  free_worker(worker);
}

void queue_worker_get_stats(struct queue_worker *worker, struct queue_worker_stats *out)
{
  pthread_mutex_lock(&worker->lock);
  *out = worker->stats;
  pthread_mutex_unlock(&worker->lock);
}
