/*
 * fuzz_router.c — route matching on arbitrary paths: no crash, parameters
 * always NUL-terminated and within bounds, 405 always with an Allow list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static int handler;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct router *router;
  if (!router) {
    router = router_new();
    router_add(router, "GET", "/health", &handler);
    router_add(router, "GET", "/api/orchestrator/jobs/{id}", &handler);
    router_add(router, "POST", "/api/orchestrator/jobs/{id}/retry", &handler);
    router_add(router, "GET", "/api/artifacts/{job}/{name}", &handler);
    router_add(router, "GET", "/agents/{file}", &handler);
  }
  char *path = malloc(size + 1);
  if (!path)
    return 0;
  memcpy(path, data, size);
  path[size] = '\0';
  struct router_match match;
  const char *methods[] = { "GET", "POST", "HEAD", "DELETE" };
  for (size_t i = 0; i < 4; i++) {
    enum router_result result = router_find(router, methods[i], path, &match);
    if (result == ROUTER_WRONG_METHOD && match.allow[0] == '\0')
      abort();
    for (size_t p = 0; result == ROUTER_FOUND && p < match.params.count; p++)
      if (strlen(match.params.values[p]) >= ROUTER_PARAM_MAX)
        abort();
  }
  free(path);
  return 0;
}
