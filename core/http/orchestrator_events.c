/*
 * orchestrator_events.c — one reader of the queue's event stream per process, fanned out to SSE clients
 * (see orchestrator_events.h).
 *
 * The reader thread waits on the stream (queue_wait_events: XREAD BLOCK on its own connection, 1 s at a
 * time, so stopping takes at most a second; a Redis outage costs one log line and a retry every half
 * second) from the last id it saw ("$", the stream's end, resolved to a concrete id first). Everything one
 * read returns is framed once into one batch and published as one chunk (sse_broadcaster.h): each client
 * gets one reference and one wake-up of its connection for the whole batch. After a batch the reader waits
 * until BATCH_INTERVAL_MS have passed since the previous one, so however busy the queue, a client's
 * connection is woken and written at most about ten times a second, carrying every event since; that is
 * what keeps hundreds of clients from taking CPU from the workers (bench/api). Redis sees one reader
 * however many clients watch, and no client causes a Redis read, except one resuming from an id the
 * broadcaster no longer remembers.
 *
 * A frame carries what a client needs, not the whole entry: the id and type are the SSE id: and event:
 * lines, and the data holds jobId and per type percent and message (progress), failedReason (failed) or
 * prev (waiting: after a failure, a retry). The agent is not repeated: it is the job id's prefix, which
 * the client reads as orchestrator_agent_of_job does. Every byte of a frame goes to every client, and on
 * a shared host the clients' reading costs as much as the writing. The monitor's JSON keeps every field.
 *
 * The reader publishes under `lock`; a client that resumes from an id the broadcaster no longer remembers
 * is subscribed under the same lock, and the events between its id and the reader's last one are read
 * from Redis and written to its stream before the lock is let go, so the reader's next batch comes right
 * after them: no gap, no repeat.
 */
#include "http/orchestrator_events.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"

#define READ_BLOCK_MS 1000
#define READ_COUNT 1000
#define BATCH_INTERVAL_MS 100
#define RETRY_PAUSE_MS 500

struct orchestrator_events {
  struct queue *queue;
  struct sse_broadcaster *broadcaster;
  struct redis_conn *conn;          /* the reader's own connection */
  struct sse_batch *batch;          /* the reader's, reused */
  pthread_mutex_t lock;             /* held while publishing and while a client resumes */
  char last_id[ORCHESTRATOR_EVENT_ID_MAX];   /* "$" until the first entry is seen */
  pthread_t thread;
  atomic_int stopping;
};

int orchestrator_event_id_valid(const char *text)
{
  return queue_event_id_valid(text);
}

/* Orders two stream ids: <0, 0, >0. A missing sequence counts as 0. */
static int compare_ids(const char *a, const char *b)
{
  unsigned long long a_ms = strtoull(a, NULL, 10), b_ms = strtoull(b, NULL, 10);
  const char *a_dash = strchr(a, '-'), *b_dash = strchr(b, '-');
  unsigned long long a_seq = a_dash ? strtoull(a_dash + 1, NULL, 10) : 0;
  unsigned long long b_seq = b_dash ? strtoull(b_dash + 1, NULL, 10) : 0;
  if (a_ms != b_ms)
    return a_ms < b_ms ? -1 : 1;
  return a_seq == b_seq ? 0 : (a_seq < b_seq ? -1 : 1);
}

void orchestrator_agent_of_job(const char *job_id, char *out, size_t size)
{
  out[0] = '\0';
  /* <agent>-<digits>-<hex>: find the last two dashes */
  const char *last = strrchr(job_id, '-');
  if (!last || last == job_id)
    return;
  const char *second = last - 1;
  while (second > job_id && *second != '-')
    second--;
  if (second == job_id || *second != '-')
    return;
  size_t digits = strspn(second + 1, "0123456789");
  if (digits == 0 || second + 1 + digits != last || last[1] == '\0' || strspn(last + 1, "0123456789abcdef") != strlen(last + 1))
    return;
  size_t length = (size_t)(second - job_id);
  if (length >= size)
    return;
  memcpy(out, job_id, length);
  out[length] = '\0';
}

/* progress data is a number (percent) or an object with percent/message. */
static void add_progress(json_t *event)
{
  const char *text = json_string_value(json_object_get(event, "data"));
  if (!text)
    return;
  json_t *progress = json_loads(text, JSON_DECODE_ANY, NULL);
  if (!progress)
    return;
  if (json_is_number(progress))
    json_object_set(event, "percent", progress);
  else if (json_is_object(progress)) {
    json_t *percent = json_object_get(progress, "percent");
    json_t *message = json_object_get(progress, "message");
    if (json_is_number(percent))
      json_object_set(event, "percent", percent);
    if (json_is_string(message))
      json_object_set(event, "message", message);
  }
  json_decref(progress);
}

