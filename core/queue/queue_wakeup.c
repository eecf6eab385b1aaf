/*
 * queue_wakeup.c — how an idle worker learns that there is work: BullMQ's marker.
 *
 * Every producer (BullMQ's or ours) that makes a job ready does ZADD <prefix>marker 0 "0"; adding a delayed
 * job sets member "1" with the earliest due time as score. While the worker has free slots and its last
 * look found nothing, this thread blocks on its own connection with BZPOPMIN on the marker, for at most the
 * drain delay or until the next delayed job is due, whichever is sooner. A popped "0", a due "1" or a
 * timeout sets fetch_wanted and wakes the lanes' threads, which run the step script. A popped "1" that is not
 * due yet just shortens the next block. The connection carries BullMQ's client name
 * (<prefix>:<base64 queue>[:w:<name>]) so Queue.getWorkers() and bull-board list this worker.
 *
 * queue_worker_stop wakes a blocked BZPOPMIN with CLIENT UNBLOCK on the connection's client id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "queue/queue_worker_internal.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

/* Names the connection and learns its client id, once per (re)connection. */
static int prepare_connection(struct queue_worker *worker, struct redis_conn *conn, struct growth_error *err)
{
  redisReply *reply = redis_conn_command(conn, err, "CLIENT SETNAME %s", worker->client_name);
  if (!reply)
    return -1;
  freeReplyObject(reply);
  reply = redis_conn_command(conn, err, "CLIENT ID");
  if (!reply)
    return -1;
  pthread_mutex_lock(&worker->lock);
  worker->waker_client_id = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
  pthread_mutex_unlock(&worker->lock);
  freeReplyObject(reply);
  return 0;
}

/* How long to block: until the next delayed job is due, at most the drain delay, at least 1 ms. */
static long block_ms(const struct queue_worker *worker)
{
  long limit = worker->options.drain_delay_ms;
  if (worker->next_due_ms < 0)
    return limit;
  int64_t until_due = worker->next_due_ms - clock_wall_ms();
  if (until_due < 1)
    return 1;
  return until_due < limit ? (long)until_due : limit;
}

/* One BZPOPMIN. Returns 1 when the worker should look for jobs, 0 to block again, -1 on a Redis error. */
static int wait_for_marker(struct queue_worker *worker, struct redis_conn *conn, long timeout_ms, int *fresh,
                           struct growth_error *err)
{
  if (*fresh) {
    if (redis_conn_ensure(conn, err) != 0 || prepare_connection(worker, conn, err) != 0)
      return -1;
    *fresh = 0;
  }
  if (redis_conn_set_timeout(conn, timeout_ms + 5000, err) != 0)
    return -1;
  char key[400];
  snprintf(key, sizeof key, "%smarker", queue_key_prefix(worker->options.queue));
  redisReply *reply = redis_conn_command(conn, err, "BZPOPMIN %s %.3f", key, (double)timeout_ms / 1000.0);
  if (!reply) {
    *fresh = 1;
    return -1;
  }
  int look = 1;
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && strcmp(reply->element[1]->str, "1") == 0) {
    double due = strtod(reply->element[2]->str, NULL);
    if (due > (double)clock_wall_ms()) {
      pthread_mutex_lock(&worker->lock);
      worker->next_due_ms = (int64_t)due;
      pthread_mutex_unlock(&worker->lock);
      look = 0;
    }
  }
  freeReplyObject(reply);
  return look;
}

void *worker_wakeup_main(void *arg)
{
  struct queue_worker *worker = arg;
  struct growth_error err = { 0 };
  struct redis_conn *conn = redis_conn_new_dedicated(queue_pool(worker->options.queue), &err);
  long backoff = BACKOFF_MIN_MS;
  int fresh = 1;
  pthread_mutex_lock(&worker->lock);
  while (conn && !worker->stopping) {
    if (worker->fetch_wanted || worker->held_count >= worker->options.concurrency) {
      pthread_cond_wait(&worker->waker_wake, &worker->lock);
      continue;
    }
    long timeout = block_ms(worker);
    pthread_mutex_unlock(&worker->lock);
    int look = wait_for_marker(worker, conn, timeout, &fresh, &err);
    pthread_mutex_lock(&worker->lock);
    if (look < 0 && !worker->stopping) {
      log_warn("Worker", "waiting for jobs: %s; trying again in %ld ms", err.message, backoff);
      worker_wait_until(worker, &worker->waker_wake, clock_monotonic_ms() + backoff);
      backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
      look = 1;
    } else if (look >= 0) {
      backoff = BACKOFF_MIN_MS;
    }
    if (look > 0) {
      worker->fetch_wanted = 1;
      worker_wake_lanes(worker);
    }
  }
  if (!conn)
    log_error("Worker", "cannot wait for jobs: %s", err.message);
  worker->waker_done = 1;
  pthread_mutex_unlock(&worker->lock);
  redis_conn_free_dedicated(conn);
  return NULL;
}
