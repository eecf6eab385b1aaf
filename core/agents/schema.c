/*
 * schema.c — checks input schemas and validates inputs against them (see schema.h).
 *
 * Both walks carry the path of the current value in a fixed buffer and append
 * a message to a JSON array for each problem, then go on: an author fixing a
 * schema, or a client fixing a request, sees every problem at once. A spec
 * given as a bare type name ("string") is read as { type = "string" }.
 */
#include "agents/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LENGTH 256
#define MAX_DEPTH 32

static const char *const type_names[] = { "string", "number", "integer", "boolean", "array", "object", NULL };
static const char *const spec_keys[] = { "type", "required", "min", "max", "enum", "items", "fields", "default",
                                         "description", NULL };

static void report(json_t *messages, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(json_t *messages, const char *path, const char *fmt, ...)
{
  char text[512];
  int length = snprintf(text, sizeof text, "%s: ", path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text + length, sizeof text - (size_t)length, fmt, ap);
  va_end(ap);
  json_array_append_new(messages, json_string(text));
}

static int in_list(const char *name, const char *const *list)
{
  for (size_t i = 0; list[i]; i++)
    if (strcmp(name, list[i]) == 0)
      return 1;
  return 0;
}

static void child_path(char *out, const char *parent, const char *field)
{
  if (parent && *parent)
    snprintf(out, PATH_MAX_LENGTH, "%s.%s", parent, field);
  else
    snprintf(out, PATH_MAX_LENGTH, "%s", field);
}

/* The type name of a spec (bare string or {type=...}), or NULL. */
static const char *spec_type(const json_t *spec)
{
  if (json_is_string(spec))
    return json_string_value(spec);
  return json_string_value(json_object_get(spec, "type"));
}

/* The JSON type of a value as the messages name it. */
static const char *value_type(const json_t *value)
{
  switch (json_typeof(value)) {
  case JSON_STRING: return "string";
  case JSON_INTEGER:
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  case JSON_ARRAY: return "array";
  case JSON_OBJECT: return "object";
  default: return "null";
  }
}

static int is_integral(const json_t *value)
{
  if (json_is_integer(value))
    return 1;
  double number = json_real_value(value);
  return json_is_real(value) && isfinite(number) && floor(number) == number;
}

static int type_matches(const char *type, const json_t *value)
{
  if (strcmp(type, "integer") == 0)
    return is_integral(value);
  return strcmp(type, value_type(value)) == 0;
}

static size_t utf8_length(const char *text)
{
  size_t count = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    count += (*p & 0xC0) != 0x80;
  return count;
}

static int compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of object, sorted (so messages come in a stable order whatever order Lua's table had);
 * a malloc'd array the caller frees, NULL when empty or out of memory. */
static const char **sorted_keys(const json_t *object, size_t *count)
{
  *count = json_object_size(object);
  const char **keys = *count ? malloc(*count * sizeof *keys) : NULL;
  if (!keys) {
    *count = 0;
    return NULL;
  }
  size_t i = 0;
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)object, key, value)
    keys[i++] = key;
  qsort(keys, *count, sizeof *keys, compare_keys);
  return keys;
}

static size_t check_fields(const json_t *fields, const char *path, json_t *problems, int depth);

/* A copy of a spec's default. Lua cannot tell an empty list from an empty table and writes {} as
 * an object, so an empty object default of an array field is an empty array. */
static json_t *default_of(const json_t *spec)
{
  json_t *fallback = json_is_object(spec) ? json_object_get(spec, "default") : NULL;
  if (!fallback)
    return NULL;
  if (json_is_object(fallback) && json_object_size(fallback) == 0 && strcmp(spec_type(spec), "array") == 0)
    return json_array();
  return json_deep_copy(fallback);
}

static size_t validate_value(const json_t *spec, json_t *value, const char *path, json_t *violations, int depth);

