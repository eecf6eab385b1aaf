/*
 * sse_broadcaster.h — one event source, many Server-Sent Event clients.
 *
 * A producer publishes an event (id, type, data), or a batch of them, once;
 * the broadcaster frames the batch once into one shared chunk (sse.h) and
 * queues a reference to it on every subscriber's stream, so a batch costs each
 * client one reference and at most one wake-up of its connection, however
 * many events it holds. A subscriber that cannot keep up is dropped by its
 * stream and forgotten here; publishing never waits on a socket.
 * A thread sends a heartbeat comment to every client at a fixed interval, so
 * proxies keep idle streams open and dead clients are found.
 *
 * The last `history` events that had an id are kept, so a client that
 * reconnects with Last-Event-ID gets what it missed when that id is still
 * remembered; subscribe says whether it was, so a handler can fill a longer
 * gap from its own store (the queue's event stream, for the monitor).
 *
 * A handler answers with a stream like this:
 *
 *   bool resumed;
 *   struct sse_stream *stream = sse_broadcaster_subscribe(events, http_request_last_event_id(request),
 *                                                         &resumed, &err);
 *   if (!stream) { http_respond_growth_error(response, &err); return; }
 *   http_respond_event_stream(response, stream);   // the response now owns the reference
 */
#ifndef GROWTH_HTTP_SSE_BROADCASTER_H
#define GROWTH_HTTP_SSE_BROADCASTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "http/sse.h"

#define SSE_EVENT_ID_MAX 128

struct sse_broadcaster_options {
  size_t client_buffer_bytes;   /* per-client bound (GROWTH_SSE_CLIENT_BUFFER_BYTES) */
  long heartbeat_ms;            /* GROWTH_SSE_HEARTBEAT_S * 1000; 0 for none */
  size_t history;               /* events kept for Last-Event-ID; 0 for none */
};

struct sse_broadcaster;

/* Starts the heartbeat thread. */
struct sse_broadcaster *sse_broadcaster_new(const struct sse_broadcaster_options *options, struct growth_error *err);

/* Closes every client's stream, stops the heartbeat and frees. */
void sse_broadcaster_free(struct sse_broadcaster *broadcaster);

/* A new stream for one client, holding a reference for the caller. When last_event_id is given and still in
 * the history, the events after it are queued first and *resumed is true; otherwise *resumed is false. */
struct sse_stream *sse_broadcaster_subscribe(struct sse_broadcaster *broadcaster, const char *last_event_id,
                                             bool *resumed, struct growth_error *err);

/* A batch of events framed once and published together (sse_broadcaster_publish_batch). */
struct sse_batch;
struct sse_batch *sse_batch_new(struct growth_error *err);
void sse_batch_free(struct sse_batch *batch);
/* Frames one event onto the batch (the rules of sse_broadcaster_publish). */
int sse_batch_add(struct sse_batch *batch, const char *id, const char *type, const char *data, size_t data_length,
                  struct growth_error *err);
size_t sse_batch_count(const struct sse_batch *batch);
/* The framed bytes so far, valid until the next add or clear (for a stream of one's own). */
const char *sse_batch_bytes(const struct sse_batch *batch, size_t *length);
void sse_batch_clear(struct sse_batch *batch);

/* Sends the batch's events to every client as one chunk, remembers those with an id, and empties the batch
 * for reuse. An empty batch sends nothing. */
int sse_broadcaster_publish_batch(struct sse_broadcaster *broadcaster, struct sse_batch *batch,
                                  struct growth_error *err);

/* Sends one event to every client (see sse_format_event for the rules on id, type and data). */
int sse_broadcaster_publish(struct sse_broadcaster *broadcaster, const char *id, const char *type, const char *data,
                            size_t data_length, struct growth_error *err);

/* Sends a heartbeat comment now (the thread calls this on its interval). */
void sse_broadcaster_heartbeat(struct sse_broadcaster *broadcaster);

/* Clients currently subscribed. */
size_t sse_broadcaster_clients(struct sse_broadcaster *broadcaster);

/* Clients dropped so far for reading too slowly. */
size_t sse_broadcaster_dropped(struct sse_broadcaster *broadcaster);

#endif
