/*
 * rate_limit.c — GCRA over Redis, with an in-process twin (see rate_limit.h).
 *
 * For a limit of N calls per period P the emission interval is T = P/N. The
 * key holds TAT, the time at which the budget would be fully used again. A call
 * at `now` may pass when max(TAT, now) + T - P <= now; it then stores
 * max(TAT, now) + T with an expiry at that time (an idle limit leaves no key).
 * Times are microseconds from Redis's TIME, stored as integer strings so no
 * precision is lost in Lua's doubles (2^53 us is 285 years).
 *
 * The script answers {0} when it took the slots, or {wait_us, index} naming the
 * first limit that is full and how long until it has a slot.
 */
#include "net/rate_limit.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"

#define MAX_LIMITS 8
#define LOCAL_SLOTS 32

static const char gcra_script[] =
  "local t = redis.call('TIME')\n"
  "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
  "local tats = {}\n"
  "for i, key in ipairs(KEYS) do\n"
  "  local interval = tonumber(ARGV[2 * i - 1])\n"
  "  local period = tonumber(ARGV[2 * i])\n"
  "  local tat = tonumber(redis.call('GET', key) or '0')\n"
  "  if tat < now then tat = now end\n"
  "  local allow_at = tat + interval - period\n"
  "  if allow_at > now then return {math.floor(allow_at - now) + 1, i} end\n"
  "  tats[i] = tat + interval\n"
  "end\n"
  "for i, key in ipairs(KEYS) do\n"
  "  redis.call('SET', key, string.format('%.0f', tats[i]), 'PX', math.floor((tats[i] - now) / 1000) + 1)\n"
  "end\n"
  "return {0}\n";

struct local_slot {
  char name[256];
  double tat_us;
};

struct rate_limiter {
  struct redis_pool *pool;
  char prefix[64];
  long wait_max_ms;
  char sha[2 * SHA_DIGEST_LENGTH + 1];
  pthread_mutex_t lock;              /* guards slots */
  struct local_slot slots[LOCAL_SLOTS];
};

struct rate_limiter *rate_limiter_new(struct redis_pool *pool, const char *prefix, long wait_max_ms,
                                      struct growth_error *err)
{
  struct rate_limiter *limiter = calloc(1, sizeof *limiter);
  if (!limiter) {
    error_set(err, ERR_NO_MEMORY, "rate limiter: out of memory");
    return NULL;
  }
  limiter->pool = pool;
  snprintf(limiter->prefix, sizeof limiter->prefix, "%s", prefix ? prefix : "growth:rate:");
  limiter->wait_max_ms = wait_max_ms < 0 ? 0 : wait_max_ms;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char *)gcra_script, strlen(gcra_script), digest);
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
    snprintf(limiter->sha + 2 * i, 3, "%02x", digest[i]);
  pthread_mutex_init(&limiter->lock, NULL);
  return limiter;
}

void rate_limiter_free(struct rate_limiter *limiter)
{
  if (!limiter)
    return;
  pthread_mutex_destroy(&limiter->lock);
  free(limiter);
}

/* Runs the script; *wait_us 0 when the slots were taken, else the wait and *full the limit's index. */
static int check_redis(struct rate_limiter *limiter, const struct rate_limit **limits, size_t count, long long *wait_us,
                       size_t *full, struct growth_error *err)
{
  char keys[MAX_LIMITS][256], numbers[MAX_LIMITS * 2][32], key_count[16];
  const char *argv[3 + MAX_LIMITS * 3];
  size_t lengths[3 + MAX_LIMITS * 3];
  int argc = 0;
  argv[argc++] = "EVALSHA";
  argv[argc++] = limiter->sha;
  snprintf(key_count, sizeof key_count, "%zu", count);
  argv[argc++] = key_count;
  for (size_t i = 0; i < count; i++) {
    snprintf(keys[i], sizeof keys[i], "%s%s", limiter->prefix, limits[i]->name);
    argv[argc++] = keys[i];
  }
  for (size_t i = 0; i < count; i++) {
    long long period_us = (long long)limits[i]->period_ms * 1000;
    snprintf(numbers[2 * i], sizeof numbers[0], "%lld", period_us / limits[i]->count);
    snprintf(numbers[2 * i + 1], sizeof numbers[0], "%lld", period_us);
    argv[argc++] = numbers[2 * i];
    argv[argc++] = numbers[2 * i + 1];
  }
  for (int i = 0; i < argc; i++)
    lengths[i] = strlen(argv[i]);
  struct redis_conn *conn = redis_pool_acquire(limiter->pool, err);
  if (!conn)
    return error_prefix(err, "rate limit %s", limits[0]->name);
  redisReply *reply = redis_conn_command_argv(conn, argc, argv, lengths, err);
  if (!reply && err->code == ERR_UPSTREAM && strstr(err->message, "NOSCRIPT")) {
    argv[0] = "EVAL";
    argv[1] = gcra_script;
    lengths[0] = 4;
    lengths[1] = strlen(gcra_script);
    reply = redis_conn_command_argv(conn, argc, argv, lengths, err);
  }
  redis_pool_release(limiter->pool, conn);
  if (!reply)
    return error_prefix(err, "rate limit %s", limits[0]->name);
  int result = 0;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->element[0]->type != REDIS_REPLY_INTEGER) {
    result = error_set(err, ERR_INTERNAL, "rate limit %s: unexpected reply from the Redis script", limits[0]->name);
  } else {
    *wait_us = reply->element[0]->integer;
    *full = (*wait_us > 0 && reply->elements > 1) ? (size_t)(reply->element[1]->integer - 1) : 0;
    if (*full >= count)
      *full = 0;
  }
  freeReplyObject(reply);
  return result;
}

