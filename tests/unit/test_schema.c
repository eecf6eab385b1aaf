/*
 * test_schema.c — input schemas: well-formedness, and validation that reports
 * every violation with its path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "agents/schema.h"

static json_t *parse(const char *text)
{
  json_error_t error;
  json_t *value = json_loads(text, 0, &error);
  if (!value)
    fail_msg("bad JSON in test: %s: %s", text, error.text);
  return value;
}

/* Validates input against schema and compares the joined violations with expected ("" = valid). */
static void expect_violations(const char *schema_text, const char *input_text, const char *expected)
{
  json_t *schema = parse(schema_text), *input = parse(input_text), *violations = json_array();
  json_t *problems = json_array();
  assert_int_equal(schema_check(schema, problems), 0);
  size_t count = schema_validate(schema, input, "mindset", violations);
  char *joined = schema_join(violations);
  if (strcmp(joined, expected) != 0)
    fail_msg("input %s\n got: %s\nwant: %s", input_text, joined, expected);
  assert_int_equal(count == 0, expected[0] == '\0');
  free(joined);
  json_decref(schema);
  json_decref(input);
  json_decref(violations);
  json_decref(problems);
}

static void expect_problems(const char *schema_text, const char *expected)
{
  json_t *schema = parse(schema_text), *problems = json_array();
  schema_check(schema, problems);
  char *joined = schema_join(problems);
  if (strcmp(joined, expected) != 0)
    fail_msg("schema %s\n got: %s\nwant: %s", schema_text, joined, expected);
  free(joined);
  json_decref(schema);
  json_decref(problems);
}

static const char *beliefs =
    "{\"beliefs\": {\"type\": \"array\", \"items\": \"string\", \"min\": 1, \"max\": 3, \"required\": true}}";

static void test_valid_input_passes(void **state)
{
  (void)state;
  expect_violations(beliefs, "{\"beliefs\": [\"a\", \"b\"]}", "");
}

static void test_every_violation_with_path(void **state)
{
  (void)state;
  expect_violations(beliefs, "{\"beliefs\": [\"a\", 2, true]}",
                    "mindset.beliefs[2]: expected string, got number; "
                    "mindset.beliefs[3]: expected string, got boolean");
  expect_violations(beliefs, "{}", "mindset.beliefs: required field is missing");
  expect_violations(beliefs, "{\"beliefs\": []}", "mindset.beliefs: expected at least 1 items, got 0");
  expect_violations(beliefs, "{\"beliefs\": [\"a\",\"b\",\"c\",\"d\"], \"extra\": 1}",
                    "mindset.beliefs: expected at most 3 items, got 4; mindset.extra: unknown field");
}

static void test_types_bounds_enum(void **state)
{
  (void)state;
  const char *schema = "{\"age\": {\"type\": \"integer\", \"min\": 0, \"max\": 130},"
                       " \"score\": \"number\", \"ok\": \"boolean\","
                       " \"mood\": {\"type\": \"string\", \"enum\": [\"calm\", \"bold\"]},"
                       " \"name\": {\"type\": \"string\", \"min\": 2}}";
  expect_violations(schema, "{\"age\": 30, \"score\": 1.5, \"ok\": true, \"mood\": \"calm\", \"name\": \"\xc3\xa9\xc3\xa9\"}",
                    "");
  expect_violations(schema, "{\"age\": 30.0}", "");
  expect_violations(schema, "{\"age\": 1.5, \"score\": \"x\", \"ok\": 1, \"mood\": \"meh\", \"name\": \"\xc3\xa9\"}",
                    "mindset.age: expected integer, got number; mindset.mood: expected one of [\"calm\",\"bold\"]; "
                    "mindset.name: expected at least 2 characters, got 1; mindset.ok: expected boolean, got number; "
                    "mindset.score: expected number, got string");
  expect_violations(schema, "{\"age\": -1}", "mindset.age: expected at least 0, got -1");
}

static void test_nested_fields_and_defaults(void **state)
{
  (void)state;
  const char *schema =
      "{\"profile\": {\"type\": \"object\", \"required\": true, \"fields\": {"
      "   \"email\": {\"type\": \"string\", \"required\": true},"
      "   \"days\": {\"type\": \"integer\", \"default\": 7},"
      "   \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"fields\": {\"k\": \"string\"}}}}}}";
  expect_violations(schema, "{\"profile\": {\"tags\": [{\"k\": \"a\"}, {\"k\": 1, \"z\": 0}]}}",
                    "mindset.profile.email: required field is missing; mindset.profile.tags[2].k: expected string, "
                    "got number; mindset.profile.tags[2].z: unknown field");

  json_t *spec = parse(schema), *input = parse("{\"profile\": {\"email\": \"a@b.c\"}}"), *violations = json_array();
  assert_int_equal(schema_validate(spec, input, NULL, violations), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(input, "profile"), "days")), 7);
  json_decref(spec);
  json_decref(input);
  json_decref(violations);

  spec = parse(beliefs);
  input = parse("[1]");
  violations = json_array();
  assert_int_equal(schema_validate(spec, input, NULL, violations), 1);
  assert_string_equal(json_string_value(json_array_get(violations, 0)), "input: expected object, got array");
  json_decref(spec);
  json_decref(input);
  json_decref(violations);
}

static void test_malformed_schemas(void **state)
{
  (void)state;
  expect_problems("{\"a\": \"strin\"}",
                  "input.a: unknown type 'strin'; expected string, number, integer, boolean, array or object");
  expect_problems("{\"a\": {\"type\": \"string\", \"requird\": true}}",
                  "input.a: unknown key 'requird'; expected type, required, min, max, enum, items, fields, default "
                  "or description");
  expect_problems("{\"a\": {\"type\": \"number\", \"min\": 5, \"max\": 2}}", "input.a: min 5 is greater than max 2");
  expect_problems("{\"a\": {\"type\": \"string\", \"items\": \"string\"}}",
                  "input.a: items is only for arrays, and the type is string");
  expect_problems("{\"a\": {\"type\": \"integer\", \"default\": \"x\"}}",
                  "input.a.default: expected integer, got string");
  expect_problems("{\"a\": {\"required\": true}}",
                  "input.a: the field has no type; expected type = \"string\", \"number\", \"integer\", \"boolean\", "
                  "\"array\" or \"object\"");
  expect_problems("{\"a\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"fields\": {\"b\": 3}}}}",
                  "input.a.items.b: expected a type name or a table with a type, got number");
  expect_problems("{\"a\": {\"type\": \"string\", \"enum\": []}}", "input.a: enum must be a non-empty list of values");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_input_passes),
    cmocka_unit_test(test_every_violation_with_path),
    cmocka_unit_test(test_types_bounds_enum),
    cmocka_unit_test(test_nested_fields_and_defaults),
    cmocka_unit_test(test_malformed_schemas),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
