/*
 * orchestrator_events.h — the queue's event stream, read once per process and fanned out to
 * Server-Sent Event clients; and newest-first reads of it for the monitor.
 *
 * One reader thread per process waits on bull:<queue>:events (queue_wait_events, on its own Redis
 * connection, so it never holds a pooled one) and publishes what each read returns as one batch to a
 * broadcaster, at most about ten batches a second, with the stream id as the event id and BullMQ's event
 * name as the type. However many clients watch, Redis sees one reader; a slow client is dropped by its own
 * bounded buffer (sse.h) and never slows the reader or the workers.
 *
 * The monitor's events are JSON objects {"id", "event", "jobId", ..., "agent"} with BullMQ's fields as they
 * are in the stream (text), "agent" derived from the job id ("journal-1732...-a1b2c3" → "journal"), and for
 * progress events "percent" and "message". A stream frame's data is the part a client uses: "jobId",
 * "agent", "percent", "message", "failedReason" and "prev" when the event has them (its id and type are the
 * frame's id: and event: lines).
 */
#ifndef GROWTH_HTTP_ORCHESTRATOR_EVENTS_H
#define GROWTH_HTTP_ORCHESTRATOR_EVENTS_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "http/sse.h"
#include "http/sse_broadcaster.h"
#include "queue/queue.h"

#define ORCHESTRATOR_EVENT_ID_MAX 64

struct orchestrator_events;

/* Starts the reader at the stream's current end, publishing to broadcaster (borrowed; it must outlive the
 * reader). The queue is borrowed too. */
struct orchestrator_events *orchestrator_events_start(struct queue *queue, struct sse_broadcaster *broadcaster,
                                                      struct growth_error *err);

/* Stops the reader thread (within about a second) and frees. NULL is allowed. */
void orchestrator_events_stop(struct orchestrator_events *events);

/* A stream for one client. With last_event_id (a stream id), the client first gets every event after it:
 * from the broadcaster's history when it is there, else read from Redis (at most `gap_max` events), then
 * the live ones with no gap or repeat. ERR_BAD_ARGUMENT when last_event_id is not a stream id. */
struct sse_stream *orchestrator_events_subscribe(struct orchestrator_events *events, const char *last_event_id,
                                                 long gap_max, struct growth_error *err);

/* Events newest first: those with ids below `before` (exclusive; NULL = from the newest) and above `since`
 * (exclusive; NULL = to the oldest), at most count. A JSON array of event objects (new reference). */
int orchestrator_events_read(struct queue *queue, const char *before, const char *since, long count,
                             json_t **events_out, struct growth_error *err);

/* Whether text is a Redis stream id ("1732000000000-0" or "1732000000000"). */
int orchestrator_event_id_valid(const char *text);

/* The agent a launched job's id names ("journal" of "journal-1732000000000-a1b2c3") into out; "" when the
 * id does not have that shape. */
void orchestrator_agent_of_job(const char *job_id, char *out, size_t size);

#endif
