/*
 * queue_worker_step.c — the worker's calls to Redis that change job states (see queue_worker.c for the
 * threads that make them): the batched step (finish + take), the direct finish of a lone job, lock
 * renewal, the stalled check, and giving jobs back at shutdown; and the slots' bookkeeping.
 *
 * A slot may be used by one thread while another drops the lock for a Redis call; such a thread pins the
 * slot, and a slot finished meanwhile is freed by whoever drops the last pin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "queue/queue_scripts.h"
#include "queue/queue_worker_internal.h"

#define MAX_FINISH_PER_STEP 256

void worker_slot_free(struct slot *slot)
{
  queue_job_free(slot->job);
  worker_outcome_free(&slot->outcome);
  free(slot);
}

void worker_retire(struct queue_worker *worker, struct slot *slot)
{
  worker_held_remove(worker, slot);
  slot->finished = 1;
  if (slot->pins == 0)
    worker_slot_free(slot);
}

void worker_unpin(struct slot *slot)
{
  if (--slot->pins == 0 && slot->finished)
    worker_slot_free(slot);
}

void worker_held_remove(struct queue_worker *worker, struct slot *slot)
{
  if (slot->prev)
    slot->prev->next = slot->next;
  else
    worker->held = slot->next;
  if (slot->next)
    slot->next->prev = slot->prev;
  worker->held_count--;
  worker->lanes[slot->lane].held--;
}

/* "-1" keep all, "0" keep none, else "count:age". */
static void retention_text(const struct queue_retention *keep, char *out, size_t size)
{
  if (keep->remove_all)
    snprintf(out, size, "0");
  else if (keep->count < 0 && keep->age_s < 0)
    snprintf(out, size, "-1");
  else
    snprintf(out, size, "%ld:%ld", keep->count, keep->age_s);
}

static void add_finish_args(struct queue_args *args, struct slot *slot, char (*keep)[48])
{
  const struct queue_job *job = slot->job;
  const struct job_outcome *outcome = &slot->outcome;
  static const char kinds[5][2] = { "c", "f", "d", "r", "h" };
  const char *kind = outcome->kind == 'c' ? kinds[0] : outcome->kind == 'f' ? kinds[1]
                     : outcome->kind == 'd' ? kinds[2] : outcome->kind == 'h' ? kinds[4] : kinds[3];
  retention_text(outcome->kind == 'c' ? &job->options.remove_on_complete : &job->options.remove_on_fail, *keep,
                 sizeof *keep);
  queue_args_add_text(args, job->id);
  queue_args_add_text(args, job->token);
  queue_args_add_text(args, kind);
  queue_args_add_text(args, outcome->value ? outcome->value : "");
  queue_args_add_text(args, outcome->stack_line ? outcome->stack_line : "");
  queue_args_add_long(args, job->options.stack_trace_limit);
  queue_args_add_long(args, outcome->backoff_ms);
  queue_args_add_text(args, *keep);
  queue_args_add_long(args, job->options.attempts);
  queue_args_add_text(args, job->options.lifo ? "1" : "0");
  queue_args_add_text(args, job->has_links ? "1" : "0");
  queue_args_add_long(args, slot->atm + 1);
}

static struct slot *slot_from_reply(struct queue_worker *worker, const redisReply *id, const redisReply *token,
                                    const redisReply *hash, struct growth_error *err)
{
  struct slot *slot = calloc(1, sizeof *slot);
  size_t count = hash->type == REDIS_REPLY_ARRAY ? hash->elements : 0;
  const char **fields = calloc(count + 1, sizeof *fields);
  size_t *lengths = calloc(count + 1, sizeof *lengths);
  if (!slot || !fields || !lengths) {
    error_set(err, ERR_NO_MEMORY, "out of memory taking job %s", id->str);
    goto fail;
  }
  for (size_t i = 0; i < count; i++) {
    fields[i] = hash->element[i]->str ? hash->element[i]->str : "";
    lengths[i] = hash->element[i]->len;
    if (i % 2 == 1 && strcmp(fields[i - 1], "atm") == 0)
      slot->atm = strtol(fields[i], NULL, 10);
  }
  slot->job = queue_job_from_fields(id->str, fields, lengths, count, err);
  if (!slot->job || !(slot->job->token = strdup(token->str))) {
    error_set(err, ERR_NO_MEMORY, "out of memory taking job %s", id->str);
    goto fail;
  }
  /* the hash was read before activation: the token ends with the new attempts-started count */
  const char *started = strrchr(token->str, ':');
  slot->job->attempts_started = started ? strtol(started + 1, NULL, 10) : slot->job->attempts_started + 1;
  slot->job->processed_on = clock_wall_ms();
  slot->control.worker = worker;
  slot->control.job = slot->job;
  slot->renewed_ms = clock_monotonic_ms();
  free(lengths);
  free(fields);
  return slot;
fail:
  free(lengths);
  free(fields);
  if (slot)
    queue_job_free(slot->job);
  free(slot);
  return NULL;
}

