/*
 * api_orchestrator.c — the Redis-backed status endpoints: GET /api/orchestrator/health, GET
 * /api/orchestrator/readiness and GET /api/dashboard.
 *
 * Each pings Redis first, with the pool's timeouts, and reads nothing more from it when the ping fails, so
 * a dead Redis costs one bounded attempt: health answers 503 at once, readiness and the dashboard say
 * "redis unavailable" without waiting on every read in turn.
 *
 * Workers seen alive come from CLIENT LIST: a BullMQ worker's blocking connection is named
 * <prefix>:<base64(queue)>[:w:<worker name>] (growthd's are growthd-<host>-<pid>), the same rule
 * Queue.getWorkers() uses. The last run of each agent is the newest of its jobs among the newest
 * RECENT_JOBS active, completed and failed ones.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "agents/kill_switch.h"
#include "http/api_handlers.h"
#include "http/orchestrator_events.h"
#include "http/orchestrator_internal.h"

#define RECENT_JOBS 100

json_t *orchestrator_counts_json(struct queue *queue, struct growth_error *err)
{
  struct queue_counts counts;
  if (queue_counts(queue, &counts, err) != 0)
    return NULL;
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "waiting",
                   (json_int_t)counts.counts[QUEUE_STATE_WAIT], "active", (json_int_t)counts.counts[QUEUE_STATE_ACTIVE],
                   "delayed", (json_int_t)counts.counts[QUEUE_STATE_DELAYED], "prioritized",
                   (json_int_t)counts.counts[QUEUE_STATE_PRIORITIZED], "completed",
                   (json_int_t)counts.counts[QUEUE_STATE_COMPLETED], "failed",
                   (json_int_t)counts.counts[QUEUE_STATE_FAILED], "waitingChildren",
                   (json_int_t)counts.counts[QUEUE_STATE_WAITING_CHILDREN], "paused",
                   (json_int_t)counts.counts[QUEUE_STATE_PAUSED], "isPaused", counts.paused);
}

/* The workers of this queue in CLIENT LIST: [{"name","address","ageSeconds","idleSeconds"}]. */
static json_t *workers_json(const struct api_context *context, struct growth_error *err)
{
  const char *key_prefix = queue_key_prefix(context->queue);
  const char *name = queue_name(context->queue);
  unsigned char encoded[256];
  size_t name_length = strlen(name) > 140 ? 140 : strlen(name);
  EVP_EncodeBlock(encoded, (const unsigned char *)name, (int)name_length);
  char base[400];
  snprintf(base, sizeof base, "%.*s:%s", (int)(strlen(key_prefix) - strlen(name) - 2), key_prefix, encoded);
  struct redis_conn *conn = redis_pool_acquire(context->redis, err);
  redisReply *reply = conn ? redis_conn_command(conn, err, "CLIENT LIST") : NULL;
  if (conn)
    redis_pool_release(context->redis, conn);
  if (!reply)
    return NULL;
  json_t *list = json_array();
  char *text = reply->type == REDIS_REPLY_STRING ? reply->str : NULL;
  for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; list && line;
       line = strtok_r(NULL, "\n", &save)) {
    char client_name[256] = "", address[64] = "";
    long age = 0, idle = 0;
    for (char *save_field = NULL, *field = strtok_r(line, " \r", &save_field); field;
         field = strtok_r(NULL, " \r", &save_field)) {
      if (strncmp(field, "name=", 5) == 0)
        snprintf(client_name, sizeof client_name, "%s", field + 5);
      else if (strncmp(field, "addr=", 5) == 0)
        snprintf(address, sizeof address, "%s", field + 5);
      else if (strncmp(field, "age=", 4) == 0)
        age = strtol(field + 4, NULL, 10);
      else if (strncmp(field, "idle=", 5) == 0)
        idle = strtol(field + 5, NULL, 10);
    }
    size_t base_length = strlen(base);
    if (strncmp(client_name, base, base_length) != 0)
      continue;
    const char *rest = client_name + base_length;
    if (*rest != '\0' && strncmp(rest, ":w:", 3) != 0)
      continue;
    json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I}", "name", *rest ? rest + 3 : "(unnamed)", "address",
                                          address, "ageSeconds", (json_int_t)age, "idleSeconds", (json_int_t)idle));
  }
  freeReplyObject(reply);
  return list;
}