static size_t check_spec(const json_t *spec, const char *path, json_t *problems, int depth)
{
  size_t before = json_array_size(problems);
  if (depth > MAX_DEPTH) {
    report(problems, path, "the schema nests deeper than %d levels", MAX_DEPTH);
    return 1;
  }
  const char *type = spec_type(spec);
  if (!json_is_string(spec) && !json_is_object(spec)) {
    report(problems, path, "expected a type name or a table with a type, got %s", value_type(spec));
    return 1;
  }
  if (!type) {
    report(problems, path, "the field has no type; expected type = \"string\", \"number\", \"integer\", "
                           "\"boolean\", \"array\" or \"object\"");
    return 1;
  }
  if (!in_list(type, type_names)) {
    report(problems, path, "unknown type '%s'; expected string, number, integer, boolean, array or object", type);
    return 1;
  }
  if (json_is_string(spec))
    return 0;
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)spec, key, value) {
    if (!in_list(key, spec_keys))
      report(problems, path, "unknown key '%s'; expected type, required, min, max, enum, items, fields, default "
                             "or description", key);
  }
  json_t *required = json_object_get(spec, "required");
  if (required && !json_is_boolean(required))
    report(problems, path, "required must be true or false, got %s", value_type(required));
  json_t *min = json_object_get(spec, "min"), *max = json_object_get(spec, "max");
  if (min && !json_is_number(min))
    report(problems, path, "min must be a number, got %s", value_type(min));
  if (max && !json_is_number(max))
    report(problems, path, "max must be a number, got %s", value_type(max));
  if ((min || max) && strcmp(type, "boolean") == 0)
    report(problems, path, "min and max do not apply to a boolean");
  if (json_is_number(min) && json_is_number(max) && json_number_value(min) > json_number_value(max))
    report(problems, path, "min %g is greater than max %g", json_number_value(min), json_number_value(max));
  json_t *allowed = json_object_get(spec, "enum");
  if (allowed && (!json_is_array(allowed) || json_array_size(allowed) == 0))
    report(problems, path, "enum must be a non-empty list of values");
  json_t *items = json_object_get(spec, "items");
  char sub[PATH_MAX_LENGTH];
  if (items) {
    if (strcmp(type, "array") != 0)
      report(problems, path, "items is only for arrays, and the type is %s", type);
    child_path(sub, path, "items");
    check_spec(items, sub, problems, depth + 1);
  }
  json_t *fields = json_object_get(spec, "fields");
  if (fields) {
    if (strcmp(type, "object") != 0)
      report(problems, path, "fields is only for objects, and the type is %s", type);
    check_fields(fields, path, problems, depth + 1);
  }
  json_t *fallback = json_object_get(spec, "default");
  if (fallback && json_array_size(problems) == before) {
    child_path(sub, path, "default");
    json_t *copy = default_of(spec);
    json_t *found = json_array();
    if (copy && found && validate_value(spec, copy, sub, found, depth) > 0) {
      size_t index;
      json_t *message;
      json_array_foreach(found, index, message)
        json_array_append(problems, message);
    }
    json_decref(copy);
    json_decref(found);
  }
  return json_array_size(problems) - before;
}

static size_t check_fields(const json_t *fields, const char *path, json_t *problems, int depth)
{
  if (!json_is_object(fields)) {
    report(problems, path, "expected a table of fields, got %s", value_type(fields));
    return 1;
  }
  size_t count = 0, key_count;
  const char **keys = sorted_keys(fields, &key_count);
  for (size_t i = 0; i < key_count; i++) {
    char sub[PATH_MAX_LENGTH];
    child_path(sub, path, keys[i]);
    count += check_spec(json_object_get(fields, keys[i]), sub, problems, depth);
  }
  free(keys);
  return count;
}

size_t schema_check(const json_t *schema, json_t *problems)
{
  return check_fields(schema, "input", problems, 0);
}

static void check_bounds(const json_t *spec, const char *type, const json_t *value, const char *path,
                         json_t *violations)
{
  json_t *min = json_object_get(spec, "min"), *max = json_object_get(spec, "max");
  if (!min && !max)
    return;
  double measure;
  const char *unit;
  if (strcmp(type, "string") == 0) {
    measure = (double)utf8_length(json_string_value(value));
    unit = " characters";
  } else if (strcmp(type, "array") == 0) {
    measure = (double)json_array_size(value);
    unit = " items";
  } else if (strcmp(type, "object") == 0) {
    measure = (double)json_object_size(value);
    unit = " fields";
  } else {
    measure = json_number_value(value);
    unit = "";
  }
  if (min && measure < json_number_value(min))
    report(violations, path, "expected at least %g%s, got %g", json_number_value(min), unit, measure);
  if (max && measure > json_number_value(max))
    report(violations, path, "expected at most %g%s, got %g", json_number_value(max), unit, measure);
}