static void count_outcome(struct queue_worker *worker, const struct slot *slot, long long code)
{
  if (code != 0) {
    worker->stats.lost++;
    log_warn("Worker", "job %s: its outcome was not written (code %lld): the lock was lost, another worker "
             "holds or finished it", slot->job->id, code);
  } else if (slot->outcome.kind == 'c') {
    worker->stats.completed++;
  } else if (slot->outcome.kind == 'f') {
    worker->stats.failed++;
  } else if (slot->outcome.kind == 'h') {
    worker->stats.deferred++;
  } else {
    worker->stats.retried++;
  }
}

/* Makes the {id, token, hash} triples of a reply the lane's slots: the first into *direct when direct is not
 * NULL and *direct is, the others into the ready list. Returns how many it took. */
static long adopt_jobs(struct queue_worker *worker, struct worker_lane *lane, const redisReply *jobs,
                       struct slot **direct, struct growth_error *err)
{
  long taken = 0;
  for (size_t i = 0; i + 2 < jobs->elements; i += 3) {
    struct slot *slot = slot_from_reply(worker, jobs->element[i], jobs->element[i + 1], jobs->element[i + 2], err);
    if (!slot) {
      log_error("Worker", "%s; the job will be recovered by the stalled checker", err->message);
      continue;
    }
    slot->next = worker->held;
    if (worker->held)
      worker->held->prev = slot;
    worker->held = slot;
    worker->held_count++;
    slot->lane = lane->index;
    lane->held++;
    taken++;
    if (direct && !*direct) {
      *direct = slot;
      continue;
    }
    lane->ready++;
    if (worker->ready_tail)
      worker->ready_tail->next_ready = slot;
    else
      worker->ready_head = slot;
    worker->ready_tail = slot;
  }
  return taken;
}

/* Writes the outcomes of batch[0..finished) (all of one lane) and takes as many new jobs as the lane has free
 * slots, in one call of the step script. Called with the lock held; drops it around the Redis call. New jobs
 * go to the ready list, except the first when direct is not NULL: the calling handler thread runs that one
 * itself. The slots a call may fill are reserved (pending_fetch) until it returns, so that a handler's direct
 * step meanwhile cannot take them too. Returns 0, or -1 when Redis failed (the batch is then back at the
 * front of the lane's done list). */
static int step_call(struct queue_worker *worker, struct worker_lane *lane, struct redis_conn *conn,
                     struct slot **batch, size_t finished, struct slot **direct, struct growth_error *err)
{
  long fetch = worker->stopping ? 0 : lane->capacity - lane->held - lane->pending_fetch + (long)finished;
  if (!worker->fetch_wanted && finished == 0)
    fetch = 0;
  if (fetch < 0)
    fetch = 0;
  if (finished == 0 && fetch == 0)
    return 0;
  lane->pending_fetch += fetch;
  char token_base[sizeof lane->lost_base];
  snprintf(token_base, sizeof token_base, "%s-%llu", worker->token_base, ++worker->step_calls);
  pthread_mutex_unlock(&worker->lock);

