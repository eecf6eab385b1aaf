/*
 * sse.c — event framing, shared frame chunks, and the per-client stream (see sse.h).
 *
 * A stream does not copy what it is given: it queues slices (chunk, start, end) of reference-counted
 * chunks, so a batch of events framed once is shared by every client that has not read it yet, and a
 * write costs a reference and a slice, whatever the size of the batch. A slice that continues the last
 * queued one (same chunk, adjacent bytes) extends it, so replaying a run of remembered events from one
 * chunk queues one slice. The slices sit in a ring that doubles when full; the bound is on unread bytes,
 * which also bounds how long a slow client keeps chunks alive. Reads copy from the slices into the
 * server's buffer and release each chunk once it is read through. All state is under one mutex per
 * stream; writers hold it for a few stores, never for I/O.
 */
#include "http/sse.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_SLICES 16
#define SLICES_MAX 65536

struct sse_chunk {
  atomic_int references;
  size_t length;
  char data[];
};

struct slice {
  struct sse_chunk *chunk;
  size_t start;
  size_t end;
};

enum stream_state { STREAM_OPEN, STREAM_CLOSED, STREAM_DROPPED };

struct sse_stream {
  pthread_mutex_t lock;
  atomic_int references;
  enum stream_state state;
  struct slice *slices;   /* ring of `capacity` entries: `count` of them from `head` */
  size_t head;
  size_t count;
  size_t capacity;
  size_t unread;
  size_t max_buffered;
  bool attached;
  bool parked;
  struct sse_transport transport;
};

static int has_line_break(const char *text)
{
  return text && strpbrk(text, "\r\n") != NULL;
}

int sse_format_event(const char *id, const char *type, const char *data, size_t data_length, char **frame,
                     size_t *frame_length, struct growth_error *err)
{
  *frame = NULL;
  *frame_length = 0;
  if (has_line_break(id) || has_line_break(type))
    return error_set(err, ERR_BAD_ARGUMENT, "event %s has a line break; expected one line",
                     has_line_break(id) ? "id" : "type");
  FILE *out = open_memstream(frame, frame_length);
  if (!out)
    return error_set(err, ERR_NO_MEMORY, "event: out of memory");
  if (id)
    fprintf(out, "id: %s\n", id);
  if (type)
    fprintf(out, "event: %s\n", type);
  /* Every piece between line breaks becomes a data: line, the last one too (even empty), so a client that
   * joins the lines with LF gets the data back exactly (with CR and CRLF turned into LF). */
  size_t i = 0;
  for (;;) {
    size_t line = i;
    while (line < data_length && data[line] != '\n' && data[line] != '\r')
      line++;
    fputs("data: ", out);
    if (line > i)
      fwrite(data + i, 1, line - i, out);
    fputc('\n', out);
    if (line == data_length)
      break;
    if (data[line] == '\r' && line + 1 < data_length && data[line + 1] == '\n')
      line++;
    i = line + 1;
  }
  fputc('\n', out);
  int failed = ferror(out);
  if (fclose(out) != 0 || failed || !*frame) {
    free(*frame);
    *frame = NULL;
    return error_set(err, ERR_NO_MEMORY, "event: out of memory");
  }
  return 0;
}

struct sse_chunk *sse_chunk_new(const char *bytes, size_t length)
{
  struct sse_chunk *chunk = malloc(sizeof *chunk + length);
  if (!chunk)
    return NULL;
  atomic_init(&chunk->references, 1);
  chunk->length = length;
  memcpy(chunk->data, bytes, length);
  return chunk;
}

size_t sse_chunk_length(const struct sse_chunk *chunk)
{
  return chunk->length;
}

void sse_chunk_retain(struct sse_chunk *chunk)
{
  atomic_fetch_add(&chunk->references, 1);
}

void sse_chunk_release(struct sse_chunk *chunk)
{
  if (chunk && atomic_fetch_sub(&chunk->references, 1) == 1)
    free(chunk);
}