static json_t *registry_detail_json(struct agent_registry *registry, struct growth_error *err)
{
  struct agent_summary *agents = NULL;
  size_t count = 0;
  if (registry_snapshot(registry, &agents, &count, err) != 0)
    return NULL;
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++)
    json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:b, s:s?}", "name", agents[i].name, "tier",
                                          agents[i].tier, "version", agents[i].version[0] ? agents[i].version : NULL,
                                          "loaded", agents[i].loaded, "error",
                                          agents[i].error[0] ? agents[i].error : NULL));
  free(agents);
  return json_pack("{s:I, s:o}", "count", (json_int_t)count, "agents", list ? list : json_array());
}

/* {"connected", "address", "latencyMs" | "error"}; *up says whether Redis answered. */
static json_t *redis_json(const struct api_context *context, int *up)
{
  struct growth_error err = { 0 };
  char target[300];
  redis_url_describe(&context->config->redis, target, sizeof target);
  double latency_ms = redis_pool_ping_ms(context->redis, &err);
  *up = latency_ms >= 0;
  if (!*up)
    log_warn("Orchestrator", "Health check: Redis unavailable: %s", err.message);
  return *up ? json_pack("{s:b, s:s, s:f}", "connected", 1, "address", target, "latencyMs", latency_ms)
             : json_pack("{s:b, s:s, s:s}", "connected", 0, "address", target, "error", err.message);
}

void api_orchestrator_health(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  int up = 0;
  json_t *redis = redis_json(context, &up);
  json_t *counts = up ? orchestrator_counts_json(context->queue, &err) : NULL;
  json_t *workers = up ? workers_json(context, &err) : NULL;
  json_t *registry = registry_detail_json(context->registry, &err);
  json_t *stream = orchestrator_stream_json(context);
  json_t *queue = json_pack("{s:s, s:o?}", "name", context->config->queue_name, "counts", counts);
  if (queue && counts)
    json_object_update(queue, counts);
  http_respond_json(response, up ? 200 : 503,
                    json_pack("{s:s, s:o, s:o?, s:o?, s:o?, s:o?}", "status", up ? "ok" : "degraded", "redis", redis,
                              "queue", queue, "agentRegistry", registry, "workers", workers, "eventStream", stream));
}

/* The newest job of each agent among the recent active, completed and failed ones: {"agent": job}. */
static json_t *last_runs(struct queue *queue, struct growth_error *err)
{
  static const enum queue_state states[] = { QUEUE_STATE_ACTIVE, QUEUE_STATE_COMPLETED, QUEUE_STATE_FAILED };
  json_t *runs = json_object();
  for (size_t s = 0; runs && s < sizeof states / sizeof states[0]; s++) {
    struct queue_job **jobs = NULL;
    size_t count = 0;
    if (queue_list_jobs(queue, states[s], 0, RECENT_JOBS - 1, 0, &jobs, &count, err) != 0) {
      json_decref(runs);
      return NULL;
    }
    for (size_t i = 0; i < count; i++) {
      const struct queue_job *job = jobs[i];
      if (!job->name)
        continue;
      int64_t when = job->finished_on ? job->finished_on : (job->processed_on ? job->processed_on : job->timestamp);
      json_t *seen = json_object_get(runs, job->name);
      if (seen && json_integer_value(json_object_get(seen, "at")) >= when)
        continue;
      json_t *run = json_pack("{s:s, s:s, s:I, s:I}", "jobId", job->id, "state", queue_state_name(states[s]), "at",
                              (json_int_t)when, "attemptsMade", (json_int_t)job->attempts_made);
      if (run && job->finished_on && job->processed_on)
        json_object_set_new(run, "durationMs", json_integer(job->finished_on - job->processed_on));
      if (run && job->failed_reason && states[s] == QUEUE_STATE_FAILED)
        json_object_set_new(run, "failedReason", json_string(job->failed_reason));
      if (run)
        json_object_set_new(runs, job->name, run);
    }
    queue_free_jobs(jobs, count);
  }
  return runs;
}

