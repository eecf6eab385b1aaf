/*
 * api_launch.c — POST /api/orchestrator/launch: validate a profile against every chosen agent's input
 * schema, then enqueue one job per agent in one bulk add.
 *
 * The body is the profile shape {"user": {...}, "inputs": {"<agent>": {...}}, "agents": ["journal", ...]};
 * every part is optional: "user" and "inputs" left out come from GROWTH_PROFILE's profile, "agents" left
 * out means every registered agent, and no body at all is GROWTH_PROFILE's profile for every agent. All
 * problems are collected first (unknown fields, unknown or unloaded agents, every schema violation with its
 * path, "inputs.journal.entry.energy: ...") and any one of them is a 400 listing them all, with nothing
 * queued. A job's data is {"user", "input" (defaults filled in), "launchId"}; its id "<agent>-<ms>-<hex>"
 * and its options are the launcher's (agents/launcher.h), so `growthd launch` and this endpoint queue the
 * same jobs.
 *
 * Idempotency-Key: the key (with the caller's key name, so two API keys never share an answer) is hashed
 * into <prefix>:<queue>:idempotency:<sha256>. The first request claims it with SET NX ("pending"), then
 * stores {"body": <sha256 of the body>, "answer": ...} for GROWTH_IDEMPOTENCY_TTL_S; a repeat gets the same
 * answer (202, Idempotent-Replayed: true), a repeat with another body 422, a repeat while the first is
 * still running 409. A failed launch deletes its claim, so it can be tried again with the same key.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents/agent.h"
#include "agents/kill_switch.h"
#include "agents/launcher.h"
#include "agents/schema.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/api_handlers.h"
#include "http/api_keys.h"

#define IDEMPOTENCY_KEY_MAX 200
#define LAUNCH_AGENTS_MAX 64

struct launch_plan {
  json_t *user;                      /* borrowed from the profile */
  const char *names[LAUNCH_AGENTS_MAX];
  json_t *inputs[LAUNCH_AGENTS_MAX]; /* validated copies, owned */
  size_t count;
};

static void plan_free(struct launch_plan *plan)
{
  for (size_t i = 0; i < plan->count; i++)
    json_decref(plan->inputs[i]);
  plan->count = 0;
}

static void add_problem(json_t *problems, const char *fmt, const char *a, const char *b)
{
  char text[ERROR_MESSAGE_MAX + 600];
  snprintf(text, sizeof text, fmt, a, b ? b : "");
  json_array_append_new(problems, json_string(text));
}

/* Adds agent name (validating its input) to the plan; problems get what is wrong. */
static void plan_agent(struct agent_registry *registry, const struct agent_summary *summary, json_t *inputs,
                       struct launch_plan *plan, json_t *problems)
{
  if (plan->count == LAUNCH_AGENTS_MAX)
    return;
  if (!summary->loaded) {
    add_problem(problems, "agents: agent '%s' has no loaded version: %s", summary->name,
                summary->error[0] ? summary->error : "its script has not loaded");
    return;
  }
  struct agent_script *script = registry_acquire(registry, summary->name);
  if (!script) {
    add_problem(problems, "agents: agent '%s' has no loaded version%s", summary->name, NULL);
    return;
  }
  json_t *given = inputs ? json_object_get(inputs, summary->name) : NULL;
  json_t *input = given ? json_deep_copy(given) : json_object();
  char root[AGENT_NAME_MAX + 8];
  snprintf(root, sizeof root, "inputs.%s", summary->name);
  if (!input)
    add_problem(problems, "%s: out of memory%s", root, NULL);
  else if (!json_is_object(input))
    add_problem(problems, "%s: expected an object, got %s", root, json_is_array(input) ? "an array" : "a scalar");
  else
    schema_validate(script->input, input, root, problems);
  agent_script_release(script);
  plan->names[plan->count] = summary->name;
  plan->inputs[plan->count++] = input;
}

