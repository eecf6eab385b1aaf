/*
 * orchestrator_events.c — one reader of the queue's event stream per process, fanned out to SSE clients
 * (see orchestrator_events.h).
 *
 * The reader thread loops on XREAD BLOCK 1000 from the last id it saw (the stream's end, "$", until it has
 * seen one), so stopping takes at most a second and a Redis outage costs one log line and a retry every
 * half second. After a read that returned events it waits READ_BATCH_MS before the next, so a busy queue's
 * events reach the clients in batches: each client's connection is woken a few times a second instead of
 * once per event, which is what keeps many clients from costing the workers CPU (bench/api). It publishes each entry under `lock`; a client that resumes from an id the broadcaster no
 * longer remembers is subscribed under the same lock, and the events between its id and the reader's last
 * one are read from Redis and written to its stream before the lock is let go, so the reader's next
 * publish comes right after them: no gap, no repeat.
 */
#include "http/orchestrator_events.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

#define READ_BLOCK_MS 1000
#define READ_COUNT 1000
#define READ_BATCH_MS 50
#define RETRY_PAUSE_MS 500

struct orchestrator_events {
  struct queue *queue;
  struct sse_broadcaster *broadcaster;
  struct redis_conn *conn;          /* the reader's own connection */
  char key[300];                    /* bull:<queue>:events */
  pthread_mutex_t lock;             /* held while publishing and while a client resumes */
  char last_id[ORCHESTRATOR_EVENT_ID_MAX];   /* "$" until the first entry is seen */
  pthread_t thread;
  atomic_int stopping;
};

int orchestrator_event_id_valid(const char *text)
{
  size_t digits = strspn(text, "0123456789");
  if (digits == 0 || digits > 20)
    return 0;
  if (text[digits] == '\0')
    return 1;
  if (text[digits] != '-')
    return 0;
  size_t sequence = strspn(text + digits + 1, "0123456789");
  return sequence > 0 && sequence <= 20 && text[digits + 1 + sequence] == '\0';
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

/* One XRANGE/XREAD entry [id, [field, value, ...]] as an event object, or NULL. */
static json_t *entry_json(const redisReply *entry)
{
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING ||
      entry->element[1]->type != REDIS_REPLY_ARRAY)
    return NULL;
  json_t *object = json_object();
  if (!object)
    return NULL;
  json_object_set_new(object, "id", json_string(entry->element[0]->str));
  const redisReply *fields = entry->element[1];
  for (size_t i = 0; i + 1 < fields->elements; i += 2) {
    if (fields->element[i]->type != REDIS_REPLY_STRING || fields->element[i + 1]->type != REDIS_REPLY_STRING)
      continue;
    json_t *value = json_stringn(fields->element[i + 1]->str, fields->element[i + 1]->len);
    json_object_set_new(object, fields->element[i]->str, value ? value : json_null());
  }
  const char *job_id = json_string_value(json_object_get(object, "jobId"));
  if (job_id) {
    char agent[72];
    orchestrator_agent_of_job(job_id, agent, sizeof agent);
    if (agent[0])
      json_object_set_new(object, "agent", json_string(agent));
  }
  const char *type = json_string_value(json_object_get(object, "event"));
  if (type && strcmp(type, "progress") == 0)
    add_progress(object);
  return object;
}

int orchestrator_events_read(struct queue *queue, const char *before, const char *since, long count,
                             json_t **events_out, struct growth_error *err)
{
  *events_out = NULL;
  char key[300], end[ORCHESTRATOR_EVENT_ID_MAX + 2], start[ORCHESTRATOR_EVENT_ID_MAX + 2];
  snprintf(key, sizeof key, "%sevents", queue_key_prefix(queue));
  snprintf(end, sizeof end, "%s%s", before ? "(" : "", before ? before : "+");
  snprintf(start, sizeof start, "%s%s", since ? "(" : "", since ? since : "-");
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "reading the events of queue %s", queue_name(queue));
  redisReply *reply = redis_conn_command(conn, err, "XREVRANGE %s %s %s COUNT %ld", key, end, start, count);
  redis_pool_release(queue_pool(queue), conn);
  if (!reply)
    return error_prefix(err, "reading the events of queue %s", queue_name(queue));
  json_t *list = json_array();
  for (size_t i = 0; list && reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
    json_t *event = entry_json(reply->element[i]);
    if (event)
      json_array_append_new(list, event);
  }
  freeReplyObject(reply);
  if (!list)
    return error_set(err, ERR_NO_MEMORY, "reading events: out of memory");
  *events_out = list;
  return 0;
}

/* Frames event for a stream; the caller frees *frame. -1 when it cannot. */
static int frame_of(json_t *event, char **frame, size_t *length)
{
  struct growth_error err = { 0 };
  char *data = json_dumps(event, JSON_COMPACT);
  if (!data)
    return -1;
  int status = sse_format_event(json_string_value(json_object_get(event, "id")),
                                json_string_value(json_object_get(event, "event")), data, strlen(data), frame,
                                length, &err);
  free(data);
  return status;
}