  struct queue_args args;
  queue_args_init(&args);
  char now[24], keep[MAX_FINISH_PER_STEP][48];
  snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
  queue_args_add_text(&args, now);
  queue_args_add_text(&args, token_base);
  queue_args_add_long(&args, worker->options.lock_duration_ms);
  queue_args_add_long(&args, fetch > 0 ? fetch : 0);
  queue_args_add_text(&args, worker->options.name ? worker->options.name : "");
  queue_args_add_long(&args, (long long)finished);
  for (size_t i = 0; i < finished; i++)
    add_finish_args(&args, batch[i], &keep[i]);
  redisReply *reply = queue_script_run(conn, QUEUE_SCRIPT_STEP, queue_key_prefix(worker->options.queue), &args, err);
  queue_args_free(&args);

  pthread_mutex_lock(&worker->lock);
  lane->pending_fetch -= fetch;
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
    if (reply)
      error_set(err, ERR_UPSTREAM, "the step script gave an unexpected reply");
    else if (fetch > 0)
      snprintf(lane->lost_base, sizeof lane->lost_base, "%s", token_base);
    for (size_t i = finished; i-- > 0;) {
      batch[i]->next_done = lane->done_head;
      lane->done_head = batch[i];
      if (!lane->done_tail)
        lane->done_tail = batch[i];
    }
    if (finished)
      pthread_cond_signal(&lane->wake);
    if (reply)
      freeReplyObject(reply);
    return -1;
  }
  const redisReply *codes = reply->element[0], *jobs = reply->element[1], *next_due = reply->element[2];
  for (size_t i = 0; i < finished; i++) {
    count_outcome(worker, batch[i], i < codes->elements ? codes->element[i]->integer : -1);
    worker_retire(worker, batch[i]);
  }
  long taken = adopt_jobs(worker, lane, jobs, direct, err);
  worker_wake_handler(worker);
  if (fetch > 0 && taken < fetch) {
    worker->fetch_wanted = 0;
    worker->next_due_ms = next_due->str && next_due->str[0] ? strtoll(next_due->str, NULL, 10) : -1;
    pthread_cond_signal(&worker->waker_wake);
  }
  freeReplyObject(reply);
  return 0;
}

/* A step call whose reply was lost (Redis went away after running it) may have taken jobs: they are active,
 * locked with that call's token base, and no slot holds them. The lane takes them before it steps again, so
 * they run now, once, instead of waiting for their locks to expire and the stalled checker to start them
 * over. Called with the lock held; drops it around the Redis call. Returns 0, or -1 when Redis failed. */
static int reclaim_lost_jobs(struct queue_worker *worker, struct worker_lane *lane, struct redis_conn *conn,
                             struct growth_error *err)
{
  char prefix[sizeof lane->lost_base + 1];
  snprintf(prefix, sizeof prefix, "%s:", lane->lost_base);
  pthread_mutex_unlock(&worker->lock);
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, prefix);
  queue_args_add_long(&args, worker->options.lock_duration_ms);
  redisReply *reply = queue_script_run(conn, QUEUE_SCRIPT_RECLAIM, queue_key_prefix(worker->options.queue), &args, err);
  queue_args_free(&args);
  pthread_mutex_lock(&worker->lock);
  if (!reply || reply->type != REDIS_REPLY_ARRAY) {
    if (reply) {
      error_set(err, ERR_UPSTREAM, "the reclaim script gave an unexpected reply");
      freeReplyObject(reply);
    }
    return -1;
  }
  lane->lost_base[0] = '\0';
  long taken = adopt_jobs(worker, lane, reply, NULL, err);
  if (taken > 0) {
    log_info("Worker", "took back %ld job(s) that a step call whose answer was lost had started", taken);
    worker_wake_handler(worker);
  }
  freeReplyObject(reply);
  return 0;
}

/* A lane's step: every finished job waiting in its done list (up to MAX_FINISH_PER_STEP). */
int worker_step(struct queue_worker *worker, struct worker_lane *lane, struct redis_conn *conn,
                struct growth_error *err)
{
  if (lane->lost_base[0] && reclaim_lost_jobs(worker, lane, conn, err) != 0)
    return -1;
  struct slot *batch[MAX_FINISH_PER_STEP];
  size_t finished = 0;
  while (lane->done_head && finished < MAX_FINISH_PER_STEP) {
    struct slot *slot = lane->done_head;
    lane->done_head = slot->next_done;
    if (!lane->done_head)
      lane->done_tail = NULL;
    if (slot->released) {
      worker_retire(worker, slot);
      continue;
    }
    batch[finished++] = slot;
  }
  return step_call(worker, lane, conn, batch, finished, NULL, err);
}

