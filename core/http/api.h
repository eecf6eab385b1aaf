/*
 * api.h — growthd's REST surface: the route table, the feature-flag guard and
 * the context every handler shares.
 */
#ifndef GROWTH_HTTP_API_H
#define GROWTH_HTTP_API_H

#include <stdint.h>

#include "agents/registry.h"
#include "base/config.h"
#include "http/auth.h"
#include "http/handler.h"
#include "http/router.h"
#include "providers/services.h"
#include "queue/queue.h"
#include "redis/redis_pool.h"

struct kill_switch;
struct orchestrator_events;
struct sse_broadcaster;

struct api_context {
  /* The configuration in use: an immutable snapshot that a reload (SIGHUP, config_reload.h) replaces with
   * one atomic store. Reading context->config is an atomic load; a handler reads it once into a local
   * pointer and uses only that, so it sees one configuration, old or new, never a mix. */
  _Atomic(const struct config *) config;
  struct kill_switch *kill_switch;   /* per-agent kill switch (agents/kill_switch.h); NULL without Redis */
  struct redis_pool *redis;
  struct agent_registry *registry;
  struct auth *auth;      /* access control; NULL means open */
  struct services *services;   /* the integrations' backends, for readiness (providers/services.h) */
  int64_t started_ms;     /* monotonic */
  struct queue *queue;    /* the configured queue, on the redis pool */
  struct orchestrator_events *events;   /* the events stream's reader */
  struct sse_broadcaster *broadcaster;  /* its Server-Sent Event clients */
  json_t *default_profile; /* GROWTH_PROFILE's profile ({} when unset), read at start */
};

/* Builds the route table. The dashboard's routes (/agents) are always in it; the guard answers 404 for them
 * while ENABLE_GROWTH_DASHBOARD is false in the configuration in use, so the flag applies without a restart. */
struct router *api_router_new(const struct config *config, struct growth_error *err);

/* The gate before routing: first the feature flags (/agents answers 404 while ENABLE_GROWTH_DASHBOARD is
 * false; every /api/orchestrator/ path answers 403
 * growth_agents_disabled while ENABLE_GROWTH_AGENTS is false, in any spelling: letter case, repeated
 * slashes, "." and ".." segments), then access control (auth.h): 401 with a WWW-Authenticate challenge,
 * or 403. Sets request->principal when it lets a request in. */
int api_guard(struct http_request *request, struct http_response *response);

#endif
