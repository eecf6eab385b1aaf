/*
 * api_kill_switch.c — the kill switch over HTTP (agents/kill_switch.h):
 *
 *   POST /api/orchestrator/agents/{name}/disable   {"reason": "..."}  -> 200 the agent's disabled state
 *   POST /api/orchestrator/agents/{name}/enable    {"reason": "..."}? -> 200 {"agent", "disabled": false, ...}
 *   GET  /api/orchestrator/agents/disabled                            -> 200 {"count", "agents": [...]}
 *
 * Who made a change is the API key's principal when access control is on; when it is off (no principal),
 * the body's "by" (so an operator can sign a change), else "api". The agent must be one the registry knows (a file under
 * scripts/agents/), so a typo is a 404 rather than a switch on nothing. Like every /api/orchestrator/
 * path, these answer 403 while ENABLE_GROWTH_AGENTS is false.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/kill_switch.h"
#include "http/api_handlers.h"

/* The change's author into out: the principal, or the body's "by" when access control is off. */
static void change_author(const struct http_request *request, char *out, size_t size)
{
  const char *by = json_string_value(json_object_get(request->json, "by"));
  if (request->principal[0])
    snprintf(out, size, "%s", request->principal);
  else
    snprintf(out, size, "%s", by && *by ? by : "api");
}

/* The {name} of the path if the registry knows it; otherwise answers 404 (or 503 without Redis) and NULL. */
static const char *known_agent(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *name = route_param(&request->params, "name");
  char version[AGENT_VERSION_MAX];
  if (!context->kill_switch) {
    http_respond_error(response, 503, "unavailable", "the kill switch needs Redis, which this process has not");
    return NULL;
  }
  if (!name || registry_version(context->registry, name, version) != 0) {
    http_respond_error(response, 404, "agent_not_found", "no agent '%.64s' is loaded; expected one of "
                       "GET /api/agents", name ? name : "");
    return NULL;
  }
  return name;
}

void api_agent_disable(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *name = known_agent(request, response);
  if (!name)
    return;
  const char *reason = json_string_value(json_object_get(request->json, "reason"));
  if (!reason || !*reason) {
    http_respond_error(response, 400, "bad_request",
                       "disabling %s needs a JSON body {\"reason\": \"...\"} saying why", name);
    return;
  }
  char by[KILL_SWITCH_BY_MAX];
  change_author(request, by, sizeof by);
  struct kill_switch_state state;
  struct growth_error err = { 0 };
  if (kill_switch_disable(context->kill_switch, name, by, reason, &state, &err) != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  http_respond_json(response, 200, kill_switch_state_json(&state));
}

void api_agent_enable(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *name = known_agent(request, response);
  if (!name)
    return;
  char by[KILL_SWITCH_BY_MAX];
  change_author(request, by, sizeof by);
  struct kill_switch_state was;
  struct growth_error err = { 0 };
  int changed = kill_switch_enable(context->kill_switch, name, by, &was, &err);
  if (changed < 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  http_respond_json(response, 200, json_pack("{s:s, s:b, s:b, s:s, s:o}", "agent", name, "disabled", 0,
                                             "wasDisabled", changed, "enabledBy", by, "was",
                                             changed ? kill_switch_state_json(&was) : json_null()));
}

void api_agents_disabled(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  if (!context->kill_switch) {
    http_respond_error(response, 503, "unavailable", "the kill switch needs Redis, which this process has not");
    return;
  }
  struct kill_switch_state *states = NULL;
  size_t count = 0;
  struct growth_error err = { 0 };
  if (kill_switch_list(context->kill_switch, &states, &count, &err) != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++)
    json_array_append_new(list, kill_switch_state_json(&states[i]));
  free(states);
  http_respond_json(response, 200, json_pack("{s:I, s:o}", "count", (json_int_t)count, "agents", list));
}

json_t *api_kill_switch_json(const struct api_context *context, const char *agent)
{
  if (!context->kill_switch)
    return json_pack("{s:b}", "disabled", 0);
  struct kill_switch_state state;
  struct growth_error err = { 0 };
  int disabled = kill_switch_check(context->kill_switch, agent, &state, &err);
  if (disabled < 0)
    return json_pack("{s:n, s:s}", "disabled", "disabledError", err.message);
  return disabled ? kill_switch_state_json(&state) : json_pack("{s:b}", "disabled", 0);
}
