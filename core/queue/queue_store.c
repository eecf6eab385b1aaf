/*
 * queue_store.c — the per-owner key/value store beside the queue (see queue.h).
 *
 * One Redis hash per owner under the queue's prefix, so it moves with the queue (a second growthd on
 * another queue name does not see it) and costs one command per read. The owner and key are checked
 * here so that nothing a script passes can reach another key of the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue.h"
#include "queue/queue_scripts.h"

static int check_names(const char *owner, const char *key, struct growth_error *err)
{
  if (!owner || !*owner || strlen(owner) > 200)
    return error_set(err, ERR_BAD_ARGUMENT, "store: the owner must be 1 to 200 characters");
  if (!key || !*key || strlen(key) > 200)
    return error_set(err, ERR_BAD_ARGUMENT, "store: the key must be 1 to 200 characters");
  return 0;
}

/* Runs "<verb> <prefix>store:<owner> <key>" (HGET or HDEL) on a pooled connection; the reply or NULL with err. */
static redisReply *store_command(struct queue *queue, const char *verb, const char *owner, const char *key,
                                struct growth_error *err)
{
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return NULL;
  char store[512];
  snprintf(store, sizeof store, "%sstore:%s", queue_key_prefix(queue), owner);
  const char *argv[3] = { verb, store, key };
  size_t lengths[3] = { strlen(verb), strlen(store), strlen(key) };
  redisReply *reply = redis_conn_command_argv(conn, 3, argv, lengths, err);
  redis_pool_release(queue_pool(queue), conn);
  return reply;
}

int queue_store_get(struct queue *queue, const char *owner, const char *key, char **value_out,
                    struct growth_error *err)
{
  *value_out = NULL;
  if (check_names(owner, key, err) != 0)
    return -1;
  redisReply *reply = store_command(queue, "HGET", owner, key, err);
  if (!reply)
    return error_prefix(err, "store: reading '%s'", key);
  int status = 0;
  if (reply->type == REDIS_REPLY_STRING && !(*value_out = strndup(reply->str, reply->len)))
    status = error_set(err, ERR_NO_MEMORY, "store: out of memory reading '%s'", key);
  freeReplyObject(reply);
  return status;
}

int queue_store_set(struct queue *queue, const char *owner, const char *key, const char *value,
                    struct growth_error *err)
{
  if (check_names(owner, key, err) != 0)
    return -1;
  size_t length = value ? strlen(value) : 0;
  if (length > QUEUE_STORE_VALUE_MAX)
    return error_set(err, ERR_TOO_LARGE, "store: the value of '%s' is %zu bytes; expected at most %d", key, length,
                     QUEUE_STORE_VALUE_MAX);
  struct queue_args args;
  queue_args_init(&args);
  queue_args_add_text(&args, owner);
  queue_args_add_text(&args, key);
  queue_args_add_text(&args, value);
  queue_args_add_long(&args, QUEUE_STORE_KEYS_MAX);
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  redisReply *reply = conn ? queue_script_run(conn, QUEUE_SCRIPT_STORE_SET, queue_key_prefix(queue), &args, err) : NULL;
  redis_pool_release(queue_pool(queue), conn);
  queue_args_free(&args);
  if (!reply)
    return error_prefix(err, "store: writing '%s'", key);
  long long result = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
  freeReplyObject(reply);
  if (result < 0)
    return error_set(err, ERR_TOO_LARGE, "store: '%s' would be key %d of this owner; expected at most %d", key,
                     QUEUE_STORE_KEYS_MAX + 1, QUEUE_STORE_KEYS_MAX);
  return 0;
}

int queue_store_delete(struct queue *queue, const char *owner, const char *key, struct growth_error *err)
{
  if (check_names(owner, key, err) != 0)
    return -1;
  redisReply *reply = store_command(queue, "HDEL", owner, key, err);
  if (!reply)
    return error_prefix(err, "store: deleting '%s'", key);
  freeReplyObject(reply);
  return 0;
}
