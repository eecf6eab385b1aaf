/*
 * kill_switch.c — the kill switch's state in Redis and the per-process cache of it (see kill_switch.h).
 *
 * The cache is the whole hash (a handful of fields: one per disabled agent), read with one HGETALL. A
 * reader that finds it older than KILL_SWITCH_REFRESH_MS refreshes it outside the lock, so a slow Redis
 * never blocks other readers behind the mutex; of two refreshes racing, the one that started later wins.
 * A change made here writes Redis first and then drops the cache, so this process sees its own change at
 * once and the others within KILL_SWITCH_REFRESH_MS.
 */
#include "agents/kill_switch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "agents/kill_switch_internal.h"

static int valid_agent_name(const char *name)
{
  size_t length = strlen(name);
  if (length == 0 || length >= KILL_SWITCH_NAME_MAX)
    return 0;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

struct kill_switch *kill_switch_new(struct redis_pool *pool, const char *queue_prefix, const char *queue_name,
                                    struct growth_error *err)
{
  struct kill_switch *kill_switch = calloc(1, sizeof *kill_switch);
  if (!kill_switch) {
    error_set(err, ERR_NO_MEMORY, "kill switch: out of memory");
    return NULL;
  }
  kill_switch->pool = pool;
  snprintf(kill_switch->key, sizeof kill_switch->key, "%s:%s:kill-switch", queue_prefix ? queue_prefix : "bull",
           queue_name);
  pthread_mutex_init(&kill_switch->lock, NULL);
  return kill_switch;
}

void kill_switch_free(struct kill_switch *kill_switch)
{
  if (!kill_switch)
    return;
  free(kill_switch->states);
  pthread_mutex_destroy(&kill_switch->lock);
  free(kill_switch);
}

/* One field of the hash into state; a value that is not the JSON we write still counts as disabled. */
static void parse_state(const char *agent, const char *value, struct kill_switch_state *state)
{
  memset(state, 0, sizeof *state);
  snprintf(state->agent, sizeof state->agent, "%s", agent);
  json_t *root = json_loads(value, 0, NULL);
  const char *by = json_string_value(json_object_get(root, "by"));
  const char *reason = json_string_value(json_object_get(root, "reason"));
  snprintf(state->by, sizeof state->by, "%s", by ? by : "");
  snprintf(state->reason, sizeof state->reason, "%s", reason ? reason : root ? "" : value);
  state->at_ms = (int64_t)json_integer_value(json_object_get(root, "at"));
  json_decref(root);
}

static int compare_states(const void *a, const void *b)
{
  return strcmp(((const struct kill_switch_state *)a)->agent, ((const struct kill_switch_state *)b)->agent);
}

/* Reads the hash; *states_out malloc'd and sorted (NULL when empty). */
static int read_states(struct kill_switch *kill_switch, struct kill_switch_state **states_out, size_t *count_out,
                       struct growth_error *err)
{
  *states_out = NULL;
  *count_out = 0;
  struct redis_conn *conn = redis_pool_acquire(kill_switch->pool, err);
  if (!conn)
    return -1;
  redisReply *reply = redis_conn_command(conn, err, "HGETALL %s", kill_switch->key);
  redis_pool_release(kill_switch->pool, conn);
  if (!reply)
    return error_prefix(err, "reading the kill switch %s", kill_switch->key);
  if (reply->type != REDIS_REPLY_ARRAY) {
    freeReplyObject(reply);
    return error_set(err, ERR_UPSTREAM, "reading the kill switch %s: HGETALL gave no array; expected a hash",
                     kill_switch->key);
  }
  size_t count = reply->elements / 2;
  struct kill_switch_state *states = count ? calloc(count, sizeof *states) : NULL;
  if (count && !states) {
    freeReplyObject(reply);
    return error_set(err, ERR_NO_MEMORY, "kill switch: out of memory");
  }
  for (size_t i = 0; i < count; i++) {
    const redisReply *field = reply->element[2 * i], *value = reply->element[2 * i + 1];
    parse_state(field->str ? field->str : "", value->str ? value->str : "", &states[i]);
  }
  freeReplyObject(reply);
  if (count)
    qsort(states, count, sizeof *states, compare_states);
  *states_out = states;
  *count_out = count;
  return 0;
}

int kill_switch_refresh(struct kill_switch *kill_switch, int force, struct growth_error *err)
{
  int64_t started = clock_monotonic_ms();
  pthread_mutex_lock(&kill_switch->lock);
  int fresh = !force && kill_switch->loaded && started - kill_switch->read_ms < KILL_SWITCH_REFRESH_MS;
  /* a Redis that just failed is not asked again at once: callers that check many agents stay fast */
  int failing = !force && kill_switch->failed_ms && started - kill_switch->failed_ms < KILL_SWITCH_REFRESH_MS;
  if (failing)
    *err = kill_switch->failure;
  pthread_mutex_unlock(&kill_switch->lock);
  if (fresh)
    return 0;
  if (failing)
    return -1;
  struct kill_switch_state *states = NULL;
  size_t count = 0;
  if (read_states(kill_switch, &states, &count, err) != 0) {
    pthread_mutex_lock(&kill_switch->lock);
    kill_switch->failed_ms = clock_monotonic_ms();
    kill_switch->failure = *err;
    pthread_mutex_unlock(&kill_switch->lock);
    return -1;
  }
  pthread_mutex_lock(&kill_switch->lock);
  kill_switch->failed_ms = 0;
  if (!kill_switch->loaded || started >= kill_switch->read_ms) {
    free(kill_switch->states);
    kill_switch->states = states;
    kill_switch->count = count;
    kill_switch->read_ms = started;
    kill_switch->loaded = 1;
    states = NULL;
  }
  pthread_mutex_unlock(&kill_switch->lock);
  free(states);
  return 0;
}

/* With the lock held: the cached state of agent, or NULL. */
static const struct kill_switch_state *find_cached(const struct kill_switch *kill_switch, const char *agent)
{
  struct kill_switch_state key;
  snprintf(key.agent, sizeof key.agent, "%s", agent);
  return kill_switch->count ? bsearch(&key, kill_switch->states, kill_switch->count, sizeof key, compare_states)
                            : NULL;
}

static int check(struct kill_switch *kill_switch, const char *agent, int force, struct kill_switch_state *state,
                 struct growth_error *err)
{
  struct growth_error refresh_err = { 0 };
  if (kill_switch_refresh(kill_switch, force, &refresh_err) != 0) {
    pthread_mutex_lock(&kill_switch->lock);
    int loaded = kill_switch->loaded;
    pthread_mutex_unlock(&kill_switch->lock);
    if (!loaded) {
      *err = refresh_err;
      return -1;
    }
  }
  pthread_mutex_lock(&kill_switch->lock);
  const struct kill_switch_state *found = find_cached(kill_switch, agent);
  if (found && state)
    *state = *found;
  pthread_mutex_unlock(&kill_switch->lock);
  return found != NULL;
}

int kill_switch_check(struct kill_switch *kill_switch, const char *agent, struct kill_switch_state *state,
                      struct growth_error *err)
{
  return check(kill_switch, agent, 0, state, err);
}

int kill_switch_check_fresh(struct kill_switch *kill_switch, const char *agent, struct kill_switch_state *state,
                            struct growth_error *err)
{
  return check(kill_switch, agent, 1, state, err);
}

int kill_switch_list(struct kill_switch *kill_switch, struct kill_switch_state **states_out, size_t *count_out,
                     struct growth_error *err)
{
  *states_out = NULL;
  *count_out = 0;
  if (kill_switch_refresh(kill_switch, 1, err) != 0)
    return -1;
  pthread_mutex_lock(&kill_switch->lock);
  size_t count = kill_switch->count;
  struct kill_switch_state *copy = count ? malloc(count * sizeof *copy) : NULL;
  if (copy)
    memcpy(copy, kill_switch->states, count * sizeof *copy);
  pthread_mutex_unlock(&kill_switch->lock);
  if (count && !copy)
    return error_set(err, ERR_NO_MEMORY, "kill switch: out of memory");
  *states_out = copy;
  *count_out = count;
  return 0;
}

/* Runs one write command on the hash; its integer reply into *integer_out when not NULL. */
static int write_command(struct kill_switch *kill_switch, long long *integer_out, struct growth_error *err,
                         int argc, const char **argv)
{
  struct redis_conn *conn = redis_pool_acquire(kill_switch->pool, err);
  if (!conn)
    return -1;
  redisReply *reply = redis_conn_command_argv(conn, argc, argv, NULL, err);
  redis_pool_release(kill_switch->pool, conn);
  if (!reply)
    return error_prefix(err, "changing the kill switch %s", kill_switch->key);
  if (integer_out)
    *integer_out = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
  freeReplyObject(reply);
  /* the next read here goes to Redis: this process sees its own change at once */
  pthread_mutex_lock(&kill_switch->lock);
  kill_switch->loaded = 0;
  pthread_mutex_unlock(&kill_switch->lock);
  return 0;
}

int kill_switch_disable(struct kill_switch *kill_switch, const char *agent, const char *by, const char *reason,
                        struct kill_switch_state *state_out, struct growth_error *err)
{
  if (!agent || !valid_agent_name(agent))
    return error_set(err, ERR_BAD_ARGUMENT, "agent name '%.64s' is not valid; expected letters, digits, '-' or '_'",
                     agent ? agent : "");
  if (!reason || !*reason)
    return error_set(err, ERR_BAD_ARGUMENT, "disabling %s: the reason is empty; expected a few words saying why",
                     agent);
  if (strlen(reason) >= KILL_SWITCH_REASON_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "disabling %s: the reason has %zu bytes; expected fewer than %d", agent,
                     strlen(reason), KILL_SWITCH_REASON_MAX);
  struct kill_switch_state state = { 0 };
  snprintf(state.agent, sizeof state.agent, "%s", agent);
  snprintf(state.by, sizeof state.by, "%s", by ? by : "");
  snprintf(state.reason, sizeof state.reason, "%s", reason);
  state.at_ms = clock_wall_ms();
  json_t *value = json_pack("{s:s, s:I, s:s}", "by", state.by, "at", (json_int_t)state.at_ms, "reason", reason);
  char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
  json_decref(value);
  if (!text)
    return error_set(err, ERR_BAD_ARGUMENT, "disabling %s: the reason is not valid UTF-8 text", agent);
  const char *argv[] = { "HSET", kill_switch->key, agent, text };
  int status = write_command(kill_switch, NULL, err, 4, argv);
  free(text);
  if (status != 0)
    return -1;
  log_warn("Orchestrator", "Agent %s disabled by %s: %s (launches skip it; its queued jobs wait)", agent,
           state.by[0] ? state.by : "(unknown)", reason);
  if (state_out)
    *state_out = state;
  return 0;
}

int kill_switch_enable(struct kill_switch *kill_switch, const char *agent, const char *by,
                       struct kill_switch_state *was, struct growth_error *err)
{
  if (!agent || !valid_agent_name(agent))
    return error_set(err, ERR_BAD_ARGUMENT, "agent name '%.64s' is not valid; expected letters, digits, '-' or '_'",
                     agent ? agent : "");
  struct kill_switch_state before = { 0 };
  struct growth_error check_err = { 0 };
  int known = kill_switch_refresh(kill_switch, 1, &check_err) == 0 && kill_switch_check(kill_switch, agent, &before,
                                                                                          &check_err) == 1;
  const char *argv[] = { "HDEL", kill_switch->key, agent };
  long long removed = 0;
  if (write_command(kill_switch, &removed, err, 3, argv) != 0)
    return -1;
  if (removed) {
    log_info("Orchestrator", "Agent %s enabled by %s (it was disabled%s%s); its queued jobs run again", agent,
             by && *by ? by : "(unknown)", known ? ": " : "", known ? before.reason : "");
    if (was)
      *was = before;
  } else {
    log_info("Orchestrator", "Agent %s enabled by %s: it was not disabled", agent, by && *by ? by : "(unknown)");
  }
  return removed ? 1 : 0;
}
