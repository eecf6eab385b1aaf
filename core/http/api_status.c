/*
 * api_status.c — the read-only status endpoints: /health and /api/agents.
 *
 * /api/agents shows each agent's kill switch (disabled, by whom, when, why) and /api/dashboard lists the
 * disabled agents, so both answer what a partial rollback left switched off.
 *
 * /health never touches Redis: it answers while the process runs, which is
 * what a load balancer's liveness probe needs. The Redis-backed ones are in
 * api_orchestrator.c.
 */
#include <stdlib.h>

#include "agents/kill_switch.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/api_handlers.h"

json_t *api_registry_json(struct agent_registry *registry, struct growth_error *err)
{
  struct agent_summary *agents = NULL;
  size_t count = 0;
  if (registry_snapshot(registry, &agents, &count, err) != 0)
    return NULL;
  json_t *names = json_array();
  for (size_t i = 0; names && i < count; i++)
    json_array_append_new(names, json_string(agents[i].name));
  free(agents);
  json_t *result = json_pack("{s:I, s:o}", "count", (json_int_t)count, "agents", names);
  if (!result)
    error_set(err, ERR_NO_MEMORY, "agent registry: out of memory");
  return result;
}

void api_health(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const struct config *config = context->config;
  int64_t uptime_s = (clock_monotonic_ms() - context->started_ms) / 1000;
  http_respond_json(response, 200,
                    json_pack("{s:s, s:s, s:I, s:s}", "status", "running", "version", GROWTH_VERSION,
                              "uptimeSeconds", (json_int_t)uptime_s, "environment",
                              config_environment_name(config->environment)));
}

void api_agents(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  struct agent_summary *agents = NULL;
  size_t count = 0;
  if (registry_snapshot(context->registry, &agents, &count, &err) != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++) {
    const struct agent_summary *agent = &agents[i];
    json_t *needs = json_array();
    for (size_t n = 0; needs && n < agent->need_count; n++)
      json_array_append_new(needs, json_string(agent->needs[n]));
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s?, s:b, s:s?}", "name", agent->name, "title",
                              agent->title, "tier", agent->tier, "description", agent->description, "needs",
                              needs ? needs : json_array(), "file", agent->file, "version",
                              agent->version[0] ? agent->version : NULL, "loaded", agent->loaded, "error",
                              agent->error[0] ? agent->error : NULL);
    json_t *kill_switch = api_kill_switch_json(context, agent->name);
    json_object_del(kill_switch, "agent");
    json_object_update(entry, kill_switch);
    json_decref(kill_switch);
    json_array_append_new(list, entry);
  }
  free(agents);
  http_respond_json(response, 200, json_pack("{s:I, s:o}", "count", (json_int_t)count, "agents", list));
}

