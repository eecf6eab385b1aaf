/*
 * api_handlers.h — the handlers behind api.c's route table (internal to core/http).
 */
#ifndef GROWTH_HTTP_API_HANDLERS_H
#define GROWTH_HTTP_API_HANDLERS_H

#include <jansson.h>

#include "http/api.h"

void api_health(struct http_request *request, struct http_response *response);
void api_agents(struct http_request *request, struct http_response *response);
void api_dashboard_summary(struct http_request *request, struct http_response *response);
void api_orchestrator_health(struct http_request *request, struct http_response *response);
void api_orchestrator_launch(struct http_request *request, struct http_response *response);
void api_orchestrator_readiness(struct http_request *request, struct http_response *response);
void api_orchestrator_monitor(struct http_request *request, struct http_response *response);
void api_orchestrator_events(struct http_request *request, struct http_response *response);
void api_orchestrator_job(struct http_request *request, struct http_response *response);
void api_orchestrator_retry(struct http_request *request, struct http_response *response);
void api_orchestrator_pause(struct http_request *request, struct http_response *response);
void api_orchestrator_resume(struct http_request *request, struct http_response *response);
void api_artifact(struct http_request *request, struct http_response *response);
void api_orchestrator_reload(struct http_request *request, struct http_response *response);
void api_dashboard_page(struct http_request *request, struct http_response *response);
void api_dashboard_asset(struct http_request *request, struct http_response *response);
void api_metrics(struct http_request *request, struct http_response *response);
void api_auth_session_get(struct http_request *request, struct http_response *response);
void api_auth_sign_in(struct http_request *request, struct http_response *response);
void api_auth_sign_out(struct http_request *request, struct http_response *response);

/* The kill switch (api_kill_switch.c). */
void api_agent_disable(struct http_request *request, struct http_response *response);
void api_agent_enable(struct http_request *request, struct http_response *response);
void api_agents_disabled(struct http_request *request, struct http_response *response);

/* An agent's kill-switch fields: {"disabled": false}, the disabled state (kill_switch_state_json), or
 * {"disabled": null, "disabledError": ...} when Redis cannot say. New reference. */
json_t *api_kill_switch_json(const struct api_context *context, const char *agent);

/* A 401 (with its WWW-Authenticate challenge) or 403 from an access-control decision. */
void api_respond_refusal(struct http_response *response, const struct auth_decision *decision);

/* {"count":N,"agents":[...names]} from the registry, or NULL with err. */
json_t *api_registry_json(struct agent_registry *registry, struct growth_error *err);

#endif
