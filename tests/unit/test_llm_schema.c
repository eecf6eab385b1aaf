/*
 * test_llm_schema.c — the JSON-schema subset check of model answers, with the
 * exact error paths it reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "providers/llm/llm_schema.h"

static const char *const reframe_schema =
  "{\"type\":\"object\",\"required\":[\"reframes\",\"mood\"],\"additionalProperties\":false,"
  " \"properties\":{"
  "  \"mood\":{\"type\":\"string\",\"enum\":[\"low\",\"steady\",\"high\"]},"
  "  \"score\":{\"type\":\"integer\"},"
  "  \"note\":{\"type\":[\"string\",\"null\"]},"
  "  \"reframes\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"belief\",\"reframe\"],"
  "    \"properties\":{\"belief\":{\"type\":\"string\"},\"reframe\":{\"type\":\"string\"},"
  "                   \"confidence\":{\"type\":\"number\"}}}}}}";

/* Checks text against reframe_schema; returns the error (code NONE when it conforms). */
static struct growth_error check_text(const char *schema_text, const char *value_text)
{
  json_error_t jerr;
  json_t *schema = json_loads(schema_text, 0, &jerr);
  if (!schema)
    fail_msg("bad test schema: %s", jerr.text);
  json_t *value = json_loads(value_text, JSON_DECODE_ANY, &jerr);
  if (!value)
    fail_msg("bad test value: %s", jerr.text);
  struct growth_error err = { 0 };
  int rc = llm_schema_check(schema, value, &err);
  assert_int_equal(rc, err.code == ERR_NONE ? 0 : -1);
  json_decref(schema);
  json_decref(value);
  return err;
}

static void expect_ok(const char *value)
{
  struct growth_error err = check_text(reframe_schema, value);
  if (err.code != ERR_NONE)
    fail_msg("expected a match, got: %s", err.message);
}

static void expect_error(const char *value, const char *message)
{
  struct growth_error err = check_text(reframe_schema, value);
  assert_int_equal(err.code, ERR_UPSTREAM);
  assert_false(err.retryable);
  assert_string_equal(err.message, message);
}

static void test_accepts_conforming_answers(void **state)
{
  (void)state;
  expect_ok("{\"mood\":\"low\",\"reframes\":[]}");
  expect_ok("{\"mood\":\"high\",\"score\":3,\"note\":null,\"reframes\":[{\"belief\":\"I fail\","
            "\"reframe\":\"I learn\",\"confidence\":0.5}]}");
  expect_ok("{\"mood\":\"steady\",\"score\":4.0,\"note\":\"ok\",\"reframes\":[{\"belief\":\"a\",\"reframe\":\"b\","
            "\"confidence\":1}]}");
}

static void test_reports_precise_paths(void **state)
{
  (void)state;
  expect_error("[]", "the answer does not match the schema at $: expected object, got array");
  expect_error("{\"mood\":\"low\"}", "the answer does not match the schema at $: the member \"reframes\" is required");
  expect_error("{\"mood\":\"sad\",\"reframes\":[]}",
               "the answer does not match the schema at $.mood: \"sad\" is not one of [\"low\",\"steady\",\"high\"]");
  expect_error("{\"mood\":\"low\",\"score\":2.5,\"reframes\":[]}",
               "the answer does not match the schema at $.score: expected integer, got number");
  expect_error("{\"mood\":\"low\",\"note\":3,\"reframes\":[]}",
               "the answer does not match the schema at $.note: expected string or null, got integer");
  expect_error("{\"mood\":\"low\",\"reframes\":[{\"belief\":\"a\",\"reframe\":\"b\"},{\"belief\":\"c\"}]}",
               "the answer does not match the schema at $.reframes[1]: the member \"reframe\" is required");
  expect_error("{\"mood\":\"low\",\"reframes\":[{\"belief\":\"a\",\"reframe\":[\"b\"]}]}",
               "the answer does not match the schema at $.reframes[0].reframe: expected string, got array");
  expect_error("{\"mood\":\"low\",\"reframes\":[],\"extra\":1}",
               "the answer does not match the schema at $: the member \"extra\" is not allowed (additionalProperties is false)");
}

static void test_odd_member_names_are_quoted(void **state)
{
  (void)state;
  struct growth_error err = check_text("{\"properties\":{\"first name\":{\"type\":\"string\"}}}", "{\"first name\":1}");
  assert_string_equal(err.message, "the answer does not match the schema at $[\"first name\"]: expected string, got integer");
}

static void test_enum_compares_numbers_by_value(void **state)
{
  (void)state;
  struct growth_error err = check_text("{\"enum\":[1,2,3]}", "2.0");
  assert_int_equal(err.code, ERR_NONE);
  err = check_text("{\"enum\":[1,2,3]}", "4");
  assert_int_equal(err.code, ERR_UPSTREAM);
}

static void test_refuses_malformed_schemas(void **state)
{
  (void)state;
  struct growth_error err = check_text("{\"type\":\"text\"}", "\"x\"");
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_string_equal(err.message, "schema for $: \"type\" names an unknown type");
  err = check_text("{\"properties\":{\"a\":{\"properties\":{\"b\":{\"required\":\"b\"}}}}}", "{\"a\":{\"b\":{}}}");
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_string_equal(err.message, "schema for $.a.b: \"required\" must be an array of names");
  err = check_text("{\"items\":{\"enum\":[]}}", "[1]");
  assert_string_equal(err.message, "schema for $[0]: \"enum\" must be a non-empty array");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accepts_conforming_answers),
    cmocka_unit_test(test_reports_precise_paths),
    cmocka_unit_test(test_odd_member_names_are_quoted),
    cmocka_unit_test(test_enum_compares_numbers_by_value),
    cmocka_unit_test(test_refuses_malformed_schemas),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
