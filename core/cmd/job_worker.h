/*
 * job_worker.h — growthd's worker pool on the configured queue, for `growthd worker` and
 * `growthd serve --workers N`: its own Redis connections, the queue, and core/queue's worker running jobs
 * through growthd's job handler.
 */
#ifndef GROWTH_CMD_JOB_WORKER_H
#define GROWTH_CMD_JOB_WORKER_H

#include "base/config.h"
#include "base/error.h"

struct job_worker;

/* Starts taking jobs with `concurrency` at once. NULL with err. */
struct job_worker *job_worker_start(const struct config *config, long concurrency, struct growth_error *err);

/* Stops taking jobs and waits GROWTH_SHUTDOWN_GRACE_S for running ones; then frees. */
void job_worker_stop(struct job_worker *worker, const struct config *config);

#endif
