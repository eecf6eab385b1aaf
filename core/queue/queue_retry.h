/*
 * queue_retry.h — sending a failed job back to the queue, as BullMQ's Job.retry('failed') does.
 */
#ifndef GROWTH_QUEUE_RETRY_H
#define GROWTH_QUEUE_RETRY_H

#include "base/error.h"
#include "queue/queue.h"

/* Moves the failed job id back to wait (or prioritized), clears its failure and finish time, resets its
 * attempts so it gets its full number of tries again, and emits "waiting" with prev "failed".
 * ERR_NOT_FOUND when the job does not exist, ERR_CONFLICT when it is not in the failed state. */
int queue_retry_job(struct queue *queue, const char *id, struct growth_error *err);

#endif