/* Readiness of one agent: its script and each of its needs; *ready says whether it can run. */
static json_t *agent_readiness(const struct api_context *context, const struct agent_summary *agent, json_t *runs,
                               int *ready, int *disabled)
{
  json_t *kill_switch = api_kill_switch_json(context, agent->name);
  *disabled = json_is_true(json_object_get(kill_switch, "disabled"));
  json_t *needs = json_object();
  *ready = agent->loaded;
  for (size_t n = 0; needs && n < agent->need_count; n++) {
    enum service_id id = services_find(agent->needs[n]);
    if (id == SERVICE_COUNT || !context->services) {
      json_object_set_new(needs, agent->needs[n],
                          json_pack("{s:s, s:s}", "status", "unknown", "reason",
                                    "this integration reports no readiness in this process"));
      continue;
    }
    const struct service_status *status = services_status(context->services, id);
    if (status->state == SERVICE_MISSING)
      *ready = 0;
    json_object_set_new(needs, agent->needs[n], json_pack("{s:s, s:s}", "status", services_state_name(status->state),
                                                          "reason", status->reason));
  }
  json_t *last = runs ? json_object_get(runs, agent->name) : NULL;
  return json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?, s:o?, s:O?, s:b, s:o?}", "name", agent->name, "title",
                   agent->title, "tier", agent->tier, "scriptLoaded", agent->loaded, "version",
                   agent->version[0] ? agent->version : NULL, "loadError", agent->error[0] ? agent->error : NULL,
                   "integrations", needs, "lastRun", last, "ready", *ready, "killSwitch", kill_switch);
}

/* {"ready", "agents": [...]} with the last runs when Redis answers (runs may be NULL). */
static json_t *readiness_json(const struct api_context *context, json_t *runs, struct growth_error *err)
{
  struct agent_summary *agents = NULL;
  size_t count = 0;
  if (registry_snapshot(context->registry, &agents, &count, err) != 0)
    return NULL;
  json_t *list = json_array();
  /* overall ready when every enabled agent can run: a switched-off agent does not hold the rest back */
  int all_ready = count > 0;
  for (size_t i = 0; list && i < count; i++) {
    int ready = 0, disabled = 0;
    json_array_append_new(list, agent_readiness(context, &agents[i], runs, &ready, &disabled));
    all_ready &= ready || disabled;
  }
  free(agents);
  return json_pack("{s:b, s:o?}", "ready", all_ready, "agents", list);
}

void api_orchestrator_readiness(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  int up = 0;
  json_t *redis = redis_json(context, &up);
  json_t *runs = up ? last_runs(context->queue, &err) : NULL;
  json_t *body = readiness_json(context, runs, &err);
  json_decref(runs);
  if (!body) {
    json_decref(redis);
    http_respond_growth_error(response, &err);
    return;
  }
  json_object_set_new(body, "redis", redis);
  json_object_set_new(body, "environment", json_string(config_environment_name(context->config->environment)));
  http_respond_json(response, 200, body);
}

/* Recent failed jobs, newest first: [{"jobId","agent","failedReason","at"}]. */
static json_t *recent_failures(struct queue *queue, struct growth_error *err)
{
  struct queue_job **jobs = NULL;
  size_t count = 0;
  if (queue_list_jobs(queue, QUEUE_STATE_FAILED, 0, 9, 0, &jobs, &count, err) != 0)
    return NULL;
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++)
    json_array_append_new(list, json_pack("{s:s, s:s?, s:s?, s:I}", "jobId", jobs[i]->id, "agent", jobs[i]->name,
                                          "failedReason", jobs[i]->failed_reason, "at",
                                          (json_int_t)jobs[i]->finished_on));
  queue_free_jobs(jobs, count);
  return list;
}

void api_dashboard_summary(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const struct config *config = context->config;
  struct growth_error err = { 0 };
  int up = 0;
  json_t *redis = redis_json(context, &up);
  json_t *counts = up ? orchestrator_counts_json(context->queue, &err) : NULL;
  json_t *runs = up ? last_runs(context->queue, &err) : NULL;
  json_t *failures = up ? recent_failures(context->queue, &err) : NULL;
  json_t *readiness = readiness_json(context, runs, &err);
  json_t *registry = api_registry_json(context->registry, &err);
  json_t *disabled = json_array();
  struct kill_switch_state *states = NULL;
  size_t disabled_count = 0;
  if (context->kill_switch && kill_switch_list(context->kill_switch, &states, &disabled_count, &err) == 0)
    for (size_t i = 0; disabled && i < disabled_count; i++)
      json_array_append_new(disabled, kill_switch_state_json(&states[i]));
  free(states);
  http_respond_json(response, 200,
                    json_pack("{s:s, s:{s:b, s:b}, s:o, s:{s:s, s:o?}, s:o?, s:o?, s:o?, s:o?, s:o?}", "environment",
                              config_environment_name(config->environment), "flags", "growthAgents",
                              config->enable_agents, "growthDashboard", config->enable_dashboard, "redis", redis,
                              "queue", "name", config->queue_name, "counts", counts, "lastRuns", runs, "failures",
                              failures, "readiness", readiness, "agentRegistry", registry, "disabledAgents",
                              disabled));
}