static struct local_slot *local_slot(struct rate_limiter *limiter, const char *name)
{
  struct local_slot *empty = NULL;
  for (int i = 0; i < LOCAL_SLOTS; i++) {
    if (strcmp(limiter->slots[i].name, name) == 0)
      return &limiter->slots[i];
    if (!empty && !limiter->slots[i].name[0])
      empty = &limiter->slots[i];
  }
  if (empty)
    snprintf(empty->name, sizeof empty->name, "%s", name);
  return empty;
}

/* The same arithmetic as the script, on the monotonic clock, under the limiter's lock. */
static int check_local(struct rate_limiter *limiter, const struct rate_limit **limits, size_t count,
                       long long *wait_us, size_t *full, struct growth_error *err)
{
  double now = clock_monotonic_ms_precise() * 1000.0;
  double tats[MAX_LIMITS];
  struct local_slot *slots[MAX_LIMITS];
  *wait_us = 0;
  pthread_mutex_lock(&limiter->lock);
  for (size_t i = 0; i < count; i++) {
    slots[i] = local_slot(limiter, limits[i]->name);
    if (!slots[i]) {
      pthread_mutex_unlock(&limiter->lock);
      return error_set(err, ERR_INTERNAL, "rate limit %s: more than %d limits in one process", limits[i]->name,
                       LOCAL_SLOTS);
    }
    double period = (double)limits[i]->period_ms * 1000.0;
    double interval = period / (double)limits[i]->count;
    double tat = slots[i]->tat_us < now ? now : slots[i]->tat_us;
    double allow_at = tat + interval - period;
    if (allow_at > now) {
      *wait_us = (long long)(allow_at - now) + 1;
      *full = i;
      break;
    }
    tats[i] = tat + interval;
  }
  if (*wait_us == 0)
    for (size_t i = 0; i < count; i++)
      slots[i]->tat_us = tats[i];
  pthread_mutex_unlock(&limiter->lock);
  return 0;
}

static void sleep_ms(long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) != 0)
    ;
}

int rate_limiter_acquire(struct rate_limiter *limiter, const struct rate_limit *limits, size_t count,
                         struct growth_error *err)
{
  const struct rate_limit *active[MAX_LIMITS];
  size_t used = 0;
  for (size_t i = 0; i < count; i++) {
    if (limits[i].count <= 0)
      continue;
    if (used == MAX_LIMITS || limits[i].period_ms <= 0)
      return error_set(err, ERR_BAD_ARGUMENT, "rate limit %s: at most %d limits with a positive period per call",
                       limits[i].name, MAX_LIMITS);
    active[used++] = &limits[i];
  }
  if (used == 0 || !limiter)
    return 0;
  int64_t deadline = clock_monotonic_ms() + limiter->wait_max_ms;
  for (;;) {
    long long wait_us = 0;
    size_t full = 0;
    int checked = limiter->pool ? check_redis(limiter, active, used, &wait_us, &full, err)
                                : check_local(limiter, active, used, &wait_us, &full, err);
    if (checked != 0)
      return -1;
    if (wait_us <= 0)
      return 0;
    long wait_ms = (long)((wait_us + 999) / 1000);
    int64_t now = clock_monotonic_ms();
    if (now + wait_ms > deadline) {
      const struct rate_limit *limit = active[full];
      return error_set(err, ERR_RATE_LIMITED,
                       "%s: the client-side limit of %ld calls per %ld ms is reached; the next slot frees in %ld ms, "
                       "beyond the %ld ms wait allowed (GROWTH_RATE_WAIT_MAX_MS)",
                       limit->name, limit->count, limit->period_ms, wait_ms, limiter->wait_max_ms);
    }
    log_debug("RateLimit", "%s: waiting %ld ms for a slot", active[full]->name, wait_ms);
    sleep_ms(wait_ms);
  }
}