/* Under lock: publishes the entries of one XREAD answer and remembers the last id. */
static void publish_entries(struct orchestrator_events *events, const redisReply *entries)
{
  for (size_t i = 0; i < entries->elements; i++) {
    json_t *event = entry_json(entries->element[i]);
    if (!event)
      continue;
    const char *id = json_string_value(json_object_get(event, "id"));
    char *data = json_dumps(event, JSON_COMPACT);
    struct growth_error err = { 0 };
    if (data && sse_broadcaster_publish(events->broadcaster, id, json_string_value(json_object_get(event, "event")),
                                        data, strlen(data), &err) != 0)
      log_warn("Orchestrator", "event %s not published: %s", id, err.message);
    if (id)
      snprintf(events->last_id, sizeof events->last_id, "%s", id);
    free(data);
    json_decref(event);
  }
}

static void pause_ms(long ms)
{
  struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&delay, NULL);
}

/* Replaces "$" with the stream's newest id ("0-0" when it is empty), so no event falls between two
 * XREADs; 0 when last_id is concrete. */
static int resolve_start(struct orchestrator_events *events, struct growth_error *err)
{
  if (strcmp(events->last_id, "$") != 0)
    return 0;
  redisReply *reply = redis_conn_command(events->conn, err, "XREVRANGE %s + - COUNT 1", events->key);
  if (!reply)
    return -1;
  const char *id = "0-0";
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 && reply->element[0]->type == REDIS_REPLY_ARRAY &&
      reply->element[0]->elements == 2 && reply->element[0]->element[0]->type == REDIS_REPLY_STRING)
    id = reply->element[0]->element[0]->str;
  pthread_mutex_lock(&events->lock);
  snprintf(events->last_id, sizeof events->last_id, "%s", id);
  pthread_mutex_unlock(&events->lock);
  freeReplyObject(reply);
  return 0;
}

static void *reader_main(void *arg)
{
  struct orchestrator_events *events = arg;
  int failing = 0;
  while (!atomic_load(&events->stopping)) {
    struct growth_error err = { 0 };
    char last[ORCHESTRATOR_EVENT_ID_MAX];
    redisReply *reply = NULL;
    if (resolve_start(events, &err) == 0) {
      pthread_mutex_lock(&events->lock);
      snprintf(last, sizeof last, "%s", events->last_id);
      pthread_mutex_unlock(&events->lock);
      reply = redis_conn_command(events->conn, &err, "XREAD COUNT %d BLOCK %d STREAMS %s %s", READ_COUNT,
                                           READ_BLOCK_MS, events->key, last);
    }
    if (!reply) {
      if (!failing)
        log_warn("Orchestrator", "event reader: %s; retrying", err.message);
      failing = 1;
      pause_ms(RETRY_PAUSE_MS);
      continue;
    }
    if (failing)
      log_info("Orchestrator", "event reader: reading the events stream again");
    failing = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 && reply->element[0]->type == REDIS_REPLY_ARRAY &&
        reply->element[0]->elements == 2 && reply->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
      pthread_mutex_lock(&events->lock);
      publish_entries(events, reply->element[0]->element[1]);
      pthread_mutex_unlock(&events->lock);
      freeReplyObject(reply);
      pause_ms(READ_BATCH_MS);
      continue;
    }
    freeReplyObject(reply);
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
  snprintf(events->key, sizeof events->key, "%sevents", queue_key_prefix(queue));
  snprintf(events->last_id, sizeof events->last_id, "$");
  pthread_mutex_init(&events->lock, NULL);
  events->conn = redis_conn_new_dedicated(queue_pool(queue), err);
  if (!events->conn)
    goto fail;
  if (redis_conn_set_timeout(events->conn, READ_BLOCK_MS + 2000, err) != 0)
    goto fail;
  if (pthread_create(&events->thread, NULL, reader_main, events) != 0) {
    error_set(err, ERR_INTERNAL, "event reader: cannot start its thread");
    goto fail;
  }
  return events;
fail:
  redis_conn_free_dedicated(events->conn);
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
  pthread_mutex_destroy(&events->lock);
  free(events);
}

/* Under lock: writes the events after `after` up to the reader's last id into stream. */
static void fill_gap(struct orchestrator_events *events, struct sse_stream *stream, const char *after, long gap_max)
{
  if (strcmp(events->last_id, "$") == 0 || compare_ids(after, events->last_id) >= 0)
    return;
  struct growth_error err = { 0 };
  char key[300], start[ORCHESTRATOR_EVENT_ID_MAX + 2];
  snprintf(key, sizeof key, "%s", events->key);
  snprintf(start, sizeof start, "(%s", after);
  struct redis_conn *conn = redis_pool_acquire(queue_pool(events->queue), &err);
  redisReply *reply = conn ? redis_conn_command(conn, &err, "XRANGE %s %s %s COUNT %ld", key, start, events->last_id,
                                                gap_max)
                           : NULL;
  if (conn)
    redis_pool_release(queue_pool(events->queue), conn);
  if (!reply) {
    log_warn("Orchestrator", "resuming an event stream after %s: %s", after, err.message);
    return;
  }
  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
    json_t *event = entry_json(reply->element[i]);
    char *frame = NULL;
    size_t length = 0;
    if (event && frame_of(event, &frame, &length) == 0)
      sse_stream_write(stream, frame, length);
    free(frame);
    json_decref(event);
  }
  freeReplyObject(reply);
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
