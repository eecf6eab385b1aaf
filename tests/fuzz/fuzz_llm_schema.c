/*
 * fuzz_llm_schema.c — the schema check on hostile schemas and answers. Input:
 * schema JSON, a newline, value JSON. Checks: no crash, and an error always
 * carries a code and a NUL-terminated message that names a path ("$").
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm/llm_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const uint8_t *split = memchr(data, '\n', size);
  if (!split)
    return 0;
  json_t *schema = json_loadb((const char *)data, (size_t)(split - data), JSON_DECODE_ANY, NULL);
  json_t *value = json_loadb((const char *)split + 1, size - (size_t)(split - data) - 1, JSON_DECODE_ANY, NULL);
  if (schema && value) {
    struct growth_error err = { 0 };
    if (llm_schema_check(schema, value, &err) != 0) {
      if (err.code == ERR_NONE || memchr(err.message, '\0', sizeof err.message) == NULL || !strchr(err.message, '$'))
        abort();
    }
  }
  json_decref(schema);
  json_decref(value);
  return 0;
}