static const struct agent_summary *find_agent(const struct agent_summary *agents, size_t count, const char *name)
{
  for (size_t i = 0; i < count; i++)
    if (strcmp(agents[i].name, name) == 0)
      return &agents[i];
  return NULL;
}

/* Checks the profile's shape and every agent's input; fills plan. The summaries must outlive plan. */
static void build_plan(struct agent_registry *registry, json_t *profile, const struct agent_summary *agents,
                       size_t agent_count, struct launch_plan *plan, json_t *problems)
{
  const char *key;
  json_t *value;
  json_object_foreach(profile, key, value) {
    if (strcmp(key, "user") != 0 && strcmp(key, "inputs") != 0 && strcmp(key, "agents") != 0)
      add_problem(problems, "%s: unknown field; expected user, inputs or agents%s", key, NULL);
  }
  json_t *user = json_object_get(profile, "user");
  json_t *inputs = json_object_get(profile, "inputs");
  json_t *chosen = json_object_get(profile, "agents");
  if (user && !json_is_object(user))
    add_problem(problems, "user: expected an object%s%s", "", NULL);
  plan->user = json_is_object(user) ? user : NULL;
  if (inputs && !json_is_object(inputs)) {
    add_problem(problems, "inputs: expected an object of agent name to input%s%s", "", NULL);
    inputs = NULL;
  }
  json_object_foreach(inputs, key, value) {
    if (!find_agent(agents, agent_count, key))
      add_problem(problems, "inputs.%s: no agent of that name%s", key, NULL);
  }
  if (chosen && !json_is_array(chosen)) {
    add_problem(problems, "agents: expected an array of agent names%s%s", "", NULL);
    return;
  }
  if (chosen && json_array_size(chosen) == 0) {
    add_problem(problems, "agents: empty; leave it out to launch every agent%s%s", "", NULL);
    return;
  }
  if (!chosen) {
    if (agent_count == 0)
      add_problem(problems, "agents: no agent is registered%s%s", "", NULL);
    for (size_t i = 0; i < agent_count; i++)
      plan_agent(registry, &agents[i], inputs, plan, problems);
    return;
  }
  size_t index;
  json_array_foreach(chosen, index, value) {
    char where[32];
    snprintf(where, sizeof where, "agents[%zu]", index + 1);
    const char *name = json_string_value(value);
    const struct agent_summary *summary = name ? find_agent(agents, agent_count, name) : NULL;
    if (!name)
      add_problem(problems, "%s: expected an agent name%s", where, NULL);
    else if (!summary)
      add_problem(problems, "%s: no agent '%.64s'", where, name);
    else {
      int repeated = 0;
      for (size_t i = 0; i < plan->count; i++)
        repeated |= strcmp(plan->names[i], name) == 0;
      if (repeated)
        add_problem(problems, "%s: agent '%.64s' is listed twice", where, name);
      else if (index >= LAUNCH_AGENTS_MAX)
        add_problem(problems, "%s: too many agents%s", where, NULL);
      else
        plan_agent(registry, summary, inputs, plan, problems);
    }
  }
}

static void make_id(const char *name, char *out, size_t size)
{
  unsigned char random[3] = { 0 };
  RAND_bytes(random, sizeof random);
  snprintf(out, size, "%s-%lld-%02x%02x%02x", name, (long long)clock_wall_ms(), random[0], random[1], random[2]);
}