/* Under the lock: forgets every queued slice. */
static void clear_slices(struct sse_stream *stream)
{
  for (size_t i = 0; i < stream->count; i++)
    sse_chunk_release(stream->slices[(stream->head + i) % stream->capacity].chunk);
  stream->head = stream->count = stream->unread = 0;
}

/* Under the lock: queues chunk[start, end) (taking a reference), or -1 when out of memory. */
static int push_slice(struct sse_stream *stream, struct sse_chunk *chunk, size_t start, size_t end)
{
  if (stream->count > 0) {
    struct slice *last = &stream->slices[(stream->head + stream->count - 1) % stream->capacity];
    if (last->chunk == chunk && last->end == start) {
      last->end = end;
      stream->unread += end - start;
      return 0;
    }
  }
  if (stream->count == stream->capacity) {
    if (stream->capacity >= SLICES_MAX)
      return -1;
    size_t capacity = stream->capacity ? stream->capacity * 2 : INITIAL_SLICES;
    struct slice *grown = malloc(capacity * sizeof *grown);
    if (!grown)
      return -1;
    for (size_t i = 0; i < stream->count; i++)
      grown[i] = stream->slices[(stream->head + i) % stream->capacity];
    free(stream->slices);
    stream->slices = grown;
    stream->capacity = capacity;
    stream->head = 0;
  }
  sse_chunk_retain(chunk);
  stream->slices[(stream->head + stream->count) % stream->capacity] = (struct slice){ chunk, start, end };
  stream->count++;
  stream->unread += end - start;
  return 0;
}

struct sse_stream *sse_stream_new(size_t max_buffered, struct growth_error *err)
{
  char retry[32];
  int length = snprintf(retry, sizeof retry, "retry: %d\n\n", SSE_RETRY_MS);
  struct sse_stream *stream = calloc(1, sizeof *stream);
  struct sse_chunk *first = sse_chunk_new(retry, (size_t)length);
  if (!stream || !first)
    goto fail;
  pthread_mutex_init(&stream->lock, NULL);
  atomic_init(&stream->references, 1);
  stream->max_buffered = max_buffered;
  if ((size_t)length <= max_buffered && push_slice(stream, first, 0, (size_t)length) != 0) {
    pthread_mutex_destroy(&stream->lock);
    goto fail;
  }
  sse_chunk_release(first);
  return stream;

fail:
  sse_chunk_release(first);
  free(stream);
  error_set(err, ERR_NO_MEMORY, "event stream: out of memory");
  return NULL;
}

void sse_stream_retain(struct sse_stream *stream)
{
  atomic_fetch_add(&stream->references, 1);
}

void sse_stream_release(struct sse_stream *stream)
{
  if (!stream || atomic_fetch_sub(&stream->references, 1) != 1)
    return;
  clear_slices(stream);
  pthread_mutex_destroy(&stream->lock);
  free(stream->slices);
  free(stream);
}

/* Under the lock: lets a parked reader run again. */
static void wake(struct sse_stream *stream)
{
  if (stream->parked && stream->attached) {
    stream->parked = false;
    stream->transport.resume(stream->transport.context);
  }
}

static void drop(struct sse_stream *stream)
{
  stream->state = STREAM_DROPPED;
  clear_slices(stream);
  free(stream->slices);
  stream->slices = NULL;
  stream->capacity = 0;
  wake(stream);
}

int sse_stream_write_chunk(struct sse_stream *stream, struct sse_chunk *chunk, size_t start, size_t end)
{
  if (start >= end || end > chunk->length)
    return start == end && end <= chunk->length ? 0 : -1;
  pthread_mutex_lock(&stream->lock);
  int status = -1;
  if (stream->state == STREAM_OPEN) {
    if (stream->unread + (end - start) > stream->max_buffered || push_slice(stream, chunk, start, end) != 0) {
      drop(stream);
    } else {
      wake(stream);
      status = 0;
    }
  }
  pthread_mutex_unlock(&stream->lock);
  return status;
}

