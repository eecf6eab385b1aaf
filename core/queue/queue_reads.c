/*
 * queue_reads.c — what BullMQ's Queue getters answer: counts by state, one job, jobs by state, a job's
 * logs; and the events stream as QueueEvents sees it (see queue.h). These are plain reads, so they need no script; the ones made of several commands
 * are pipelined into one round trip.
 */
#include "queue/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[QUEUE_STATE_COUNT] = {
  [QUEUE_STATE_WAIT] = "wait",
  [QUEUE_STATE_ACTIVE] = "active",
  [QUEUE_STATE_DELAYED] = "delayed",
  [QUEUE_STATE_PRIORITIZED] = "prioritized",
  [QUEUE_STATE_COMPLETED] = "completed",
  [QUEUE_STATE_FAILED] = "failed",
  [QUEUE_STATE_WAITING_CHILDREN] = "waiting-children",
  [QUEUE_STATE_PAUSED] = "paused",
};

const char *queue_state_name(enum queue_state state)
{
  return (int)state >= 0 && state < QUEUE_STATE_COUNT ? state_names[state] : "unknown";
}

int queue_state_parse(const char *name)
{
  if (name && strcmp(name, "waiting") == 0)
    return QUEUE_STATE_WAIT;
  for (int i = 0; name && i < QUEUE_STATE_COUNT; i++)
    if (strcmp(state_names[i], name) == 0)
      return i;
  return -1;
}

/* wait, active and paused are lists; every other state is a sorted set. */
static int state_is_list(enum queue_state state)
{
  return state == QUEUE_STATE_WAIT || state == QUEUE_STATE_ACTIVE || state == QUEUE_STATE_PAUSED;
}

static void state_key(const struct queue *queue, enum queue_state state, char *out, size_t size)
{
  snprintf(out, size, "%s%s", queue_key_prefix(queue), state_names[state]);
}

int queue_counts(struct queue *queue, struct queue_counts *out, struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  char keys[QUEUE_STATE_COUNT + 1][256];
  const char *argv[QUEUE_STATE_COUNT + 1][3];
  size_t lengths[QUEUE_STATE_COUNT + 1][3];
  const char *const *argvs[QUEUE_STATE_COUNT + 1];
  const size_t *lengthv[QUEUE_STATE_COUNT + 1];
  int argcs[QUEUE_STATE_COUNT + 1];
  redisReply *replies[QUEUE_STATE_COUNT + 1];
  for (int i = 0; i <= QUEUE_STATE_COUNT; i++) {
    if (i < QUEUE_STATE_COUNT) {
      state_key(queue, (enum queue_state)i, keys[i], sizeof keys[i]);
      argv[i][0] = state_is_list((enum queue_state)i) ? "LLEN" : "ZCARD";
      argcs[i] = 2;
    } else {
      snprintf(keys[i], sizeof keys[i], "%smeta", queue_key_prefix(queue));
      argv[i][0] = "HEXISTS";
      argv[i][2] = "paused";
      lengths[i][2] = 6;
      argcs[i] = 3;
    }
    argv[i][1] = keys[i];
    lengths[i][0] = strlen(argv[i][0]);
    lengths[i][1] = strlen(keys[i]);
    argvs[i] = argv[i];
    lengthv[i] = lengths[i];
  }
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "counting the jobs of queue %s", queue_name(queue));
  int status = redis_conn_pipeline(conn, QUEUE_STATE_COUNT + 1, argcs, argvs, lengthv, replies, err);
  redis_pool_release(queue_pool(queue), conn);
  if (status != 0)
    return error_prefix(err, "counting the jobs of queue %s", queue_name(queue));
  for (int i = 0; i <= QUEUE_STATE_COUNT; i++) {
    if (replies[i]->type == REDIS_REPLY_ERROR && status == 0)
      status = error_set(err, ERR_UPSTREAM, "counting the jobs of queue %s: %s has the wrong type (%s)",
                         queue_name(queue), keys[i], replies[i]->str);
    long value = replies[i]->type == REDIS_REPLY_INTEGER ? (long)replies[i]->integer : 0;
    if (i < QUEUE_STATE_COUNT)
      out->counts[i] = value;
    else
      out->paused = value != 0;
    freeReplyObject(replies[i]);
  }
  return status;
}