/* Enqueues the plan; *answer_out is {"launchId","jobIds","agents"}. */
static int enqueue(struct queue *queue, const struct launch_plan *plan, json_t **answer_out, struct growth_error *err)
{
  char launch_id[64];
  unsigned char random[4] = { 0 };
  RAND_bytes(random, sizeof random);
  snprintf(launch_id, sizeof launch_id, "launch-%lld-%02x%02x%02x%02x", (long long)clock_wall_ms(), random[0],
           random[1], random[2], random[3]);
  struct queue_job_options options;
  queue_default_options(queue, &options);
  struct queue_new_job jobs[LAUNCH_AGENTS_MAX];
  char job_ids[LAUNCH_AGENTS_MAX][128];
  char *texts[LAUNCH_AGENTS_MAX] = { 0 };
  char **ids = NULL;
  int status = -1;
  for (size_t i = 0; i < plan->count; i++) {
    json_t *data = json_pack("{s:o, s:O, s:s}", "user", plan->user ? json_incref(plan->user) : json_object(), "input",
                             plan->inputs[i], "launchId", launch_id);
    texts[i] = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!texts[i]) {
      error_set(err, ERR_NO_MEMORY, "launch: out of memory building the job data");
      goto done;
    }
    make_id(plan->names[i], job_ids[i], sizeof job_ids[i]);
    jobs[i] = (struct queue_new_job){ .name = plan->names[i], .data = texts[i], .job_id = job_ids[i],
                                      .options = &options };
  }
  if (queue_add_bulk(queue, jobs, plan->count, &ids, err) != 0)
    goto done;
  json_t *id_list = json_array(), *agent_list = json_array();
  for (size_t i = 0; id_list && agent_list && i < plan->count; i++) {
    json_array_append_new(id_list, json_string(ids[i]));
    json_array_append_new(agent_list, json_string(plan->names[i]));
  }
  *answer_out = json_pack("{s:s, s:o?, s:o?}", "launchId", launch_id, "jobIds", id_list, "agents", agent_list);
  if (!*answer_out) {
    error_set(err, ERR_NO_MEMORY, "launch: out of memory");
    goto done;
  }
  for (size_t i = 0; i < plan->count; i++)
    log_info("Orchestrator", "[BullMQ] Job %s added to queue", ids[i]);
  status = 0;
done:
  for (size_t i = 0; i < plan->count; i++)
    free(texts[i]);
  queue_free_strings(ids, ids ? plan->count : 0);
  return status;
}

/* Takes disabled agents out of the plan (read fresh, as a worker would) and lists them in skipped with who
 * switched them off and why. -1 with err when Redis cannot tell. */
static int skip_disabled(const struct api_context *context, struct launch_plan *plan, json_t *skipped,
                         struct growth_error *err)
{
  if (!context->kill_switch)
    return 0;
  size_t kept = 0;
  for (size_t i = 0; i < plan->count; i++) {
    struct kill_switch_state state;
    int disabled = kill_switch_check_fresh(context->kill_switch, plan->names[i], &state, err);
    if (disabled < 0)
      return -1;
    if (disabled) {
      json_array_append_new(skipped, kill_switch_state_json(&state));
      log_info("Orchestrator", "Launch skips %s: disabled by %s: %s", plan->names[i], state.by[0] ? state.by : "?",
               state.reason);
      json_decref(plan->inputs[i]);
      continue;
    }
    plan->names[kept] = plan->names[i];
    plan->inputs[kept] = plan->inputs[i];
    kept++;
  }
  plan->count = kept;
  return 0;
}

static void hex(const unsigned char *bytes, size_t length, char *out)
{
  for (size_t i = 0; i < length; i++)
    sprintf(out + 2 * i, "%02x", bytes[i]);
}

struct idempotency {
  char key[400];      /* the Redis key, "" when the request has no Idempotency-Key */
  char body_hash[65];
};