int sse_stream_write(struct sse_stream *stream, const char *frame, size_t length)
{
  if (length == 0)
    return sse_stream_open(stream) ? 0 : -1;
  struct sse_chunk *chunk = sse_chunk_new(frame, length);
  if (!chunk) {
    pthread_mutex_lock(&stream->lock);
    if (stream->state == STREAM_OPEN)
      drop(stream);
    pthread_mutex_unlock(&stream->lock);
    return -1;
  }
  int status = sse_stream_write_chunk(stream, chunk, 0, length);
  sse_chunk_release(chunk);
  return status;
}

void sse_stream_close(struct sse_stream *stream)
{
  pthread_mutex_lock(&stream->lock);
  if (stream->state == STREAM_OPEN)
    stream->state = STREAM_CLOSED;
  wake(stream);
  pthread_mutex_unlock(&stream->lock);
}

bool sse_stream_open(struct sse_stream *stream)
{
  pthread_mutex_lock(&stream->lock);
  bool open = stream->state == STREAM_OPEN;
  pthread_mutex_unlock(&stream->lock);
  return open;
}

bool sse_stream_dropped(struct sse_stream *stream)
{
  pthread_mutex_lock(&stream->lock);
  bool dropped = stream->state == STREAM_DROPPED;
  pthread_mutex_unlock(&stream->lock);
  return dropped;
}

void sse_stream_attach(struct sse_stream *stream, const struct sse_transport *transport)
{
  pthread_mutex_lock(&stream->lock);
  stream->transport = *transport;
  stream->attached = true;
  stream->parked = false;
  pthread_mutex_unlock(&stream->lock);
}

void sse_stream_detach(struct sse_stream *stream)
{
  pthread_mutex_lock(&stream->lock);
  stream->attached = false;
  stream->parked = false;
  if (stream->state == STREAM_OPEN)
    stream->state = STREAM_CLOSED;   /* nobody drains it any more: writers should forget it */
  pthread_mutex_unlock(&stream->lock);
}

/* Under the lock: copies up to max unread bytes into buffer, releasing the chunks read through. */
static size_t take(struct sse_stream *stream, char *buffer, size_t max)
{
  size_t copied = 0;
  while (copied < max && stream->count > 0) {
    struct slice *first = &stream->slices[stream->head];
    size_t count = first->end - first->start;
    if (count > max - copied)
      count = max - copied;
    memcpy(buffer + copied, first->chunk->data + first->start, count);
    copied += count;
    first->start += count;
    if (first->start == first->end) {
      sse_chunk_release(first->chunk);
      stream->head = (stream->head + 1) % stream->capacity;
      stream->count--;
    }
  }
  stream->unread -= copied;
  if (stream->count == 0)
    stream->head = 0;
  return copied;
}

ssize_t sse_stream_read(struct sse_stream *stream, char *buffer, size_t max)
{
  pthread_mutex_lock(&stream->lock);
  ssize_t result;
  if (stream->state == STREAM_DROPPED) {
    result = SSE_STREAM_ERROR;
  } else if (stream->unread > 0) {
    result = (ssize_t)take(stream, buffer, max);
  } else if (stream->state == STREAM_CLOSED) {
    result = SSE_STREAM_END;
  } else {
    if (stream->attached && !stream->parked) {
      stream->parked = true;
      stream->transport.suspend(stream->transport.context);
    }
    result = 0;
  }
  pthread_mutex_unlock(&stream->lock);
  return result;
}

size_t sse_stream_buffered(struct sse_stream *stream)
{
  pthread_mutex_lock(&stream->lock);
  size_t unread = stream->unread;
  pthread_mutex_unlock(&stream->lock);
  return unread;
}
