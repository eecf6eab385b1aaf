/*
 * host_memory.h — an agent_host (runner.h) kept in memory, with progress and
 * logs on stderr: what `growthd run` and the tests use instead of Redis.
 *
 * Step results and the store live in JSON objects for the life of the host, so
 * running a job twice on one host shows ctx.step reusing results as a retried
 * job would. Artifacts are written to a folder when one is given, else kept
 * as byte counts only.
 */
#ifndef GROWTH_AGENTS_HOST_MEMORY_H
#define GROWTH_AGENTS_HOST_MEMORY_H

#include <jansson.h>

#include "agents/runner.h"
#include "base/error.h"

struct memory_host;

/* artifact_dir may be NULL (artifacts are counted, not written). */
struct memory_host *memory_host_new(const char *artifact_dir, struct growth_error *err);
void memory_host_free(struct memory_host *host);

/* Fills callbacks that use host. */
void memory_host_bind(struct memory_host *host, struct agent_host *callbacks);

/* Puts back the "steps" and "store" objects of a record saved earlier (memory_host_record), so a
 * job run again on this host sees them as a retried job would. 0, or -1 with err. */
int memory_host_restore(struct memory_host *host, const json_t *saved, struct growth_error *err);

/* What the jobs left, for tests: {"steps":{..}, "store":{..}, "artifacts":{name:{bytes, location}},
 * "logs":["[JournalAgent] ..."], "progress":[{"percent":..,"message":..}]}. Borrowed. */
const json_t *memory_host_record(const struct memory_host *host);

#endif
