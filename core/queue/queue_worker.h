/*
 * queue_worker.h — a worker that takes jobs from a BullMQ queue and runs them through a handler.
 *
 * It behaves as BullMQ's Worker does on the wire, so it shares a queue with Node workers: jobs are taken
 * with a lock token and a lock of lock_duration_ms renewed every half of that; idle, it blocks on the
 * queue's marker (BZPOPMIN), which every producer touches, so it wakes when work arrives and never polls;
 * delayed jobs are promoted when due; finished jobs go to completed or failed, or back for a retry with
 * backoff; a paused queue gives it nothing; the stalled-job checker recovers jobs of dead workers.
 * See queue_worker.c for the threads.
 */
#ifndef GROWTH_QUEUE_WORKER_H
#define GROWTH_QUEUE_WORKER_H

#include "base/error.h"
#include "queue/queue.h"
#include "queue/queue_handler.h"

struct queue_worker_options {
  struct queue *queue;                      /* borrowed; its pool serves the worker too */
  const struct queue_job_handler *handler;  /* borrowed */
  long concurrency;                         /* jobs at once (threads running the handler) */
  long lock_duration_ms;                    /* BullMQ default 30000 */
  long stalled_interval_ms;                 /* BullMQ default 30000 */
  long max_stalled_count;                   /* BullMQ default 1 */
  long drain_delay_ms;                      /* longest block on the marker; BullMQ default 5000 */
  const char *name;                         /* optional: "pb" field and the connection's name */
};

struct queue_worker;

/* Starts the threads; the worker takes jobs at once. NULL with err on failure. */
struct queue_worker *queue_worker_start(const struct queue_worker_options *options, struct growth_error *err);

/* Stops taking jobs, lets running ones finish for up to grace_ms, then cancels the rest and gives them back
 * to the queue for another worker; waits for the handlers to return, and frees the worker. */
void queue_worker_stop(struct queue_worker *worker, long grace_ms);

struct queue_worker_stats {
  long completed, failed, retried, lost, released;
  long deferred;   /* handed back by the handler (QUEUE_HANDLER_DEFER): to delayed, no attempt counted */
};

void queue_worker_get_stats(struct queue_worker *worker, struct queue_worker_stats *out);

#endif
