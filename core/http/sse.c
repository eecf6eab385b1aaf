/*
 * sse.c — event framing and the per-client stream (see sse.h).
 *
 * The buffer is linear: writes append at `end`, reads take from `start`, and
 * the unread bytes are moved to the front when a write would not fit behind
 * them. It grows by doubling up to the bound, so a stream that only ever sees
 * small events stays small. All state is under one mutex per stream; writers
 * hold it for a memcpy, never for I/O.
 */
#include "http/sse.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAPACITY 4096

enum stream_state { STREAM_OPEN, STREAM_CLOSED, STREAM_DROPPED };

struct sse_stream {
  pthread_mutex_t lock;
  atomic_int references;
  enum stream_state state;
  char *data;
  size_t start;
  size_t end;
  size_t capacity;
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

struct sse_stream *sse_stream_new(size_t max_buffered, struct growth_error *err)
{
  struct sse_stream *stream = calloc(1, sizeof *stream);
  if (!stream)
    goto fail;
  stream->capacity = max_buffered < INITIAL_CAPACITY ? max_buffered : INITIAL_CAPACITY;
  stream->data = malloc(stream->capacity);
  if (!stream->data)
    goto fail;
  pthread_mutex_init(&stream->lock, NULL);
  atomic_init(&stream->references, 1);
  stream->max_buffered = max_buffered;
  int length = snprintf(stream->data, stream->capacity, "retry: %d\n\n", SSE_RETRY_MS);
  stream->end = length > 0 && (size_t)length < stream->capacity ? (size_t)length : 0;
  return stream;

fail:
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
  pthread_mutex_destroy(&stream->lock);
  free(stream->data);
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
  free(stream->data);
  stream->data = NULL;
  stream->start = stream->end = stream->capacity = 0;
  wake(stream);
}

/* Under the lock: room for length more bytes, or -1 when that passes the bound. */
static int make_room(struct sse_stream *stream, size_t length)
{
  size_t unread = stream->end - stream->start;
  if (unread + length > stream->max_buffered)
    return -1;
  if (stream->end + length <= stream->capacity)
    return 0;
  if (unread + length <= stream->capacity) {
    memmove(stream->data, stream->data + stream->start, unread);
    stream->start = 0;
    stream->end = unread;
    return 0;
  }
  size_t capacity = stream->capacity ? stream->capacity : INITIAL_CAPACITY;
  while (capacity < unread + length)
    capacity *= 2;
  if (capacity > stream->max_buffered)
    capacity = stream->max_buffered;
  char *grown = malloc(capacity);
  if (!grown)
    return -1;
  memcpy(grown, stream->data + stream->start, unread);
  free(stream->data);
  stream->data = grown;
  stream->capacity = capacity;
  stream->start = 0;
  stream->end = unread;
  return 0;
}

int sse_stream_write(struct sse_stream *stream, const char *frame, size_t length)
{
  pthread_mutex_lock(&stream->lock);
  int status = -1;
  if (stream->state == STREAM_OPEN) {
    if (make_room(stream, length) != 0) {
      drop(stream);
    } else {
      memcpy(stream->data + stream->end, frame, length);
      stream->end += length;
      wake(stream);
      status = 0;
    }
  }
  pthread_mutex_unlock(&stream->lock);
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

ssize_t sse_stream_read(struct sse_stream *stream, char *buffer, size_t max)
{
  pthread_mutex_lock(&stream->lock);
  ssize_t result;
  size_t unread = stream->end - stream->start;
  if (stream->state == STREAM_DROPPED) {
    result = SSE_STREAM_ERROR;
  } else if (unread > 0) {
    size_t count = unread < max ? unread : max;
    memcpy(buffer, stream->data + stream->start, count);
    stream->start += count;
    if (stream->start == stream->end)
      stream->start = stream->end = 0;
    result = (ssize_t)count;
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
  size_t unread = stream->end - stream->start;
  pthread_mutex_unlock(&stream->lock);
  return unread;
}