/* Claims the key. 0: go on and launch; 1: answered (a replay, 409 or 422); -1: answered with an error. */
static int idempotency_claim(struct http_request *request, struct http_response *response, struct idempotency *idem)
{
  const struct api_context *context = request->context;
  const char *given = http_request_header(request, "Idempotency-Key");
  idem->key[0] = '\0';
  if (!given)
    return 0;
  size_t length = strlen(given);
  for (size_t i = 0; i < length; i++)
    if ((unsigned char)given[i] < 0x21 || (unsigned char)given[i] > 0x7e)
      length = 0;
  if (length == 0 || length > IDEMPOTENCY_KEY_MAX) {
    http_respond_error(response, 400, "bad_idempotency_key",
                       "Idempotency-Key must be 1 to %d visible ASCII characters", IDEMPOTENCY_KEY_MAX);
    return 1;
  }
  unsigned char digest[API_KEY_HASH_BYTES];
  char scoped[IDEMPOTENCY_KEY_MAX + 80], digest_hex[2 * API_KEY_HASH_BYTES + 1];
  snprintf(scoped, sizeof scoped, "%s\n%s", request->principal, given);
  api_keys_sha256(scoped, strlen(scoped), digest);
  hex(digest, sizeof digest, digest_hex);
  snprintf(idem->key, sizeof idem->key, "%sidempotency:%s", queue_key_prefix(context->queue), digest_hex);
  api_keys_sha256(request->body ? request->body : "", request->body ? request->body_length : 0, digest);
  hex(digest, sizeof digest, idem->body_hash);

  struct growth_error err = { 0 };
  struct redis_conn *conn = redis_pool_acquire(context->redis, &err);
  redisReply *reply = conn ? redis_conn_command(conn, &err, "SET %s pending NX EX %ld", idem->key,
                                                context->config->idempotency_ttl_s)
                           : NULL;
  redisReply *stored = NULL;
  if (reply && reply->type == REDIS_REPLY_NIL)
    stored = redis_conn_command(conn, &err, "GET %s", idem->key);
  if (conn)
    redis_pool_release(context->redis, conn);
  int claimed = reply && reply->type == REDIS_REPLY_STATUS;
  int status = 0;
  if (!reply || (!claimed && !stored)) {
    http_respond_growth_error(response, &err);
    status = -1;
  } else if (!claimed) {
    json_t *record = stored->type == REDIS_REPLY_STRING ? json_loads(stored->str, 0, NULL) : NULL;
    const char *body = json_string_value(json_object_get(record, "body"));
    if (!record) {
      http_respond_error(response, 409, "launch_in_progress",
                         "a launch with this Idempotency-Key is still being queued; repeat the request shortly");
    } else if (!body || strcmp(body, idem->body_hash) != 0) {
      http_respond_error(response, 422, "idempotency_key_reused",
                         "this Idempotency-Key was used with another request body; use a new key");
    } else {
      http_respond_json(response, 202, json_incref(json_object_get(record, "answer")));
      http_response_add_header(response, "Idempotent-Replayed", "true");
      log_info("Orchestrator", "launch replayed for its Idempotency-Key");
    }
    json_decref(record);
    status = 1;
  }
  if (reply)
    freeReplyObject(reply);
  if (stored)
    freeReplyObject(stored);
  return status;
}

/* Stores the answer for the key (answer != NULL) or lets the claim go. */
static void idempotency_finish(const struct api_context *context, const struct idempotency *idem, json_t *answer)
{
  if (!idem->key[0])
    return;
  struct growth_error err = { 0 };
  json_t *record = answer ? json_pack("{s:s, s:O}", "body", idem->body_hash, "answer", answer) : NULL;
  char *text = record ? json_dumps(record, JSON_COMPACT) : NULL;
  json_decref(record);
  struct redis_conn *conn = redis_pool_acquire(context->redis, &err);
  redisReply *reply = NULL;
  if (conn)
    reply = text ? redis_conn_command(conn, &err, "SET %s %s EX %ld", idem->key, text,
                                      context->config->idempotency_ttl_s)
                 : redis_conn_command(conn, &err, "DEL %s", idem->key);
  if (conn)
    redis_pool_release(context->redis, conn);
  if (!reply)
    log_warn("Orchestrator", "Idempotency-Key record not %s: %s", text ? "stored" : "released", err.message);
  else
    freeReplyObject(reply);
  free(text);
}

