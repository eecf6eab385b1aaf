/*
 * sse_broadcaster.c — fan-out of events to streams (see sse_broadcaster.h).
 *
 * Subscribers are an array of stream references under one mutex. Publishing
 * frames the events outside the lock into one chunk (sse.h), then under it
 * remembers each event with an id in the history ring (a reference to the
 * chunk and the event's byte range) and queues the whole chunk on each
 * stream: one reference and one wake-up per client per publish, however many
 * events the batch holds. Streams that refuse (dropped, or closed because
 * their connection ended) are released and removed in the same pass. Holding
 * the lock across the fan-out keeps every client's events in publish order
 * and makes subscribe-with-replay atomic: a new client gets the replayed
 * events and then every later one, with no gap or repeat.
 *
 * Counts go to the global metrics registry: clients connected, clients
 * dropped for being slow, events published.
 */
#include "http/sse_broadcaster.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/metrics.h"

struct history_entry {
  char id[SSE_EVENT_ID_MAX];
  struct sse_chunk *chunk;   /* a reference; NULL when the entry is unused */
  size_t start;
  size_t end;
};

struct batch_event {
  char id[SSE_EVENT_ID_MAX];   /* "" for an event without an id */
  size_t start;
  size_t end;
};

struct sse_batch {
  char *data;
  size_t length;
  size_t capacity;
  struct batch_event *events;
  size_t count;
  size_t events_capacity;
};

struct sse_broadcaster {
  struct sse_broadcaster_options options;
  pthread_mutex_t lock;
  struct sse_stream **clients;
  size_t count;
  size_t capacity;
  size_t dropped;
  struct history_entry *history;   /* ring of options.history entries */
  size_t history_next;
  size_t history_count;
  pthread_t heartbeat_thread;
  bool heartbeat_running;
  bool stopping;
  pthread_cond_t wake;             /* clock: CLOCK_MONOTONIC */
  struct sse_chunk *heartbeat;
  struct metric *clients_gauge;
  struct metric *dropped_counter;
  struct metric *published_counter;
};

/* Under the lock: queues the chunk on client i; forgets the client when it refuses. Returns 1 if kept. */
static int deliver(struct sse_broadcaster *broadcaster, size_t i, struct sse_chunk *chunk)
{
  struct sse_stream *stream = broadcaster->clients[i];
  if (sse_stream_write_chunk(stream, chunk, 0, sse_chunk_length(chunk)) == 0)
    return 1;
  if (sse_stream_dropped(stream)) {
    broadcaster->dropped++;
    metric_inc(broadcaster->dropped_counter, NULL);
    log_warn("SSE", "dropped a client that read too slowly (more than %zu bytes unread)",
             broadcaster->options.client_buffer_bytes);
  }
  metric_add(broadcaster->clients_gauge, NULL, -1);
  broadcaster->clients[i] = broadcaster->clients[--broadcaster->count];
  sse_stream_release(stream);
  return 0;
}

static void fan_out(struct sse_broadcaster *broadcaster, struct sse_chunk *chunk)
{
  for (size_t i = 0; i < broadcaster->count;)
    if (deliver(broadcaster, i, chunk))
      i++;
}

static void *heartbeat_main(void *arg)
{
  struct sse_broadcaster *broadcaster = arg;
  pthread_mutex_lock(&broadcaster->lock);
  while (!broadcaster->stopping) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += broadcaster->options.heartbeat_ms / 1000;
    deadline.tv_nsec += (broadcaster->options.heartbeat_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000L;
    }
    int waited = 0;
    while (!broadcaster->stopping && waited != ETIMEDOUT)
      waited = pthread_cond_timedwait(&broadcaster->wake, &broadcaster->lock, &deadline);
    if (!broadcaster->stopping)
      fan_out(broadcaster, broadcaster->heartbeat);
  }
  pthread_mutex_unlock(&broadcaster->lock);
  return NULL;
}