/* When a handler thread finishes the only job in flight in its lane, it writes the outcome and takes the next
 * job itself, as BullMQ's "fetch next" does: one round trip and no hand-over between threads. Called with
 * the lock held. Returns 1 when the slot was dealt with (written, or put back in the done list after a Redis
 * error), with *next the job to run now or NULL; 0 when the caller must hand the slot to the lane's thread. */
int worker_finish_directly(struct queue_worker *worker, struct slot *slot, struct slot **next)
{
  *next = NULL;
  struct worker_lane *lane = &worker->lanes[slot->lane];
  if (lane->held != 1 || lane->done_head || lane->lost_base[0] || worker->stopping || slot->released)
    return 0;
  struct redis_pool *pool = queue_pool(worker->options.queue);
  struct growth_error err = { 0 };
  pthread_mutex_unlock(&worker->lock);
  struct redis_conn *conn = redis_pool_acquire(pool, &err);
  pthread_mutex_lock(&worker->lock);
  if (!conn)
    return 0;
  if (worker->stopping || slot->released) {
    pthread_mutex_unlock(&worker->lock);
    redis_pool_release(pool, conn);
    pthread_mutex_lock(&worker->lock);
    return 0;
  }
  step_call(worker, lane, conn, &slot, 1, next, &err);
  pthread_mutex_unlock(&worker->lock);
  redis_pool_release(pool, conn);
  pthread_mutex_lock(&worker->lock);
  return 1;
}

/* Renews every held lock in one call; cancels jobs whose lock is gone or could not be renewed in time. */
void worker_renew_locks(struct queue_worker *worker, struct redis_conn *conn)
{
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_long(&args, worker->options.lock_duration_ms);
  size_t count = 0;
  for (struct slot *slot = worker->held; slot; slot = slot->next)
    if (!slot->released)
      count++;
  struct slot **slots = count ? calloc(count, sizeof *slots) : NULL;
  if (count && !slots) {
    queue_args_free(&args);
    return;
  }
  size_t n = 0;
  for (struct slot *slot = worker->held; slot && n < count; slot = slot->next)
    if (!slot->released) {
      slot->pins++;
      slots[n++] = slot;
      queue_args_add_text(&args, slot->job->id);
      queue_args_add_text(&args, slot->job->token);
    }
  if (n == 0)
    goto done;
  pthread_mutex_unlock(&worker->lock);
  struct growth_error err = { 0 };
  redisReply *reply = NULL;
  if (conn)
    reply = queue_script_run(conn, QUEUE_SCRIPT_EXTEND_LOCKS, queue_key_prefix(worker->options.queue), &args, &err);
  else
    error_set(&err, ERR_UNAVAILABLE, "no connection to Redis");
  pthread_mutex_lock(&worker->lock);
  int64_t now = clock_monotonic_ms();
  for (size_t i = 0; i < n; i++) {
    struct slot *slot = slots[i];
    if (slot->finished) {
      worker_unpin(slot);
      continue;
    }
    int renewed = reply && reply->type == REDIS_REPLY_ARRAY && i < reply->elements &&
                  reply->element[i]->integer == 1;
    if (renewed)
      slot->renewed_ms = now;
    int lost = (reply && !renewed) || now - slot->renewed_ms >= worker->options.lock_duration_ms;
    if (lost && !slot->control.cancelled) {
      log_warn("Worker", "job %s: lock %s; cancelling it here", slot->job->id,
               reply ? "lost (another worker may hold it)" : "could not be renewed for a whole lock duration");
      __atomic_store_n(&slot->control.cancelled, 1, __ATOMIC_RELEASE);
      pthread_cond_broadcast(&worker->sleepers_wake);
    }
    worker_unpin(slot);
  }
  if (!reply)
    log_warn("Worker", "renewing locks: %s", err.message);
  else
    freeReplyObject(reply);
done:
  free(slots);
  queue_args_free(&args);
}

