/*
 * fuzz_request_path.c — what growthd does to a client's request target before
 * routing, on arbitrary bytes: the unescape callback (never lengthens, never
 * yields a NUL, reports the right length), the path of an absolute-form
 * target, and the flag guard (403 for /api/orchestrator/, 404 for the
 * dashboard's /agents), which must answer the same for a path and for its
 * spellings with a doubled first slash or in capitals.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/request_rules.h"

static int guard_answers(const char *path)
{
  static struct config config;  /* enable_agents and enable_dashboard false */
  static struct api_context context = { .config = &config };
  struct http_request request = { .method = "GET", .path = path, .context = &context };
  struct http_response response = { .status = 500 };
  int answered = api_guard(&request, &response);
  if (answered && response.status != 403 && response.status != 404)
    abort();
  free(response.body);
  return answered;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *target = malloc(size + 2);
  char *variant = malloc(size + 2);
  if (!target || !variant)
    goto done;
  memcpy(target, data, size);
  target[size] = '\0';
  size_t before = strlen(target);
  size_t after = request_rules_unescape(NULL, NULL, target);
  if (after > before || after != strlen(target))
    abort();

  const char *path = request_rules_path(target);
  if (path != target && (path < target || path > target + after) && strcmp(path, "/") != 0)
    abort();
  if (path[0] != '/')
    goto done;
  int answered = guard_answers(path);
  variant[0] = '/';
  memcpy(variant + 1, path, strlen(path) + 1);
  if (guard_answers(variant) != answered)
    abort();
  for (char *p = variant; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  if (guard_answers(variant + 1) != answered)
    abort();
  if (strncmp(path, "/api/orchestrator/", 18) == 0 && !answered)
    abort();

done:
  free(variant);
  free(target);
  return 0;
}
