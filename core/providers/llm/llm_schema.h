/*
 * llm_schema.h — checks a model's JSON answer against the JSON schema the agent
 * asked for.
 *
 * The subset of JSON Schema understood (other keywords are ignored, as a
 * validator must for unknown keywords):
 *   type                  "object" "array" "string" "number" "integer" "boolean"
 *                         "null", or an array of those; "integer" accepts a
 *                         number with no fractional part, "number" accepts integers
 *   properties            object: name -> subschema, checked for present members
 *   required              array of member names that must be present
 *   additionalProperties  false refuses members not named in properties
 *                         (OpenAI's strict mode sets it on every object)
 *   items                 one subschema checked for every element of an array
 *   enum                  array of allowed values, compared as JSON (1 equals 1.0)
 *
 * The first violation found is reported with its path in the answer, written
 * like a JavaScript accessor from the root "$": "$.beliefs[2].reframe: expected
 * string, got number". Members and elements are visited in document order, so
 * the report is the same every time.
 */
#ifndef GROWTH_PROVIDERS_LLM_SCHEMA_H
#define GROWTH_PROVIDERS_LLM_SCHEMA_H

#include <jansson.h>

#include "base/error.h"

/* 0 when value conforms to schema. Otherwise -1 with:
 *   bad_argument   the schema itself is malformed (message names its path in the schema);
 *   upstream_error the value does not conform (not retryable; message holds the path). */
int llm_schema_check(const json_t *schema, const json_t *value, struct growth_error *err);

#endif
