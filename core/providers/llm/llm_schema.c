/*
 * llm_schema.c — the JSON-schema subset check (see llm_schema.h).
 *
 * A recursive walk over schema and value together. The path of the current
 * value is kept in one fixed buffer that each level extends and restores, so a
 * check allocates nothing. Recursion depth is bounded by the schema's depth,
 * which is capped to keep a hostile schema from exhausting the stack.
 */
#include "providers/llm/llm_schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_CHARS 256
#define DEPTH_MAX 64

struct walk {
  char path[PATH_MAX_CHARS];
  size_t path_len;
  struct growth_error *err;
};

static const char *const type_names[] = { "object", "array", "string", "number", "integer", "boolean", "null" };

static int known_type(const char *name)
{
  for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
    if (strcmp(name, type_names[i]) == 0)
      return 1;
  return 0;
}

/* The JSON type name of a value, as the error messages show it. */
static const char *value_type(const json_t *value)
{
  switch (json_typeof(value)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER: return "integer";
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  default: return "null";
  }
}

static int matches_type(const char *name, const json_t *value)
{
  if (strcmp(name, "integer") == 0) {
    if (json_is_integer(value))
      return 1;
    if (json_is_real(value)) {
      double x = json_real_value(value);
      return isfinite(x) && x == floor(x);
    }
    return 0;
  }
  if (strcmp(name, "number") == 0)
    return json_is_number(value);
  return strcmp(name, value_type(value)) == 0;
}

static int schema_error(struct walk *w, const char *what)
{
  return error_set(w->err, ERR_BAD_ARGUMENT, "schema for %s: %s", w->path, what);
}

static int value_error(struct walk *w, const char *fmt, const char *a, const char *b)
{
  char detail[256];
  snprintf(detail, sizeof detail, fmt, a, b);
  error_set(w->err, ERR_UPSTREAM, "the answer does not match the schema at %s: %s", w->path, detail);
  w->err->retryable = 0;
  return -1;
}

/* Appends ".name" (or "[\"name\"]" for names that are not identifiers) or "[index]". */
static size_t path_push_name(struct walk *w, const char *name)
{
  size_t saved = w->path_len;
  int plain = name[0] != '\0' && !(name[0] >= '0' && name[0] <= '9');
  for (const char *p = name; *p && plain; p++)
    plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
  int n = snprintf(w->path + saved, sizeof w->path - saved, plain ? ".%s" : "[\"%s\"]", name);
  if (n > 0)
    w->path_len = saved + (size_t)n < sizeof w->path ? saved + (size_t)n : sizeof w->path - 1;
  return saved;
}

static size_t path_push_index(struct walk *w, size_t index)
{
  size_t saved = w->path_len;
  int n = snprintf(w->path + saved, sizeof w->path - saved, "[%zu]", index);
  if (n > 0)
    w->path_len = saved + (size_t)n < sizeof w->path ? saved + (size_t)n : sizeof w->path - 1;
  return saved;
}

static void path_pop(struct walk *w, size_t saved)
{
  w->path_len = saved;
  w->path[saved] = '\0';
}

static int check(struct walk *w, const json_t *schema, const json_t *value, int depth);

static int check_type(struct walk *w, const json_t *type, const json_t *value)
{
  if (json_is_string(type)) {
    const char *name = json_string_value(type);
    if (!known_type(name))
      return schema_error(w, "\"type\" names an unknown type");
    if (!matches_type(name, value))
      return value_error(w, "expected %s, got %s", name, value_type(value));
    return 0;
  }
  if (!json_is_array(type) || json_array_size(type) == 0)
    return schema_error(w, "\"type\" must be a type name or a non-empty array of them");
  char expected[160] = "";
  size_t i;
  json_t *item;
  int matched = 0;
  json_array_foreach(type, i, item) {
    if (!json_is_string(item) || !known_type(json_string_value(item)))
      return schema_error(w, "\"type\" lists something that is not a known type name");
    matched |= matches_type(json_string_value(item), value);
    size_t used = strlen(expected);
    snprintf(expected + used, sizeof expected - used, "%s%s", i ? " or " : "", json_string_value(item));
  }
  if (!matched)
    return value_error(w, "expected %s, got %s", expected, value_type(value));
  return 0;
}

