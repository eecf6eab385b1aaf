/*
 * redis_pool.c — connections, timeouts and reconnects (see redis_pool.h).
 *
 * The pool is an array of slots guarded by one mutex and a condition
 * variable. A slot's context is NULL until first use and again after an I/O
 * error; hiredis marks such a context with ctx->err, and it cannot be reused.
 */
#include "redis/redis_pool.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

struct redis_conn {
  redisContext *ctx;
  int used;      /* a command has succeeded on ctx: a later I/O error may be a stale socket */
  int busy;
  long timeout_ms;          /* 0: the pool's command timeout */
  struct redis_pool *pool;
};

struct redis_pool {
  struct redis_pool_options options;
  pthread_mutex_t lock;
  pthread_cond_t available;
  struct redis_conn *conns;
};

static struct timeval to_timeval(long ms)
{
  struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
  return tv;
}

struct redis_pool *redis_pool_new(const struct redis_pool_options *options, struct growth_error *err)
{
  struct redis_pool *pool = calloc(1, sizeof *pool);
  if (!pool)
    goto fail_pool;
  pool->options = *options;
  if (pool->options.size == 0)
    pool->options.size = 1;
  pool->conns = calloc(pool->options.size, sizeof *pool->conns);
  if (!pool->conns)
    goto fail_conns;
  for (size_t i = 0; i < pool->options.size; i++)
    pool->conns[i].pool = pool;
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->available, NULL);
  return pool;

fail_conns:
  free(pool);
fail_pool:
  error_set(err, ERR_NO_MEMORY, "redis pool: out of memory");
  return NULL;
}

void redis_pool_free(struct redis_pool *pool)
{
  if (!pool)
    return;
  for (size_t i = 0; i < pool->options.size; i++)
    if (pool->conns[i].ctx)
      redisFree(pool->conns[i].ctx);
  pthread_cond_destroy(&pool->available);
  pthread_mutex_destroy(&pool->lock);
  free(pool->conns);
  free(pool);
}

static void drop_context(struct redis_conn *conn)
{
  if (conn->ctx) {
    redisFree(conn->ctx);
    conn->ctx = NULL;
  }
}

static int describe_target(const struct redis_pool *pool, char *out, size_t size)
{
  redis_url_describe(&pool->options.url, out, size);
  return 0;
}

/* Runs AUTH and SELECT on a fresh context; the password never reaches an error message. */
static int prepare_context(struct redis_conn *conn, struct growth_error *err)
{
  const struct redis_url *url = &conn->pool->options.url;
  redisReply *reply = NULL;
  if (url->password[0]) {
    reply = url->username[0] ? redis_conn_command(conn, err, "AUTH %s %s", url->username, url->password)
                             : redis_conn_command(conn, err, "AUTH %s", url->password);
    if (!reply)
      return error_prefix(err, "redis AUTH");
    freeReplyObject(reply);
  }
  if (url->db != 0) {
    reply = redis_conn_command(conn, err, "SELECT %d", url->db);
    if (!reply)
      return error_prefix(err, "redis SELECT %d", url->db);
    freeReplyObject(reply);
  }
  return 0;
}

static int connect_context(struct redis_conn *conn, struct growth_error *err)
{
  const struct redis_pool_options *options = &conn->pool->options;
  char target[300];
  describe_target(conn->pool, target, sizeof target);
  redisContext *ctx = redisConnectWithTimeout(options->url.host, options->url.port,
                                              to_timeval(options->connect_timeout_ms));
  if (!ctx)
    return error_set(err, ERR_NO_MEMORY, "redis %s: out of memory", target);
  if (ctx->err) {
    error_set(err, ERR_UNAVAILABLE, "redis %s: cannot connect (%s)", target, ctx->errstr);
    redisFree(ctx);
    return -1;
  }
  long timeout_ms = conn->timeout_ms > 0 ? conn->timeout_ms : options->command_timeout_ms;
  if (redisSetTimeout(ctx, to_timeval(timeout_ms)) != REDIS_OK) {
    error_set(err, ERR_UNAVAILABLE, "redis %s: cannot set the command timeout", target);
    redisFree(ctx);
    return -1;
  }
  conn->ctx = ctx;
  conn->used = 0;
  if (prepare_context(conn, err) != 0) {
    drop_context(conn);
    return -1;
  }
  return 0;
}

struct redis_conn *redis_pool_acquire(struct redis_pool *pool, struct growth_error *err)
{
  struct redis_conn *conn = NULL;
  pthread_mutex_lock(&pool->lock);
  while (!conn) {
    for (size_t i = 0; i < pool->options.size && !conn; i++)
      if (!pool->conns[i].busy)
        conn = &pool->conns[i];
    if (!conn)
      pthread_cond_wait(&pool->available, &pool->lock);
  }
  conn->busy = 1;
  pthread_mutex_unlock(&pool->lock);
  if (!conn->ctx && connect_context(conn, err) != 0) {
    redis_pool_release(pool, conn);
    return NULL;
  }
  return conn;
}

