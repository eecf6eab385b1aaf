/*
 * sse.h — Server-Sent Events: the wire format, and the stream that carries
 * events to one client.
 *
 * A stream is a bounded queue of bytes between producers (who write whole
 * frames) and the HTTP server (which reads from it when the socket can take
 * more). What a producer sends to many streams is framed once into a
 * reference-counted chunk, and each stream queues a reference to it, not a
 * copy (sse_stream_write_chunk). Writers never wait: when a client reads too slowly and its unread
 * bytes would pass the bound, the stream is dropped — the buffer is freed and
 * the server closes the connection — so one slow client never slows a
 * producer or the other clients. When the buffer is empty the reader parks
 * the connection through the transport (libmicrohttpd's suspend) and the
 * next write or close resumes it, so an idle stream costs no thread and no
 * polling.
 *
 * Streams are reference-counted: the broadcaster that feeds a stream and the
 * HTTP response that drains it each hold a reference.
 */
#ifndef GROWTH_HTTP_SSE_H
#define GROWTH_HTTP_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

#define SSE_CONTENT_TYPE "text/event-stream; charset=utf-8"
#define SSE_HEARTBEAT_FRAME ": heartbeat\n\n"
#define SSE_RETRY_MS 3000

/* Formats one event: "id: ID\nevent: TYPE\ndata: line\n...\n\n". id and type may be NULL (left out); they
 * must not hold CR or LF (ERR_BAD_ARGUMENT). data is split into one data: line per line, at LF, CR or
 * CRLF. The frame is malloc'd; the caller frees it. */
int sse_format_event(const char *id, const char *type, const char *data, size_t data_length, char **frame,
                     size_t *frame_length, struct growth_error *err);

/* A reference-counted run of framed events, shared by every stream it is written to. sse_chunk_new copies
 * the bytes and holds one reference; NULL when out of memory. */
struct sse_chunk;
struct sse_chunk *sse_chunk_new(const char *bytes, size_t length);
size_t sse_chunk_length(const struct sse_chunk *chunk);
void sse_chunk_retain(struct sse_chunk *chunk);
void sse_chunk_release(struct sse_chunk *chunk);

/* How a stream parks and wakes the connection that drains it. Both are called with the stream's lock held:
 * suspend only from within sse_stream_read, resume from writers. */
struct sse_transport {
  void (*suspend)(void *context);
  void (*resume)(void *context);
  void *context;
};

struct sse_stream;

/* A new stream holding one reference, with at most max_buffered unread bytes. It starts with a
 * "retry:" line so browsers reconnect after SSE_RETRY_MS. */
struct sse_stream *sse_stream_new(size_t max_buffered, struct growth_error *err);
void sse_stream_retain(struct sse_stream *stream);
void sse_stream_release(struct sse_stream *stream);

/* Appends a frame. 0 when queued; -1 when the stream is closed or dropped (now, or because this frame did
 * not fit): the writer should forget the stream. */
int sse_stream_write(struct sse_stream *stream, const char *frame, size_t length);

/* Queues bytes [start, end) of chunk (the stream takes its own reference): the same rules as
 * sse_stream_write, with no copy. A range outside the chunk is -1. */
int sse_stream_write_chunk(struct sse_stream *stream, struct sse_chunk *chunk, size_t start, size_t end);

/* Ends the stream: the reader gets what is buffered, then the end. */
void sse_stream_close(struct sse_stream *stream);

/* Whether the stream still accepts writes. */
bool sse_stream_open(struct sse_stream *stream);

/* Whether the stream was dropped for reading too slowly. */
bool sse_stream_dropped(struct sse_stream *stream);

#define SSE_STREAM_END ((ssize_t)-1)       /* closed and drained */
#define SSE_STREAM_ERROR ((ssize_t)-2)     /* dropped: close the connection */

/* The server's side. attach/detach bracket the life of the connection; read copies up to max bytes, or
 * parks the connection and returns 0 when nothing is buffered, or returns SSE_STREAM_END or
 * SSE_STREAM_ERROR. */
void sse_stream_attach(struct sse_stream *stream, const struct sse_transport *transport);
void sse_stream_detach(struct sse_stream *stream);
ssize_t sse_stream_read(struct sse_stream *stream, char *buffer, size_t max);

/* Unread bytes (for tests). */
size_t sse_stream_buffered(struct sse_stream *stream);

#endif