struct sse_broadcaster *sse_broadcaster_new(const struct sse_broadcaster_options *options, struct growth_error *err)
{
  struct sse_broadcaster *broadcaster = calloc(1, sizeof *broadcaster);
  if (!broadcaster)
    goto fail;
  broadcaster->options = *options;
  broadcaster->heartbeat = sse_chunk_new(SSE_HEARTBEAT_FRAME, sizeof SSE_HEARTBEAT_FRAME - 1);
  if (!broadcaster->heartbeat)
    goto fail;
  if (options->history) {
    broadcaster->history = calloc(options->history, sizeof *broadcaster->history);
    if (!broadcaster->history)
      goto fail;
  }
  pthread_mutex_init(&broadcaster->lock, NULL);
  pthread_condattr_t attributes;
  pthread_condattr_init(&attributes);
  pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
  pthread_cond_init(&broadcaster->wake, &attributes);
  pthread_condattr_destroy(&attributes);
  struct metrics_registry *registry = metrics_global();
  broadcaster->clients_gauge = metrics_gauge(registry, "growth_sse_clients", "Server-Sent Event clients connected",
                                             NULL, NULL);
  broadcaster->dropped_counter = metrics_counter(registry, "growth_sse_clients_dropped_total",
                                                 "Server-Sent Event clients dropped for reading too slowly", NULL, NULL);
  broadcaster->published_counter = metrics_counter(registry, "growth_sse_events_published_total",
                                                   "Server-Sent Events published", NULL, NULL);
  if (options->heartbeat_ms > 0) {
    if (pthread_create(&broadcaster->heartbeat_thread, NULL, heartbeat_main, broadcaster) != 0) {
      pthread_cond_destroy(&broadcaster->wake);
      pthread_mutex_destroy(&broadcaster->lock);
      error_set(err, ERR_INTERNAL, "event broadcaster: cannot start the heartbeat thread");
      sse_chunk_release(broadcaster->heartbeat);
      free(broadcaster->history);
      free(broadcaster);
      return NULL;
    }
    broadcaster->heartbeat_running = true;
  }
  return broadcaster;

fail:
  if (broadcaster) {
    sse_chunk_release(broadcaster->heartbeat);
    free(broadcaster->history);
  }
  free(broadcaster);
  error_set(err, ERR_NO_MEMORY, "event broadcaster: out of memory");
  return NULL;
}

void sse_broadcaster_free(struct sse_broadcaster *broadcaster)
{
  if (!broadcaster)
    return;
  pthread_mutex_lock(&broadcaster->lock);
  broadcaster->stopping = true;
  pthread_cond_signal(&broadcaster->wake);
  pthread_mutex_unlock(&broadcaster->lock);
  if (broadcaster->heartbeat_running)
    pthread_join(broadcaster->heartbeat_thread, NULL);
  for (size_t i = 0; i < broadcaster->count; i++) {
    sse_stream_close(broadcaster->clients[i]);
    sse_stream_release(broadcaster->clients[i]);
  }
  metric_add(broadcaster->clients_gauge, NULL, -(double)broadcaster->count);
  for (size_t i = 0; i < broadcaster->options.history; i++)
    sse_chunk_release(broadcaster->history[i].chunk);
  free(broadcaster->history);
  sse_chunk_release(broadcaster->heartbeat);
  free(broadcaster->clients);
  pthread_cond_destroy(&broadcaster->wake);
  pthread_mutex_destroy(&broadcaster->lock);
  free(broadcaster);
}

/* Under the lock: queues the remembered events after last_event_id; false when that id is not remembered. */
static bool replay(struct sse_broadcaster *broadcaster, struct sse_stream *stream, const char *last_event_id)
{
  size_t size = broadcaster->options.history;
  for (size_t back = 1; back <= broadcaster->history_count; back++) {
    size_t index = (broadcaster->history_next + size - back) % size;
    if (strcmp(broadcaster->history[index].id, last_event_id) != 0)
      continue;
    /* From the entry after it up to the newest: the ring's valid span ends just before history_next. */
    for (size_t at = (index + 1) % size; at != broadcaster->history_next; at = (at + 1) % size)
      sse_stream_write_chunk(stream, broadcaster->history[at].chunk, broadcaster->history[at].start,
                             broadcaster->history[at].end);
    return true;
  }
  return false;
}

struct sse_stream *sse_broadcaster_subscribe(struct sse_broadcaster *broadcaster, const char *last_event_id,
                                             bool *resumed, struct growth_error *err)
{
  *resumed = false;
  struct sse_stream *stream = sse_stream_new(broadcaster->options.client_buffer_bytes, err);
  if (!stream)
    return NULL;
  pthread_mutex_lock(&broadcaster->lock);
  if (broadcaster->count == broadcaster->capacity) {
    size_t capacity = broadcaster->capacity ? broadcaster->capacity * 2 : 64;
    struct sse_stream **grown = realloc(broadcaster->clients, capacity * sizeof *grown);
    if (!grown) {
      pthread_mutex_unlock(&broadcaster->lock);
      sse_stream_release(stream);
      error_set(err, ERR_NO_MEMORY, "event stream: out of memory subscribing");
      return NULL;
    }
    broadcaster->clients = grown;
    broadcaster->capacity = capacity;
  }
  if (last_event_id && *last_event_id && broadcaster->history_count > 0)
    *resumed = replay(broadcaster, stream, last_event_id);
  sse_stream_retain(stream);   /* one reference for the list, one for the caller */
  broadcaster->clients[broadcaster->count++] = stream;
  pthread_mutex_unlock(&broadcaster->lock);
  metric_add(broadcaster->clients_gauge, NULL, 1);
  return stream;
}

struct sse_batch *sse_batch_new(struct growth_error *err)
{
  struct sse_batch *batch = calloc(1, sizeof *batch);
  if (!batch)
    error_set(err, ERR_NO_MEMORY, "event batch: out of memory");
  return batch;
}

void sse_batch_free(struct sse_batch *batch)
{
  if (!batch)
    return;
  free(batch->data);
  free(batch->events);
  free(batch);
}