static struct queue_job *job_from_reply(const char *id, const redisReply *reply, struct growth_error *err)
{
  size_t count = reply->elements;
  const char **fields = calloc(count + 1, sizeof *fields);
  size_t *lengths = calloc(count + 1, sizeof *lengths);
  struct queue_job *job = NULL;
  if (!fields || !lengths) {
    error_set(err, ERR_NO_MEMORY, "job %s: out of memory", id);
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    fields[i] = reply->element[i]->str ? reply->element[i]->str : "";
    lengths[i] = reply->element[i]->len;
  }
  job = queue_job_from_fields(id, fields, lengths, count, err);
done:
  free(lengths);
  free(fields);
  return job;
}

struct queue_job *queue_get_job(struct queue *queue, const char *id, struct growth_error *err)
{
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return NULL;
  redisReply *reply = redis_conn_command(conn, err, "HGETALL %s%s", queue_key_prefix(queue), id);
  redis_pool_release(queue_pool(queue), conn);
  if (!reply) {
    error_prefix(err, "reading job %s of queue %s", id, queue_name(queue));
    return NULL;
  }
  struct queue_job *job = NULL;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0)
    error_set(err, ERR_NOT_FOUND, "job %s does not exist in queue %s", id, queue_name(queue));
  else
    job = job_from_reply(id, reply, err);
  freeReplyObject(reply);
  return job;
}

void queue_free_jobs(struct queue_job **jobs, size_t count)
{
  if (!jobs)
    return;
  for (size_t i = 0; i < count; i++)
    queue_job_free(jobs[i]);
  free(jobs);
}

/* The ids of one state's page, as BullMQ's getRanges orders them. */
static redisReply *range_ids(struct queue *queue, struct redis_conn *conn, enum queue_state state, long start,
                             long end, int asc, struct growth_error *err)
{
  char key[256];
  state_key(queue, state, key, sizeof key);
  if (state_is_list(state)) {
    if (!asc)
      return redis_conn_command(conn, err, "LRANGE %s %ld %ld", key, start, end);
    /* ascending = oldest first = from the tail: indexes -(end+1) .. -(start+1), then reversed */
    redisReply *reply = redis_conn_command(conn, err, "LRANGE %s %ld %ld", key, -(end + 1), -(start + 1));
    if (reply && reply->type == REDIS_REPLY_ARRAY)
      for (size_t i = 0, j = reply->elements; i + 1 < j; i++, j--) {
        redisReply *swap = reply->element[i];
        reply->element[i] = reply->element[j - 1];
        reply->element[j - 1] = swap;
      }
    return reply;
  }
  return redis_conn_command(conn, err, "%s %s %ld %ld", asc ? "ZRANGE" : "ZREVRANGE", key, start, end);
}

static int fetch_hashes(struct queue *queue, struct redis_conn *conn, const redisReply *ids,
                        struct queue_job ***jobs_out, size_t *count_out, struct growth_error *err)
{
  size_t n = ids->elements;
  int status = -1;
  char **keys = calloc(n, sizeof *keys);
  const char *(*argv)[2] = calloc(n, sizeof *argv);
  size_t (*lengths)[2] = calloc(n, sizeof *lengths);
  const char *const **argvs = calloc(n, sizeof *argvs);
  const size_t **lengthv = calloc(n, sizeof *lengthv);
  int *argcs = calloc(n, sizeof *argcs);
  redisReply **replies = calloc(n, sizeof *replies);
  struct queue_job **jobs = calloc(n, sizeof *jobs);
  size_t found = 0;
  if (!keys || !argv || !lengths || !argvs || !lengthv || !argcs || !replies || !jobs) {
    error_set(err, ERR_NO_MEMORY, "listing jobs: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    if (asprintf(&keys[i], "%s%s", queue_key_prefix(queue), ids->element[i]->str) < 0) {
      keys[i] = NULL;
      error_set(err, ERR_NO_MEMORY, "listing jobs: out of memory");
      goto done;
    }
    argv[i][0] = "HGETALL";
    argv[i][1] = keys[i];
    lengths[i][0] = 7;
    lengths[i][1] = strlen(keys[i]);
    argvs[i] = argv[i];
    lengthv[i] = lengths[i];
    argcs[i] = 2;
  }
  if (redis_conn_pipeline(conn, n, argcs, argvs, lengthv, replies, err) != 0)
    goto done;
  for (size_t i = 0; i < n; i++) {
    if (replies[i]->type != REDIS_REPLY_ARRAY || replies[i]->elements == 0)
      continue;
    jobs[found] = job_from_reply(ids->element[i]->str, replies[i], err);
    if (!jobs[found])
      goto done;
    found++;
  }
  *jobs_out = found ? jobs : NULL;
  *count_out = found;
  if (!found)
    free(jobs);
  jobs = NULL;
  status = 0;
done:
  queue_free_jobs(jobs, found);
  for (size_t i = 0; replies && keys && i < n; i++) {
    if (replies[i])
      freeReplyObject(replies[i]);
    free(keys[i]);
  }
  free(replies);
  free(argcs);
  free(lengthv);
  free(argvs);
  free(lengths);
  free(argv);
  free(keys);
  return status;
}

