/*
 * router.c — a linear route table (see router.h).
 *
 * growthd has a few dozen routes, so a list walked in order is both the
 * simplest and fast enough: matching compares segments in place without
 * copying the path, and only parameter values are copied out.
 */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

struct route {
  const char *method;
  const char *pattern;
  void *handler;
};

struct router {
  struct route *routes;
  size_t count;
  size_t capacity;
};

struct router *router_new(void)
{
  return calloc(1, sizeof(struct router));
}

void router_free(struct router *router)
{
  if (!router)
    return;
  free(router->routes);
  free(router);
}

int router_add(struct router *router, const char *method, const char *pattern, void *handler)
{
  if (pattern[0] != '/')
    return -1;
  if (router->count == router->capacity) {
    size_t capacity = router->capacity ? router->capacity * 2 : 32;
    struct route *grown = realloc(router->routes, capacity * sizeof *grown);
    if (!grown)
      return -1;
    router->routes = grown;
    router->capacity = capacity;
  }
  router->routes[router->count++] = (struct route){ method, pattern, handler };
  return 0;
}

static size_t segment_length(const char *s)
{
  return strcspn(s, "/");
}

/* Matches path against pattern segment by segment, filling params. */
static int path_matches(const char *pattern, const char *path, struct route_params *params)
{
  params->count = 0;
  while (*pattern == '/' && *path == '/') {
    pattern++;
    path++;
    size_t pattern_length = segment_length(pattern);
    size_t path_length = segment_length(path);
    if (pattern[0] == '{') {
      if (path_length == 0 || path_length >= ROUTER_PARAM_MAX || params->count == ROUTER_MAX_PARAMS)
        return 0;
      memcpy(params->values[params->count], path, path_length);
      params->values[params->count][path_length] = '\0';
      params->names[params->count] = pattern + 1;  /* name runs up to '}' */
      params->count++;
    } else if (pattern_length != path_length || memcmp(pattern, path, path_length) != 0) {
      return 0;
    }
    pattern += pattern_length;
    path += path_length;
  }
  if (path[0] == '/' && path[1] == '\0' && *pattern == '\0')
    return 1;
  return *pattern == '\0' && *path == '\0';
}

static int method_matches(const char *route_method, const char *method)
{
  return strcmp(route_method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void add_allowed(char *allow, size_t size, const char *method)
{
  if (strstr(allow, method))
    return;
  size_t used = strlen(allow);
  if (used + strlen(method) + 3 > size)
    return;
  if (used)
    strcat(allow, ", ");
  strcat(allow, method);
  if (strcmp(method, "GET") == 0)
    add_allowed(allow, size, "HEAD");
}

enum router_result router_find(const struct router *router, const char *method, const char *path,
                               struct router_match *match)
{
  memset(match, 0, sizeof *match);
  struct route_params params;
  int path_known = 0;
  for (size_t i = 0; i < router->count; i++) {
    const struct route *route = &router->routes[i];
    if (!path_matches(route->pattern, path, &params))
      continue;
    if (!path_known)
      match->pattern = route->pattern;
    path_known = 1;
    if (method_matches(route->method, method)) {
      match->handler = route->handler;
      match->pattern = route->pattern;
      match->params = params;
      return ROUTER_FOUND;
    }
    add_allowed(match->allow, sizeof match->allow, route->method);
  }
  return path_known ? ROUTER_WRONG_METHOD : ROUTER_NOT_FOUND;
}

const char *route_param(const struct route_params *params, const char *name)
{
  size_t name_length = strlen(name);
  for (size_t i = 0; i < params->count; i++)
    if (strncmp(params->names[i], name, name_length) == 0 && params->names[i][name_length] == '}')
      return params->values[i];
  return NULL;
}