/* Adds what the monitor and the stream derive from BullMQ's fields: "agent" from the job id, and for
 * progress "percent" (and "message" when the progress is an object that says it; the runner's message is
 * already a field of the entry). */
static void decorate(json_t *event)
{
  const char *job_id = json_string_value(json_object_get(event, "jobId"));
  if (job_id) {
    char agent[72];
    orchestrator_agent_of_job(job_id, agent, sizeof agent);
    if (agent[0])
      json_object_set_new(event, "agent", json_string(agent));
  }
  const char *type = json_string_value(json_object_get(event, "event"));
  if (type && strcmp(type, "progress") == 0)
    add_progress(event);
}

int orchestrator_events_read(struct queue *queue, const char *before, const char *since, long count,
                             json_t **events_out, struct growth_error *err)
{
  if (queue_read_events(queue, 1, since, before, count, events_out, err) != 0)
    return -1;
  size_t index;
  json_t *event;
  json_array_foreach(*events_out, index, event)
    decorate(event);
  return 0;
}

/* The fields a frame's data keeps; the id and type travel as the SSE id: and event: lines. */
static const char *const frame_fields[] = { "jobId", "percent", "message", "failedReason" };

/* Frames one stream entry onto the batch. */
static int add_to_batch(struct sse_batch *batch, json_t *event, struct growth_error *err)
{
  const char *type = json_string_value(json_object_get(event, "event"));
  if (type && strcmp(type, "progress") == 0)
    add_progress(event);
  json_t *data = json_object();
  if (!data)
    return error_set(err, ERR_NO_MEMORY, "framing an event: out of memory");
  for (size_t i = 0; i < sizeof frame_fields / sizeof frame_fields[0]; i++) {
    json_t *value = json_object_get(event, frame_fields[i]);
    if (value)
      json_object_set(data, frame_fields[i], value);
  }
  json_t *prev = json_object_get(event, "prev");
  if (prev && type && strcmp(type, "waiting") == 0)
    json_object_set(data, "prev", prev);
  char *text = json_dumps(data, JSON_COMPACT);
  json_decref(data);
  if (!text)
    return error_set(err, ERR_NO_MEMORY, "framing an event: out of memory");
  int status = sse_batch_add(batch, json_string_value(json_object_get(event, "id")),
                             json_string_value(json_object_get(event, "event")), text, strlen(text), err);
  free(text);
  return status;
}

/* Under lock: publishes a read's events as one batch and remembers the last id. */
static void publish_events(struct orchestrator_events *events, json_t *list)
{
  size_t index;
  json_t *event;
  json_array_foreach(list, index, event) {
    struct growth_error err = { 0 };
    const char *id = json_string_value(json_object_get(event, "id"));
    if (add_to_batch(events->batch, event, &err) != 0)
      log_warn("Orchestrator", "event %s not published: %s", id ? id : "(no id)", err.message);
    if (id)
      snprintf(events->last_id, sizeof events->last_id, "%s", id);
  }
  struct growth_error err = { 0 };
  if (sse_broadcaster_publish_batch(events->broadcaster, events->batch, &err) != 0) {
    log_warn("Orchestrator", "%zu events not published: %s", sse_batch_count(events->batch), err.message);
    sse_batch_clear(events->batch);
  }
}

static void pause_ms(long ms)
{
  if (ms <= 0)
    return;
  struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&delay, NULL);
}

/* Replaces "$" with the stream's newest id ("0-0" when it is empty), so no event falls between two
 * reads; 0 when last_id is concrete. */
static int resolve_start(struct orchestrator_events *events, struct growth_error *err)
{
  if (strcmp(events->last_id, "$") != 0)
    return 0;
  json_t *newest = NULL;
  if (queue_read_events(events->queue, 1, NULL, NULL, 1, &newest, err) != 0)
    return -1;
  const char *id = json_string_value(json_object_get(json_array_get(newest, 0), "id"));
  pthread_mutex_lock(&events->lock);
  snprintf(events->last_id, sizeof events->last_id, "%s", id ? id : "0-0");
  pthread_mutex_unlock(&events->lock);
  json_decref(newest);
  return 0;
}