size_t sse_batch_count(const struct sse_batch *batch)
{
  return batch->count;
}

const char *sse_batch_bytes(const struct sse_batch *batch, size_t *length)
{
  *length = batch->length;
  return batch->data;
}

void sse_batch_clear(struct sse_batch *batch)
{
  batch->length = 0;
  batch->count = 0;
}

int sse_batch_add(struct sse_batch *batch, const char *id, const char *type, const char *data, size_t data_length,
                  struct growth_error *err)
{
  if (id && strlen(id) >= SSE_EVENT_ID_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "event id is %zu characters long; expected fewer than %d", strlen(id),
                     SSE_EVENT_ID_MAX);
  char *frame = NULL;
  size_t length = 0;
  if (sse_format_event(id, type, data, data_length, &frame, &length, err) != 0)
    return -1;
  if (batch->length + length > batch->capacity) {
    size_t capacity = batch->capacity ? batch->capacity : 4096;
    while (capacity < batch->length + length)
      capacity *= 2;
    char *grown = realloc(batch->data, capacity);
    if (!grown)
      goto no_memory;
    batch->data = grown;
    batch->capacity = capacity;
  }
  if (batch->count == batch->events_capacity) {
    size_t capacity = batch->events_capacity ? batch->events_capacity * 2 : 64;
    struct batch_event *grown = realloc(batch->events, capacity * sizeof *grown);
    if (!grown)
      goto no_memory;
    batch->events = grown;
    batch->events_capacity = capacity;
  }
  struct batch_event *event = &batch->events[batch->count++];
  snprintf(event->id, sizeof event->id, "%s", id ? id : "");
  event->start = batch->length;
  memcpy(batch->data + batch->length, frame, length);
  batch->length += length;
  event->end = batch->length;
  free(frame);
  return 0;

no_memory:
  free(frame);
  return error_set(err, ERR_NO_MEMORY, "event batch: out of memory");
}

/* Under the lock: remembers bytes [start, end) of chunk as the event id. */
static void remember(struct sse_broadcaster *broadcaster, const char *id, struct sse_chunk *chunk, size_t start,
                     size_t end)
{
  struct history_entry *entry = &broadcaster->history[broadcaster->history_next];
  sse_chunk_release(entry->chunk);
  sse_chunk_retain(chunk);
  *entry = (struct history_entry){ .chunk = chunk, .start = start, .end = end };
  snprintf(entry->id, sizeof entry->id, "%s", id);
  broadcaster->history_next = (broadcaster->history_next + 1) % broadcaster->options.history;
  if (broadcaster->history_count < broadcaster->options.history)
    broadcaster->history_count++;
}

int sse_broadcaster_publish_batch(struct sse_broadcaster *broadcaster, struct sse_batch *batch,
                                  struct growth_error *err)
{
  if (batch->count == 0)
    return 0;
  struct sse_chunk *chunk = sse_chunk_new(batch->data, batch->length);
  if (!chunk)
    return error_set(err, ERR_NO_MEMORY, "publishing %zu events: out of memory", batch->count);
  pthread_mutex_lock(&broadcaster->lock);
  fan_out(broadcaster, chunk);
  for (size_t i = 0; broadcaster->options.history > 0 && i < batch->count; i++)
    if (batch->events[i].id[0])
      remember(broadcaster, batch->events[i].id, chunk, batch->events[i].start, batch->events[i].end);
  pthread_mutex_unlock(&broadcaster->lock);
  sse_chunk_release(chunk);
  metric_add(broadcaster->published_counter, NULL, (double)batch->count);
  sse_batch_clear(batch);
  return 0;
}

int sse_broadcaster_publish(struct sse_broadcaster *broadcaster, const char *id, const char *type, const char *data,
                            size_t data_length, struct growth_error *err)
{
  struct sse_batch *batch = sse_batch_new(err);
  if (!batch)
    return -1;
  int status = sse_batch_add(batch, id, type, data, data_length, err) == 0 &&
                       sse_broadcaster_publish_batch(broadcaster, batch, err) == 0
                   ? 0
                   : -1;
  sse_batch_free(batch);
  return status;
}

void sse_broadcaster_heartbeat(struct sse_broadcaster *broadcaster)
{
  pthread_mutex_lock(&broadcaster->lock);
  fan_out(broadcaster, broadcaster->heartbeat);
  pthread_mutex_unlock(&broadcaster->lock);
}

size_t sse_broadcaster_clients(struct sse_broadcaster *broadcaster)
{
  pthread_mutex_lock(&broadcaster->lock);
  size_t count = broadcaster->count;
  pthread_mutex_unlock(&broadcaster->lock);
  return count;
}

size_t sse_broadcaster_dropped(struct sse_broadcaster *broadcaster)
{
  pthread_mutex_lock(&broadcaster->lock);
  size_t dropped = broadcaster->dropped;
  pthread_mutex_unlock(&broadcaster->lock);
  return dropped;
}
