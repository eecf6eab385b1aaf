/*
 * api.c — the route table and the guard: feature flags, then access control
 * (see api.h). The guard reads the flags from the configuration in use at each request, so a reload
 * (SIGHUP) turns /api/orchestrator/ and /agents off or on for the next request.
 */
#include "http/api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/api_handlers.h"

#define ORCHESTRATOR_PREFIX "/api/orchestrator"
#define DASHBOARD_PREFIX "/agents"

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
  /* kill switch (api_kill_switch.c) */
  { "POST", ORCHESTRATOR_PREFIX "/agents/{name}/disable", api_agent_disable },
  { "POST", ORCHESTRATOR_PREFIX "/agents/{name}/enable", api_agent_enable },
  { "GET", ORCHESTRATOR_PREFIX "/agents/disabled", api_agents_disabled },
  { "POST", ORCHESTRATOR_PREFIX "/launch", api_orchestrator_launch },
  { "GET", ORCHESTRATOR_PREFIX "/readiness", api_orchestrator_readiness },
  { "GET", ORCHESTRATOR_PREFIX "/monitor", api_orchestrator_monitor },
  { "GET", ORCHESTRATOR_PREFIX "/events", api_orchestrator_events },
  { "GET", ORCHESTRATOR_PREFIX "/jobs/{id}", api_orchestrator_job },
  { "POST", ORCHESTRATOR_PREFIX "/jobs/{id}/retry", api_orchestrator_retry },
  { "POST", ORCHESTRATOR_PREFIX "/pause", api_orchestrator_pause },
  { "POST", ORCHESTRATOR_PREFIX "/resume", api_orchestrator_resume },
  { "GET", "/api/artifacts/{jobId}/{name}", api_artifact },
};

static const struct route_row dashboard_routes[] = {
  { "GET", DASHBOARD_PREFIX, api_dashboard_page },
  { "GET", DASHBOARD_PREFIX "/{file}", api_dashboard_asset },
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
  (void)config;
  if (add_rows(router, dashboard_routes, sizeof dashboard_routes / sizeof dashboard_routes[0]) != 0)
    goto fail;
  return router;

fail:
  router_free(router);
  error_set(err, ERR_NO_MEMORY, "route table: out of memory");
  return NULL;
}

/*
 * Writes path into out with empty segments dropped and letters lower-cased;
 * with resolve_dots, "." segments are dropped and ".." resolved as well:
 * "//API/./x/../Orchestrator/" becomes "/api/orchestrator" (or
 * "/api/./x/../orchestrator" without). out has room for strlen(path) + 2 bytes.
 */
static void normalize_path(const char *path, int resolve_dots, char *out)
{
  size_t length = 0;
  while (*path) {
    while (*path == '/')
      path++;
    size_t segment = strcspn(path, "/");
    if (segment == 0 || (resolve_dots && segment == 1 && path[0] == '.')) {
      path += segment;
      continue;
    }
    if (resolve_dots && segment == 2 && path[0] == '.' && path[1] == '.') {
      while (length > 0 && out[--length] != '/')
        ;
      path += segment;
      continue;
    }
    out[length++] = '/';
    for (size_t i = 0; i < segment; i++)
      out[length++] = (char)tolower((unsigned char)path[i]);
    path += segment;
  }
  if (length == 0)
    out[length++] = '/';
  out[length] = '\0';
}

static int has_prefix(const char *path, const char *prefix)
{
  size_t length = strlen(prefix);
  return strncmp(path, prefix, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

/*
 * Whether path names the orchestrator (or the dashboard) in any spelling: the router is strict
 * and answers 404 for "//api/orchestrator/health" or "/API/...", but the guard
 * must not depend on that, nor on what a proxy in front might normalize. So
 * two normalized copies are compared, one with dot segments resolved and one
 * with them kept, and either under the prefix is enough: "/api/./orchestrator"
 * and "/api/orchestrator/../x" are both refused. When memory runs out the
 * answer is yes: the guard fails closed.
 */
static int is_path_under(const char *path, const char *prefix)
{
  char *normalized = malloc(strlen(path) + 2);
  if (!normalized)
    return 1;
  normalize_path(path, 0, normalized);
  int found = has_prefix(normalized, prefix);
  if (!found) {
    normalize_path(path, 1, normalized);
    found = has_prefix(normalized, prefix);
  }
  free(normalized);
  return found;
}

int api_guard(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const struct config *config = context->config;   /* one snapshot for the whole decision */
  if (!config->enable_agents && is_path_under(request->path, ORCHESTRATOR_PREFIX)) {
    http_respond_error(response, 403, "growth_agents_disabled",
                       "growth agents are disabled; set ENABLE_GROWTH_AGENTS=true, then send SIGHUP or restart");
    return 1;
  }
  if (!config->enable_dashboard && is_path_under(request->path, DASHBOARD_PREFIX)) {
    http_respond_error(response, 404, "not_found", "no route for %s %s", request->method, request->path);
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
