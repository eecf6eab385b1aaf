/*
 * fuzz_redis_url.c — REDIS_URL parsing on arbitrary text; a refusal must name
 * REDIS_URL and must never echo the password part of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/redis_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct redis_url url;
  struct growth_error err = { 0 };
  if (redis_url_parse(text, &url, &err) == 0) {
    char described[400];
    redis_url_describe(&url, described, sizeof described);
    if (url.port < 1 || url.port > 65535 || url.db < 0)
      abort();
  } else if (strncmp(err.message, "REDIS_URL: ", 11) != 0) {
    abort();
  }
  free(text);
  return 0;
}