static void respond_problems(struct http_response *response, json_t *problems)
{
  char *joined = schema_join(problems);
  log_warn("Orchestrator", "Launch failed: validation failed: %s", joined ? joined : "out of memory");
  json_t *body = json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "validation_failed", "message",
                           joined ? joined : "the launch is not valid", "problems", problems);
  free(joined);
  http_respond_json(response, 400, body);
}

void api_orchestrator_launch(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  json_t *profile = NULL;
  if (request->body_length > 0) {
    const char *type = http_request_header(request, "Content-Type");
    if (!request->json && type && strncasecmp(type, "application/json", 16) != 0) {
      log_warn("Orchestrator", "Launch failed: the body is not JSON (Content-Type %.64s)", type);
      http_respond_error(response, 415, "unsupported_media_type",
                         "send the profile as JSON with Content-Type: application/json");
      return;
    }
    if (!json_is_object(request->json)) {
      log_warn("Orchestrator", "Launch failed: the body is not a JSON object");
      http_respond_error(response, 400, "bad_request",
                         "the body must be a JSON object {\"user\", \"inputs\", \"agents\"} or empty");
      return;
    }
    profile = json_copy(request->json);
    const char *parts[] = { "user", "inputs" };
    for (size_t i = 0; profile && i < 2; i++) {
      json_t *fallback = json_object_get(context->default_profile, parts[i]);
      if (!json_object_get(profile, parts[i]) && fallback)
        json_object_set(profile, parts[i], fallback);
    }
    if (!profile) {
      http_respond_error(response, 500, "no_memory", "launch: out of memory");
      return;
    }
  } else {
    profile = json_incref(context->default_profile);
  }
  struct agent_summary *agents = NULL;
  size_t agent_count = 0;
  struct launch_plan plan = { 0 };
  json_t *problems = json_array();
  json_t *answer = NULL;
  json_t *skipped = NULL;
  struct idempotency idem = { 0 };
  if (!problems || registry_snapshot(context->registry, &agents, &agent_count, &err) != 0) {
    if (err.code == ERR_NONE)
      error_set(&err, ERR_NO_MEMORY, "launch: out of memory");
    http_respond_growth_error(response, &err);
    goto done;
  }
  build_plan(context->registry, profile, agents, agent_count, &plan, problems);
  if (json_array_size(problems) > 0) {
    respond_problems(response, problems);
    goto done;
  }
  skipped = json_array();
  if (!skipped || skip_disabled(context, &plan, skipped, &err) != 0) {
    if (err.code == ERR_NONE)
      error_set(&err, ERR_NO_MEMORY, "launch: out of memory");
    log_error("Orchestrator", "Launch failed: %s", err.message);
    http_respond_growth_error(response, &err);
    goto done;
  }
  if (plan.count == 0) {
    json_t *first = json_array_get(skipped, 0);
    log_warn("Orchestrator", "Launch failed: every agent asked for is disabled");
    http_respond_json(response, 409, json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "agent_disabled", "message",
                                               json_string_value(json_object_get(first, "reason"))
                                                   ? json_string_value(json_object_get(first, "reason"))
                                                   : "the agent is disabled",
                                               "skipped", skipped));
    goto done;
  }
  if (idempotency_claim(request, response, &idem) != 0)
    goto done;
  log_info("Orchestrator", "Launching %zu agents", plan.count);
  if (enqueue(context->queue, &plan, &answer, &err) != 0) {
    idempotency_finish(context, &idem, NULL);
    log_error("Orchestrator", "Launch failed: %s", err.message);
    http_respond_growth_error(response, &err);
    goto done;
  }
  json_object_set(answer, "skipped", skipped);
  idempotency_finish(context, &idem, answer);
  http_respond_json(response, 202, answer);
done:
  plan_free(&plan);
  free(agents);
  json_decref(problems);
  json_decref(skipped);
  json_decref(profile);
}