void worker_check_stalled(struct queue_worker *worker, struct redis_conn *conn)
{
  struct queue_args args;
  queue_args_init(&args);
  char now[24];
  snprintf(now, sizeof now, "%lld", (long long)clock_wall_ms());
  queue_args_add_long(&args, worker->options.max_stalled_count);
  queue_args_add_text(&args, now);
  queue_args_add_long(&args, worker->options.stalled_interval_ms);
  pthread_mutex_unlock(&worker->lock);
  struct growth_error err = { 0 };
  redisReply *reply = queue_script_run(conn, QUEUE_SCRIPT_STALLED, queue_key_prefix(worker->options.queue), &args,
                                       &err);
  queue_args_free(&args);
  if (!reply) {
    log_warn("Worker", "stalled-job check: %s", err.message);
  } else {
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++)
      log_warn("Worker", "job %s stalled (its worker stopped renewing the lock); moved back to wait",
               reply->element[i]->str);
    freeReplyObject(reply);
  }
  pthread_mutex_lock(&worker->lock);
}

/* Past the grace time: cancel every held job and give the ones still locked by us back to the queue. */
void worker_release_all(struct queue_worker *worker, struct redis_conn *conn)
{
  while (worker->ready_head) {   /* not started: nobody else will touch these slots */
    struct slot *slot = worker->ready_head;
    worker->ready_head = slot->next_ready;
    worker->lanes[slot->lane].ready--;
    worker_push_done(worker, slot);
  }
  worker->ready_tail = NULL;
  size_t count = 0;
  for (struct slot *slot = worker->held; slot; slot = slot->next)
    count += !slot->released;
  struct slot **slots = count ? calloc(count, sizeof *slots) : NULL;
  size_t n = 0;
  for (struct slot *slot = worker->held; slot && slots && n < count; slot = slot->next) {
    if (slot->released)
      continue;
    slot->released = 1;
    slot->pins++;
    __atomic_store_n(&slot->control.cancelled, 1, __ATOMIC_RELEASE);
    slots[n++] = slot;
  }
  for (size_t i = 0; i < n && !conn; i++) {
    log_warn("Worker", "job %s did not finish within the grace time and Redis is unreachable; the stalled check "
             "will give it to another worker", slots[i]->job->id);
    worker_unpin(slots[i]);
  }
  for (size_t i = 0; i < n && conn; i++) {
    struct slot *slot = slots[i];
    struct queue_args args;
    queue_args_init(&args);
    queue_args_add_text(&args, slot->job->id);
    queue_args_add_text(&args, slot->job->token);
    struct growth_error err = { 0 };
    pthread_mutex_unlock(&worker->lock);
    redisReply *reply = queue_script_run(conn, QUEUE_SCRIPT_RELEASE, queue_key_prefix(worker->options.queue), &args,
                                         &err);
    pthread_mutex_lock(&worker->lock);
    queue_args_free(&args);
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
      worker->stats.released++;
      log_warn("Worker", "job %s did not finish within the grace time; given back to the queue", slot->job->id);
    } else if (!reply) {
      log_warn("Worker", "job %s: cannot give it back (%s); the stalled checker will", slot->job->id, err.message);
    }
    if (reply)
      freeReplyObject(reply);
    worker_unpin(slot);
  }
  free(slots);
  pthread_cond_broadcast(&worker->sleepers_wake);
}

void worker_drop_released(struct queue_worker *worker)
{
  for (long i = 0; i < worker->lane_count; i++) {
    struct worker_lane *lane = &worker->lanes[i];
    struct slot *kept_head = NULL, *kept_tail = NULL;
    while (lane->done_head) {
      struct slot *slot = lane->done_head;
      lane->done_head = slot->next_done;
      if (slot->released) {
        worker_retire(worker, slot);
        continue;
      }
      slot->next_done = NULL;
      if (kept_tail)
        kept_tail->next_done = slot;
      else
        kept_head = slot;
      kept_tail = slot;
    }
    lane->done_head = kept_head;
    lane->done_tail = kept_tail;
  }
}