int queue_list_jobs(struct queue *queue, enum queue_state state, long start, long end, int asc,
                    struct queue_job ***jobs_out, size_t *count_out, struct growth_error *err)
{
  *jobs_out = NULL;
  *count_out = 0;
  if ((int)state < 0 || state >= QUEUE_STATE_COUNT || start < 0 || (end < start && end != -1))
    return error_set(err, ERR_BAD_ARGUMENT, "listing jobs: bad state or range %ld..%ld; expected 0 <= start <= end",
                     start, end);
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "listing %s jobs of queue %s", state_names[state], queue_name(queue));
  int status = -1;
  redisReply *ids = range_ids(queue, conn, state, start, end, asc, err);
  if (ids && ids->type == REDIS_REPLY_ARRAY)
    status = ids->elements ? fetch_hashes(queue, conn, ids, jobs_out, count_out, err) : 0;
  redis_pool_release(queue_pool(queue), conn);
  if (ids)
    freeReplyObject(ids);
  if (status != 0)
    error_prefix(err, "listing %s jobs of queue %s", state_names[state], queue_name(queue));
  return status;
}

int queue_job_logs(struct queue *queue, const char *id, long start, long end, char ***lines_out,
                   size_t *count_out, long *total_out, struct growth_error *err)
{
  *lines_out = NULL;
  *count_out = 0;
  *total_out = 0;
  char key[512];
  snprintf(key, sizeof key, "%s%s:logs", queue_key_prefix(queue), id);
  const char *range[4] = { "LRANGE", key, NULL, NULL };
  const char *length[2] = { "LLEN", key };
  char start_text[24], end_text[24];
  snprintf(start_text, sizeof start_text, "%ld", start);
  snprintf(end_text, sizeof end_text, "%ld", end);
  range[2] = start_text;
  range[3] = end_text;
  size_t range_lengths[4] = { 6, strlen(key), strlen(start_text), strlen(end_text) };
  size_t length_lengths[2] = { 4, strlen(key) };
  const char *const *argvs[2] = { range, length };
  const size_t *lengthv[2] = { range_lengths, length_lengths };
  int argcs[2] = { 4, 2 };
  redisReply *replies[2];
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "reading the logs of job %s", id);
  int status = redis_conn_pipeline(conn, 2, argcs, argvs, lengthv, replies, err);
  redis_pool_release(queue_pool(queue), conn);
  if (status != 0)
    return error_prefix(err, "reading the logs of job %s", id);
  char **lines = NULL;
  size_t n = replies[0]->type == REDIS_REPLY_ARRAY ? replies[0]->elements : 0;
  if (n && !(lines = calloc(n, sizeof *lines)))
    status = error_set(err, ERR_NO_MEMORY, "reading the logs of job %s: out of memory", id);
  for (size_t i = 0; status == 0 && i < n; i++)
    if (!(lines[i] = strdup(replies[0]->element[i]->str ? replies[0]->element[i]->str : "")))
      status = error_set(err, ERR_NO_MEMORY, "reading the logs of job %s: out of memory", id);
  if (status == 0) {
    *lines_out = lines;
    *count_out = n;
    *total_out = replies[1]->type == REDIS_REPLY_INTEGER ? (long)replies[1]->integer : 0;
  } else {
    queue_free_strings(lines, n);
  }
  freeReplyObject(replies[0]);
  freeReplyObject(replies[1]);
  return status;
}