static int check_enum(struct walk *w, const json_t *choices, const json_t *value)
{
  if (!json_is_array(choices) || json_array_size(choices) == 0)
    return schema_error(w, "\"enum\" must be a non-empty array");
  size_t i;
  json_t *choice;
  json_array_foreach(choices, i, choice) {
    if (json_equal(choice, value))
      return 0;
    if (json_is_number(choice) && json_is_number(value) && json_number_value(choice) == json_number_value(value))
      return 0;
  }
  char *shown = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  char *allowed = json_dumps(choices, JSON_COMPACT);
  value_error(w, "%.80s is not one of %.120s", shown ? shown : "the value", allowed ? allowed : "the allowed values");
  free(shown);
  free(allowed);
  return -1;
}

static int check_object(struct walk *w, const json_t *schema, const json_t *value, int depth)
{
  const json_t *properties = json_object_get(schema, "properties");
  const json_t *required = json_object_get(schema, "required");
  const json_t *additional = json_object_get(schema, "additionalProperties");
  if (properties && !json_is_object(properties))
    return schema_error(w, "\"properties\" must be an object");
  if (required && !json_is_array(required))
    return schema_error(w, "\"required\" must be an array of names");
  if (required) {
    size_t i;
    json_t *name;
    json_array_foreach(required, i, name) {
      if (!json_is_string(name))
        return schema_error(w, "\"required\" must be an array of names");
      if (!json_object_get(value, json_string_value(name)))
        return value_error(w, "the member \"%s\" is required%s", json_string_value(name), "");
    }
  }
  const char *key;
  json_t *member;
  json_object_foreach((json_t *)value, key, member) {
    const json_t *sub = properties ? json_object_get(properties, key) : NULL;
    if (!sub) {
      if (json_is_false(additional))
        return value_error(w, "the member \"%s\" is not allowed (additionalProperties is false)%s", key, "");
      continue;
    }
    size_t saved = path_push_name(w, key);
    int rc = check(w, sub, member, depth + 1);
    if (rc != 0)
      return rc;
    path_pop(w, saved);
  }
  return 0;
}

static int check_array(struct walk *w, const json_t *items, const json_t *value, int depth)
{
  size_t i;
  json_t *element;
  json_array_foreach(value, i, element) {
    size_t saved = path_push_index(w, i);
    if (check(w, items, element, depth + 1) != 0)
      return -1;
    path_pop(w, saved);
  }
  return 0;
}

static int check(struct walk *w, const json_t *schema, const json_t *value, int depth)
{
  if (depth > DEPTH_MAX)
    return schema_error(w, "nesting is deeper than 64 levels");
  if (json_is_true(schema))
    return 0;
  if (!json_is_object(schema))
    return schema_error(w, "a schema must be an object");
  const json_t *type = json_object_get(schema, "type");
  if (type && check_type(w, type, value) != 0)
    return -1;
  const json_t *choices = json_object_get(schema, "enum");
  if (choices && check_enum(w, choices, value) != 0)
    return -1;
  if (json_is_object(value) && check_object(w, schema, value, depth) != 0)
    return -1;
  const json_t *items = json_object_get(schema, "items");
  if (items && json_is_array(value) && check_array(w, items, value, depth) != 0)
    return -1;
  return 0;
}

int llm_schema_check(const json_t *schema, const json_t *value, struct growth_error *err)
{
  if (!schema || !value)
    return error_set(err, ERR_BAD_ARGUMENT, "schema check: the schema and the value are both required");
  struct walk w = { .path = "$", .path_len = 1, .err = err };
  return check(&w, schema, value, 0);
}
