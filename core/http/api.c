/*
 * api.c — the route table and the guard: feature flags, then access control
 * (see api.h).
 */
#include "http/api.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/api_handlers.h"

#define ORCHESTRATOR_PREFIX "/api/orchestrator"

struct route_row {
  const char *method;
  const char *pattern;
  http_handler handler;
};

static const struct route_row core_routes[] = {
  { "GET", "/health", api_health },
  { "GET", "/api/agents", api_agents },
  { "GET", "/api/dashboard", api_dashboard_summary },
  { "GET", ORCHESTRATOR_PREFIX "/health", api_orchestrator_health },
  { "GET", "/metrics", api_metrics },
  { "GET", "/api/auth/session", api_auth_session_get },
  { "POST", "/api/auth/session", api_auth_sign_in },
  { "DELETE", "/api/auth/session", api_auth_sign_out },
  { "POST", ORCHESTRATOR_PREFIX "/reload", api_orchestrator_reload },
};

static const struct route_row dashboard_routes[] = {
  { "GET", "/agents", api_dashboard_page },
  { "GET", "/agents/{file}", api_dashboard_asset },
};

static int add_rows(struct router *router, const struct route_row *rows, size_t count)
{
  for (size_t i = 0; i < count; i++)
    if (router_add(router, rows[i].method, rows[i].pattern, (void *)rows[i].handler) != 0)
      return -1;
  return 0;
}

struct router *api_router_new(const struct config *config, struct growth_error *err)
{
  struct router *router = router_new();
  if (!router)
    goto fail;
  if (add_rows(router, core_routes, sizeof core_routes / sizeof core_routes[0]) != 0)
    goto fail;
  if (config->enable_dashboard &&
      add_rows(router, dashboard_routes, sizeof dashboard_routes / sizeof dashboard_routes[0]) != 0)
    goto fail;
  return router;

fail:
  router_free(router);
  error_set(err, ERR_NO_MEMORY, "route table: out of memory");
  return NULL;
}

static int is_orchestrator_path(const char *path)
{
  size_t length = strlen(ORCHESTRATOR_PREFIX);
  return strncmp(path, ORCHESTRATOR_PREFIX, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

int api_guard(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  if (!context->config->enable_agents && is_orchestrator_path(request->path)) {
    http_respond_error(response, 403, "growth_agents_disabled",
                       "growth agents are disabled; set ENABLE_GROWTH_AGENTS=true and restart");
    return 1;
  }
  if (!context->auth)
    return 0;
  struct auth_request in = {
    .method = request->method,
    .path = request->path,
    .authorization = http_request_header(request, "Authorization"),
    .session_cookie = http_request_cookie(request, AUTH_SESSION_COOKIE),
    .csrf_token = http_request_header(request, AUTH_CSRF_HEADER),
  };
  struct auth_decision decision;
  auth_check(context->auth, &in, clock_monotonic_ms(), &decision);
  if (decision.status != 0) {
    api_respond_refusal(response, &decision);
    log_info("Auth", "refused %s %s: %s", request->method, request->path, decision.code);
    return 1;
  }
  snprintf(request->principal, sizeof request->principal, "%s", decision.principal);
  return 0;
}
