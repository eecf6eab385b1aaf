/*
 * orchestrator_internal.h — pieces the orchestrator endpoints share (internal to core/http).
 */
#ifndef GROWTH_HTTP_ORCHESTRATOR_INTERNAL_H
#define GROWTH_HTTP_ORCHESTRATOR_INTERNAL_H

#include <jansson.h>

#include "http/api.h"

/* {"waiting", "active", "delayed", "prioritized", "completed", "failed", "waitingChildren", "paused",
 * "isPaused"}, or NULL with err. */
json_t *orchestrator_counts_json(struct queue *queue, struct growth_error *err);

/* {"clients", "dropped"} of the event stream's SSE clients, or NULL when there is no broadcaster. */
json_t *orchestrator_stream_json(const struct api_context *context);

/* Registers the /metrics collector of queue depth by state (once per process); removes it with NULL. */
int orchestrator_metrics_attach(struct api_context *context, struct growth_error *err);
void orchestrator_metrics_detach(struct api_context *context);

#endif
