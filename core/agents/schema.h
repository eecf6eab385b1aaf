/*
 * schema.h — an agent's input schema: checking the schema itself, and
 * validating a job's input against it.
 *
 * A schema is a JSON object mapping field names to field specs (the agent's
 * `input` table, converted). A spec is a type name ("string") or an object:
 *   type      string | number | integer | boolean | array | object (required)
 *   required  true when the field must be present (default false)
 *   min, max  length of a string (characters) or array (items), number of keys
 *             of an object, or the value of a number or integer
 *   enum      the allowed values
 *   items     the spec of every item of an array
 *   fields    the specs of an object's fields (then no other field is accepted)
 *   default   the value given to the field when the input lacks it
 *   description  free text for people
 * Validation reports every violation, each with its path: the root given by the
 * caller, then .field for fields and [n] (1-based, as Lua counts) for items:
 *   "mindset.beliefs[2]: expected string, got number".
 */
#ifndef GROWTH_AGENTS_SCHEMA_H
#define GROWTH_AGENTS_SCHEMA_H

#include <jansson.h>

/* Appends one string per problem of schema to problems (a JSON array); returns how many.
 * Paths start with "input". */
size_t schema_check(const json_t *schema, json_t *problems);

/* Validates input (a JSON object) against schema, filling defaults into input, and appends one
 * string per violation to violations; returns how many. root prefixes every path (may be NULL). */
size_t schema_validate(const json_t *schema, json_t *input, const char *root, json_t *violations);

/* Joins an array of strings with "; " into a malloc'd string the caller frees (NULL when out of memory). */
char *schema_join(const json_t *messages);

#endif