/* One XRANGE/XREAD entry [id, [field, value, ...]] as {"id", field: value, ...}, or NULL when it has another
 * shape or memory runs out. */
static json_t *event_json(const redisReply *entry)
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
  return object;
}

/* The entries of an XRANGE-shaped reply (NULL: none) as a JSON array, then frees `owner`. */
static int events_of(const redisReply *entries, redisReply *owner, json_t **events_out, struct growth_error *err)
{
  json_t *list = json_array();
  for (size_t i = 0; list && entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
    json_t *event = event_json(entries->element[i]);
    if (event)
      json_array_append_new(list, event);
  }
  freeReplyObject(owner);
  if (!list)
    return error_set(err, ERR_NO_MEMORY, "reading events: out of memory");
  *events_out = list;
  return 0;
}

int queue_event_id_valid(const char *text)
{
  size_t digits = strspn(text, "0123456789");
  if (digits == 0 || digits > 20)
    return 0;
  if (text[digits] == '\0')
    return 1;
  size_t sequence = text[digits] == '-' ? strspn(text + digits + 1, "0123456789") : 0;
  return sequence > 0 && sequence <= 20 && text[digits + 1 + sequence] == '\0';
}

int queue_read_events(struct queue *queue, int newest_first, const char *after, const char *before, long limit,
                      json_t **events_out, struct growth_error *err)
{
  *events_out = NULL;
  if (limit < 1)
    return error_set(err, ERR_BAD_ARGUMENT, "reading events: limit %ld is not positive", limit);
  if ((after && !queue_event_id_valid(after)) || (before && !queue_event_id_valid(before)))
    return error_set(err, ERR_BAD_ARGUMENT, "reading events: '%.64s' is not a stream id; expected <ms>-<seq>",
                     after && !queue_event_id_valid(after) ? after : before);
  char key[300], low[48], high[48];
  snprintf(key, sizeof key, "%sevents", queue_key_prefix(queue));
  snprintf(low, sizeof low, "%s%s", after ? "(" : "", after ? after : "-");
  snprintf(high, sizeof high, "%s%s", before ? "(" : "", before ? before : "+");
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "reading the events of queue %s", queue_name(queue));
  redisReply *reply = newest_first ? redis_conn_command(conn, err, "XREVRANGE %s %s %s COUNT %ld", key, high, low, limit)
                                   : redis_conn_command(conn, err, "XRANGE %s %s %s COUNT %ld", key, low, high, limit);
  redis_pool_release(queue_pool(queue), conn);
  if (!reply)
    return error_prefix(err, "reading the events of queue %s", queue_name(queue));
  return events_of(reply, reply, events_out, err);
}

int queue_wait_events(struct queue *queue, struct redis_conn *conn, const char *after, long limit, long block_ms,
                      json_t **events_out, struct growth_error *err)
{
  *events_out = NULL;
  if (limit < 1 || block_ms < 0)
    return error_set(err, ERR_BAD_ARGUMENT, "waiting for events: limit %ld or wait %ld ms is not positive", limit,
                     block_ms);
  if (strcmp(after, "$") != 0 && !queue_event_id_valid(after))
    return error_set(err, ERR_BAD_ARGUMENT, "waiting for events: '%.64s' is not a stream id; expected <ms>-<seq>",
                     after);
  char key[300];
  snprintf(key, sizeof key, "%sevents", queue_key_prefix(queue));
  redisReply *reply = redis_conn_command(conn, err, "XREAD COUNT %ld BLOCK %ld STREAMS %s %s", limit, block_ms, key,
                                         after);
  if (!reply)
    return error_prefix(err, "waiting for the events of queue %s", queue_name(queue));
  /* [[key, [entries...]]], or nil when the wait ended with nothing */
  const redisReply *entries = reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
                                      reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 2
                                  ? reply->element[0]->element[1]
                                  : NULL;
  return events_of(entries, reply, events_out, err);
}
