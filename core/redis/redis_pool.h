/*
 * redis_pool.h — a fixed set of Redis connections shared by threads.
 *
 * Each connection is made lazily, with a connect timeout, AUTH and SELECT from
 * REDIS_URL, and every command has a timeout; so a dead or stopped Redis gives
 * an error after a bounded time instead of a hang. A connection whose command
 * failed at the I/O level is dropped; the next caller makes a fresh one, which
 * is how growthd recovers by itself when Redis comes back.
 */
#ifndef GROWTH_REDIS_POOL_H
#define GROWTH_REDIS_POOL_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#include "base/error.h"
#include "base/redis_url.h"

struct redis_pool_options {
  struct redis_url url;
  size_t size;               /* connections in the pool */
  long connect_timeout_ms;
  long command_timeout_ms;
};

struct redis_pool;
struct redis_conn;

struct redis_pool *redis_pool_new(const struct redis_pool_options *options, struct growth_error *err);
void redis_pool_free(struct redis_pool *pool);

/* Takes a connected connection (waits while all are busy). NULL with err when Redis cannot be reached. */
struct redis_conn *redis_pool_acquire(struct redis_pool *pool, struct growth_error *err);
void redis_pool_release(struct redis_pool *pool, struct redis_conn *conn);

/* Runs one command. Returns the reply (caller frees with freeReplyObject) or NULL with err;
 * a Redis error reply is returned as NULL with ERR_UPSTREAM and the server's message. */
redisReply *redis_conn_command(struct redis_conn *conn, struct growth_error *err, const char *format, ...);
redisReply *redis_conn_command_argv(struct redis_conn *conn, int argc, const char **argv, const size_t *lengths,
                                    struct growth_error *err);

/* Pipelining: sends count commands in one write, then reads count replies in order. replies[i] is set for
 * every command (a Redis error reply is kept as a REDIS_REPLY_ERROR object, for the caller to judge); the
 * caller frees each with freeReplyObject. -1 with err (and every replies[i] NULL) on an I/O failure. */
int redis_conn_pipeline(struct redis_conn *conn, size_t count, const int *argcs, const char *const *const *argvs,
                        const size_t *const *lengths, redisReply **replies, struct growth_error *err);

/* A connection of its own, outside the pool, with the pool's address and credentials: for a worker's
 * blocking BZPOPMIN, which must not hold a pooled slot. Connects lazily like pooled ones. */
struct redis_conn *redis_conn_new_dedicated(struct redis_pool *pool, struct growth_error *err);
void redis_conn_free_dedicated(struct redis_conn *conn);

/* Changes the command timeout of this connection (a blocking command needs more than the default). */
int redis_conn_set_timeout(struct redis_conn *conn, long timeout_ms, struct growth_error *err);

/* Makes sure the connection is up (connecting when needed); 0 or -1 with err. */
int redis_conn_ensure(struct redis_conn *conn, struct growth_error *err);

/* Round-trip time of a PING in milliseconds, or -1 with err. */
double redis_pool_ping_ms(struct redis_pool *pool, struct growth_error *err);

#endif