static void *reader_main(void *arg)
{
  struct orchestrator_events *events = arg;
  int failing = 0;
  int64_t last_batch_ms = 0;
  while (!atomic_load(&events->stopping)) {
    struct growth_error err = { 0 };
    char last[ORCHESTRATOR_EVENT_ID_MAX];
    json_t *list = NULL;
    int status = resolve_start(events, &err);
    if (status == 0) {
      pthread_mutex_lock(&events->lock);
      snprintf(last, sizeof last, "%s", events->last_id);
      pthread_mutex_unlock(&events->lock);
      status = queue_wait_events(events->queue, events->conn, last, READ_COUNT, READ_BLOCK_MS, &list, &err);
    }
    if (status != 0) {
      if (!failing)
        log_warn("Orchestrator", "event reader: %s; retrying", err.message);
      failing = 1;
      pause_ms(RETRY_PAUSE_MS);
      continue;
    }
    if (failing)
      log_info("Orchestrator", "event reader: reading the events stream again");
    failing = 0;
    size_t count = json_array_size(list);
    if (count > 0) {
      pthread_mutex_lock(&events->lock);
      publish_events(events, list);
      pthread_mutex_unlock(&events->lock);
      last_batch_ms = clock_monotonic_ms();
    }
    json_decref(list);
    /* A full read means more are waiting: read on. Otherwise let the next batch gather. */
    if (count > 0 && count < READ_COUNT)
      pause_ms(BATCH_INTERVAL_MS - (clock_monotonic_ms() - last_batch_ms));
  }
  return NULL;
}

struct orchestrator_events *orchestrator_events_start(struct queue *queue, struct sse_broadcaster *broadcaster,
                                                      struct growth_error *err)
{
  struct orchestrator_events *events = calloc(1, sizeof *events);
  if (!events) {
    error_set(err, ERR_NO_MEMORY, "event reader: out of memory");
    return NULL;
  }
  events->queue = queue;
  events->broadcaster = broadcaster;
  snprintf(events->last_id, sizeof events->last_id, "$");
  pthread_mutex_init(&events->lock, NULL);
  events->batch = sse_batch_new(err);
  if (!events->batch)
    goto fail;
  events->conn = redis_conn_new_dedicated(queue_pool(queue), err);
  if (!events->conn)
    goto fail;
  if (redis_conn_set_timeout(events->conn, READ_BLOCK_MS + 2000, err) != 0)
    goto fail;
  if (pthread_create(&events->thread, NULL, reader_main, events) != 0) {
    error_set(err, ERR_INTERNAL, "event reader: cannot start its thread");
    goto fail;
  }
  pthread_setname_np(events->thread, "sse-reader");
  return events;
fail:
  redis_conn_free_dedicated(events->conn);
  sse_batch_free(events->batch);
  pthread_mutex_destroy(&events->lock);
  free(events);
  return NULL;
}

void orchestrator_events_stop(struct orchestrator_events *events)
{
  if (!events)
    return;
  atomic_store(&events->stopping, 1);
  pthread_join(events->thread, NULL);
  redis_conn_free_dedicated(events->conn);
  sse_batch_free(events->batch);
  pthread_mutex_destroy(&events->lock);
  free(events);
}

/* Under lock: writes the events after `after` up to the reader's last id into stream, as one chunk. */
static void fill_gap(struct orchestrator_events *events, struct sse_stream *stream, const char *after, long gap_max)
{
  if (strcmp(events->last_id, "$") == 0 || compare_ids(after, events->last_id) >= 0)
    return;
  struct growth_error err = { 0 };
  json_t *list = NULL;
  struct sse_batch *batch = sse_batch_new(&err);
  if (!batch || queue_read_events(events->queue, 0, after, NULL, gap_max, &list, &err) != 0) {
    log_warn("Orchestrator", "resuming an event stream after %s: %s", after, err.message);
    sse_batch_free(batch);
    return;
  }
  size_t index;
  json_t *event;
  json_array_foreach(list, index, event) {
    const char *id = json_string_value(json_object_get(event, "id"));
    if (!id || compare_ids(id, events->last_id) > 0)
      break;   /* the reader has not published it yet: it will */
    if (add_to_batch(batch, event, &err) != 0)
      log_warn("Orchestrator", "resuming after %s: event %s left out: %s", after, id, err.message);
  }
  json_decref(list);
  /* a stream of its own: the batch goes to this client only */
  size_t length = 0;
  const char *bytes = sse_batch_bytes(batch, &length);
  if (length > 0)
    sse_stream_write(stream, bytes, length);
  sse_batch_free(batch);
}

struct sse_stream *orchestrator_events_subscribe(struct orchestrator_events *events, const char *last_event_id,
                                                 long gap_max, struct growth_error *err)
{
  if (last_event_id && !orchestrator_event_id_valid(last_event_id)) {
    error_set(err, ERR_BAD_ARGUMENT, "Last-Event-ID '%.64s' is not a stream id; expected <ms>-<seq>", last_event_id);
    return NULL;
  }
  bool resumed = false;
  pthread_mutex_lock(&events->lock);
  struct sse_stream *stream = sse_broadcaster_subscribe(events->broadcaster, last_event_id, &resumed, err);
  if (stream && last_event_id && !resumed)
    fill_gap(events, stream, last_event_id, gap_max);
  pthread_mutex_unlock(&events->lock);
  return stream;
}