void redis_pool_release(struct redis_pool *pool, struct redis_conn *conn)
{
  if (!conn)
    return;
  pthread_mutex_lock(&pool->lock);
  conn->busy = 0;
  pthread_cond_signal(&pool->available);
  pthread_mutex_unlock(&pool->lock);
}

static redisReply *check_reply(struct redis_conn *conn, redisReply *reply, struct growth_error *err)
{
  if (!reply) {
    char target[300];
    describe_target(conn->pool, target, sizeof target);
    int timed_out = conn->ctx->err == REDIS_ERR_IO && strstr(conn->ctx->errstr, "temporarily unavailable");
    error_set(err, timed_out ? ERR_TIMEOUT : ERR_UNAVAILABLE, "redis %s: %s", target,
              timed_out ? "command timed out" : conn->ctx->errstr);
    drop_context(conn);
    return NULL;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    error_set(err, ERR_UPSTREAM, "redis replied: %.*s", (int)reply->len, reply->str);
    freeReplyObject(reply);
    return NULL;
  }
  conn->used = 1;
  return reply;
}

redisReply *redis_conn_command(struct redis_conn *conn, struct growth_error *err, const char *format, ...)
{
  if (!conn->ctx && connect_context(conn, err) != 0)
    return NULL;
  va_list ap;
  va_start(ap, format);
  redisReply *reply = redisvCommand(conn->ctx, format, ap);
  va_end(ap);
  return check_reply(conn, reply, err);
}

redisReply *redis_conn_command_argv(struct redis_conn *conn, int argc, const char **argv, const size_t *lengths,
                                    struct growth_error *err)
{
  if (!conn->ctx && connect_context(conn, err) != 0)
    return NULL;
  redisReply *reply = redisCommandArgv(conn->ctx, argc, argv, lengths);
  return check_reply(conn, reply, err);
}

/* A PING is safe to repeat, so one that fails on a connection made before a Redis restart is tried
 * once more on a fresh connection: a health check then reports the Redis of now, not a stale socket. */
int redis_conn_ensure(struct redis_conn *conn, struct growth_error *err)
{
  if (!conn->ctx)
    return connect_context(conn, err);
  return 0;
}

int redis_conn_pipeline(struct redis_conn *conn, size_t count, const int *argcs, const char *const *const *argvs,
                        const size_t *const *lengths, redisReply **replies, struct growth_error *err)
{
  for (size_t i = 0; i < count; i++)
    replies[i] = NULL;
  if (!conn->ctx && connect_context(conn, err) != 0)
    return -1;
  for (size_t i = 0; i < count; i++) {
    if (redisAppendCommandArgv(conn->ctx, argcs[i], (const char **)argvs[i], lengths[i]) != REDIS_OK) {
      drop_context(conn);
      return error_set(err, ERR_NO_MEMORY, "redis pipeline: cannot queue command %zu of %zu", i + 1, count);
    }
  }
  for (size_t i = 0; i < count; i++) {
    void *reply = NULL;
    if (redisGetReply(conn->ctx, &reply) != REDIS_OK || !reply) {
      check_reply(conn, NULL, err);
      for (size_t j = 0; j < i; j++) {
        freeReplyObject(replies[j]);
        replies[j] = NULL;
      }
      return -1;
    }
    replies[i] = reply;
  }
  return 0;
}

struct redis_conn *redis_conn_new_dedicated(struct redis_pool *pool, struct growth_error *err)
{
  struct redis_conn *conn = calloc(1, sizeof *conn);
  if (!conn) {
    error_set(err, ERR_NO_MEMORY, "redis: out of memory for a dedicated connection");
    return NULL;
  }
  conn->pool = pool;
  conn->busy = 1;
  return conn;
}

void redis_conn_free_dedicated(struct redis_conn *conn)
{
  if (!conn)
    return;
  drop_context(conn);
  free(conn);
}

int redis_conn_set_timeout(struct redis_conn *conn, long timeout_ms, struct growth_error *err)
{
  conn->timeout_ms = timeout_ms;
  if (conn->ctx && redisSetTimeout(conn->ctx, to_timeval(timeout_ms)) != REDIS_OK) {
    drop_context(conn);
    return error_set(err, ERR_UNAVAILABLE, "redis: cannot set a command timeout of %ld ms", timeout_ms);
  }
  return 0;
}

double redis_pool_ping_ms(struct redis_pool *pool, struct growth_error *err)
{
  struct redis_conn *conn = redis_pool_acquire(pool, err);
  if (!conn)
    return -1;
  double started = 0;
  redisReply *reply = NULL;
  for (int attempt = 0; attempt < 2 && !reply; attempt++) {
    int reused = conn->ctx != NULL && conn->used;
    started = clock_monotonic_ms_precise();
    reply = redis_conn_command(conn, err, "PING");
    if (!reply && (!reused || err->code != ERR_UNAVAILABLE))
      break;
  }
  double elapsed = clock_monotonic_ms_precise() - started;
  redis_pool_release(pool, conn);
  if (!reply)
    return -1;
  freeReplyObject(reply);
  return elapsed;
}