static void check_enum(const json_t *spec, const json_t *value, const char *path, json_t *violations)
{
  json_t *allowed = json_object_get(spec, "enum");
  if (!json_is_array(allowed))
    return;
  size_t index;
  json_t *option;
  json_array_foreach(allowed, index, option) {
    if (json_equal(option, value))
      return;
  }
  char *shown = json_dumps(allowed, JSON_COMPACT | JSON_ENCODE_ANY);
  report(violations, path, "expected one of %s", shown ? shown : "the enum values");
  free(shown);
}

/* Validates the fields of object value against the field specs, filling defaults. */
static size_t validate_fields(const json_t *fields, json_t *value, const char *path, json_t *violations, int depth)
{
  size_t before = json_array_size(violations);
  const char *name;
  json_t *spec, *item;
  char sub[PATH_MAX_LENGTH];
  size_t key_count;
  const char **keys = sorted_keys(fields, &key_count);
  for (size_t i = 0; i < key_count; i++) {
    name = keys[i];
    spec = json_object_get(fields, name);
    child_path(sub, path, name);
    item = json_object_get(value, name);
    if (!item || json_is_null(item)) {
      json_t *fallback = spec_type(spec) ? default_of(spec) : NULL;
      if (fallback)
        json_object_set_new(value, name, fallback);
      else if (json_is_object(spec) && json_is_true(json_object_get(spec, "required")))
        report(violations, sub, "required field is missing");
      else if (item)
        json_object_del(value, name);
      continue;
    }
    validate_value(spec, item, sub, violations, depth + 1);
  }
  free(keys);
  json_object_foreach(value, name, item) {
    if (!json_object_get(fields, name)) {
      child_path(sub, path, name);
      report(violations, sub, "unknown field");
    }
  }
  return json_array_size(violations) - before;
}

static size_t validate_value(const json_t *spec, json_t *value, const char *path, json_t *violations, int depth)
{
  size_t before = json_array_size(violations);
  const char *type = spec_type(spec);
  if (!type || depth > MAX_DEPTH)
    return 0;
  if (!type_matches(type, value)) {
    report(violations, path, "expected %s, got %s", type, value_type(value));
    return 1;
  }
  if (json_is_string(spec))
    return 0;
  check_bounds(spec, type, value, path, violations);
  check_enum(spec, value, path, violations);
  json_t *items = json_object_get(spec, "items");
  if (items && json_is_array(value)) {
    size_t index;
    json_t *item;
    json_array_foreach(value, index, item) {
      char sub[PATH_MAX_LENGTH];
      snprintf(sub, sizeof sub, "%s[%zu]", path, index + 1);
      validate_value(items, item, sub, violations, depth + 1);
    }
  }
  json_t *fields = json_object_get(spec, "fields");
  if (fields && json_is_object(value))
    validate_fields(fields, value, path, violations, depth);
  return json_array_size(violations) - before;
}

size_t schema_validate(const json_t *schema, json_t *input, const char *root, json_t *violations)
{
  if (!json_is_object(input)) {
    report(violations, root && *root ? root : "input", "expected object, got %s", value_type(input));
    return 1;
  }
  return validate_fields(schema, input, root, violations, 0);
}

char *schema_join(const json_t *messages)
{
  size_t total = 1, index;
  json_t *message;
  json_array_foreach(messages, index, message)
    total += strlen(json_string_value(message)) + 2;
  char *joined = malloc(total);
  if (!joined)
    return NULL;
  joined[0] = '\0';
  size_t length = 0;
  json_array_foreach(messages, index, message) {
    length += (size_t)snprintf(joined + length, total - length, "%s%s", index ? "; " : "",
                               json_string_value(message));
  }
  return joined;
}
