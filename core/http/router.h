/*
 * router.h — matches a method and path against a table of routes.
 *
 * Patterns are literal segments and {name} parameters: "/api/jobs/{id}".
 * A trailing slash on the path is ignored. HEAD matches GET routes. When the
 * path matches some route but not with this method, the answer is
 * ROUTER_WRONG_METHOD and `allow` lists the methods that would have matched,
 * ready for a 405's Allow header. The router knows nothing of HTTP I/O.
 */
#ifndef GROWTH_HTTP_ROUTER_H
#define GROWTH_HTTP_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_PARAM_MAX 256

struct router;

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_WRONG_METHOD };

struct route_params {
  size_t count;
  const char *names[ROUTER_MAX_PARAMS];
  char values[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX];
};

struct router_match {
  void *handler;            /* what router_add was given */
  const char *pattern;      /* the matched route's pattern ("/api/jobs/{id}"); for ROUTER_WRONG_METHOD the
                               first pattern that matched the path; NULL for ROUTER_NOT_FOUND */
  struct route_params params;
  char allow[96];           /* for ROUTER_WRONG_METHOD: "GET, HEAD, POST" */
};

struct router *router_new(void);
void router_free(struct router *router);

/* Adds a route; pattern must stay valid while the router lives. -1 when out of memory or the pattern is bad. */
int router_add(struct router *router, const char *method, const char *pattern, void *handler);

enum router_result router_find(const struct router *router, const char *method, const char *path,
                               struct router_match *match);

/* The value of a {name} parameter, or NULL. */
const char *route_param(const struct route_params *params, const char *name);

#endif
