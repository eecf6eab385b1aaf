/*
 * fuzz_json_body.c — request-body handling: parsing an arbitrary body as JSON,
 * and building the 400 error body from the parser's message, which must always
 * be valid JSON of the error shape.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/handler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char message[256];
  json_t *value = http_parse_json_body((const char *)data, size, message, sizeof message);
  if (value) {
    json_decref(value);
    return 0;
  }
  struct http_response response = { 0 };
  http_respond_error(&response, 400, "invalid_json", "the request body is not valid JSON: %s", message);
  json_t *body = json_loadb(response.body, response.body_length, 0, NULL);
  if (!body || !json_is_string(json_object_get(json_object_get(body, "error"), "message")))
    abort();
  json_decref(body);
  free(response.body);
  return 0;
}
