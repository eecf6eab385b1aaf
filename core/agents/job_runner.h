/*
 * job_runner.h — runs queued jobs as agent jobs: the queue worker's job handler
 * (queue_handler.h) backed by the agent registry and the runner.
 *
 * A job's name is the agent's name and its data {"user": {...}, "input": {...}};
 * the job runs on the agent's current script version, which it records in the
 * job's hash ("scriptVersion"). What the agent's ctx reaches goes to Redis
 * through the queue: progress to the job's progress, log lines to the job's
 * log (and the process log), ctx.step results to the job's hash, ctx.store to
 * the per-user-and-agent store, artifacts to files under
 * GROWTH_DATA_DIR/artifacts/<job id>/, and the tokens its growth.llm calls
 * cost to the job's hash ("llmUsage") and /metrics (job_usage.h).
 */
#ifndef GROWTH_AGENTS_JOB_RUNNER_H
#define GROWTH_AGENTS_JOB_RUNNER_H

#include "agents/registry.h"
#include "base/config.h"
#include "base/error.h"
#include "providers/services.h"
#include "queue/queue.h"
#include "queue/queue_handler.h"

#define JOB_RUNNER_VERSION_FIELD "scriptVersion"

struct job_runner;

/* All four are borrowed and must outlive the runner. */
struct job_runner *job_runner_new(const struct config *config, struct agent_registry *registry,
                                  struct services *services, struct queue *queue, struct growth_error *err);
void job_runner_free(struct job_runner *runner);

/* The handler to give the queue worker; its context is the runner. */
struct queue_job_handler job_runner_handler(struct job_runner *runner);

/* The folder of a job's artifacts into out: <GROWTH_DATA_DIR>/artifacts/<job id>. */
void job_runner_artifact_dir(const struct config *config, const char *job_id, char *out, size_t size);

#endif
