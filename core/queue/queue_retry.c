/*
 * queue_retry.c — retrying a failed job (see queue_retry.h).
 *
 * One Lua script, run with EVAL (a retry is rare, so the script is not cached
 * by SHA): the job must be in the failed set; it leaves it, its finishedOn,
 * processedOn, failedReason, stacktrace and returnvalue go, attemptsMade and
 * attemptsStarted (ats) start again from zero, and it joins wait the way
 * BullMQ's reprocessJob does (prioritized when it has a priority, the marker
 * set unless the queue is paused), with the same "waiting" event BullMQ emits.
 */
#include "queue/queue_retry.h"

#include <string.h>

#include "queue/queue_script_common.h"

static const char retry_script[] = SCRIPT_COMMON
  "local id = ARGV[1]\n"
  "local jobKey = P .. id\n"
  "if rcall(\"EXISTS\", jobKey) == 0 then return -1 end\n"
  "if rcall(\"ZREM\", P .. \"failed\", id) == 0 then return -3 end\n"
  "rcall(\"HDEL\", jobKey, \"finishedOn\", \"processedOn\", \"failedReason\", \"stacktrace\", \"returnvalue\", \"defa\")\n"
  "rcall(\"HSET\", jobKey, \"atm\", 0, \"ats\", 0)\n"
  "local priority = tonumber(rcall(\"HGET\", jobKey, \"priority\")) or 0\n"
  "pushReady(id, priority, false, pausedOrMaxed())\n"
  "rcall(\"XADD\", P .. \"events\", \"MAXLEN\", \"~\", maxEvents(), \"*\", \"event\", \"waiting\", \"jobId\", id, \"prev\", \"failed\")\n"
  "return 0\n";

int queue_retry_job(struct queue *queue, const char *id, struct growth_error *err)
{
  struct redis_conn *conn = redis_pool_acquire(queue_pool(queue), err);
  if (!conn)
    return error_prefix(err, "retrying job %s", id);
  const char *argv[5] = { "EVAL", retry_script, "1", queue_key_prefix(queue), id };
  size_t lengths[5] = { 4, strlen(retry_script), 1, strlen(queue_key_prefix(queue)), strlen(id) };
  redisReply *reply = redis_conn_command_argv(conn, 5, argv, lengths, err);
  redis_pool_release(queue_pool(queue), conn);
  if (!reply)
    return error_prefix(err, "retrying job %s", id);
  long long code = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -99;
  freeReplyObject(reply);
  if (code == -1)
    return error_set(err, ERR_NOT_FOUND, "no job %s in queue %s", id, queue_name(queue));
  if (code == -3)
    return error_set(err, ERR_CONFLICT, "job %s is not failed; only a failed job can be retried", id);
  if (code != 0)
    return error_set(err, ERR_UPSTREAM, "retrying job %s: unexpected answer from Redis", id);
  return 0;
}
