/*
 * job_worker.h — growthd's worker pool on the configured queue, for `growthd worker` and
 * `growthd serve --workers N`: its own Redis connections, the queue, and core/queue's worker running jobs
 * through growthd's job handler.
 */
#ifndef GROWTH_CMD_JOB_WORKER_H
#define GROWTH_CMD_JOB_WORKER_H

#include "agents/registry.h"
#include "base/config.h"
#include "base/error.h"
#include "providers/services.h"

struct job_worker;

/* Starts taking jobs with `concurrency` at once. registry and services are borrowed (serve's); when they
 * are NULL the worker loads the agents and makes the services itself. NULL with err. */
struct job_worker *job_worker_start(const struct config *config, long concurrency, struct agent_registry *registry,
                                    struct services *services, struct growth_error *err);

/* Reloads the scripts of a worker that loaded them itself (SIGHUP); logs the outcome. */
void job_worker_reload(struct job_worker *worker, const char *reason);

/* Stops taking jobs and waits GROWTH_SHUTDOWN_GRACE_S for running ones; then frees. */
void job_worker_stop(struct job_worker *worker, const struct config *config);

#endif
