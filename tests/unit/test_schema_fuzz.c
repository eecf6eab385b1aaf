/*
 * test_schema_fuzz.c — randomised properties of the two parsers of untrusted
 * job data: the input validator and the JSON <-> Lua marshalling.
 *
 * A fixed-seed generator makes random schemas (well-formed by construction)
 * and random JSON values; for thousands of pairs it checks that the schema
 * passes schema_check, that validation never crashes, that every violation
 * names a path under the root, that validation is idempotent once defaults are
 * filled in, and that JSON pushed into a sandbox and read back is unchanged.
 * Under the sanitized build this doubles as a memory-safety fuzz run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/schema.h"
#include "lua/marshal.h"
#include "lua/sandbox.h"

#define ROUNDS 20000

static uint64_t seed = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return seed;
}

static int pick(int count)
{
  return (int)(next_random() % (uint64_t)count);
}

static const char *const types[] = { "string", "number", "integer", "boolean", "array", "object" };
static const char *const names[] = { "a", "b", "beliefs", "days", "mood", "x_1" };

/* A random JSON value; no nulls in objects and no empty arrays, so it survives a round trip
 * through Lua unchanged. */
static json_t *random_value(int depth)
{
  switch (pick(depth > 3 ? 4 : 6)) {
  case 0: {
    char text[16];
    snprintf(text, sizeof text, "s%d", pick(1000));
    return json_string(pick(4) ? text : "\xc3\xa9t\xc3\xa9");
  }
  case 1: return json_integer(pick(2001) - 1000);
  case 2: return json_real((double)pick(1000) / 8.0 + 0.5);
  case 3: return json_boolean(pick(2));
  case 4: {
    json_t *array = json_array();
    int count = 1 + pick(4);
    for (int i = 0; i < count; i++)
      json_array_append_new(array, random_value(depth + 1));
    return array;
  }
  default: {
    json_t *object = json_object();
    int count = pick(4);
    for (int i = 0; i < count; i++)
      json_object_set_new(object, names[pick(6)], random_value(depth + 1));
    return object;
  }
  }
}

/* A random well-formed field spec. */
static json_t *random_spec(int depth)
{
  const char *type = types[pick(depth > 2 ? 4 : 6)];
  if (pick(3) == 0)
    return json_string(type);
  json_t *spec = json_pack("{s:s}", "type", type);
  if (pick(3) == 0)
    json_object_set_new(spec, "required", json_true());
  if (strcmp(type, "boolean") != 0 && pick(2)) {
    int low = pick(5);
    json_object_set_new(spec, "min", json_integer(low));
    if (pick(2))
      json_object_set_new(spec, "max", json_integer(low + pick(5)));
  }
  if (strcmp(type, "array") == 0 && pick(2))
    json_object_set_new(spec, "items", random_spec(depth + 1));
  if (strcmp(type, "object") == 0 && pick(2)) {
    json_t *fields = json_object();
    for (int i = pick(3); i > 0; i--)
      json_object_set_new(fields, names[pick(6)], random_spec(depth + 1));
    json_object_set_new(spec, "fields", fields);
  }
  if (strcmp(type, "string") == 0 && pick(4) == 0)
    json_object_set_new(spec, "enum", json_pack("[s,s]", "s1", "s2"));
  if (strcmp(type, "integer") == 0 && pick(4) == 0 && !json_object_get(spec, "min"))
    json_object_set_new(spec, "default", json_integer(3));
  return spec;
}

static void test_validator_properties(void **state)
{
  (void)state;
  for (int round = 0; round < ROUNDS; round++) {
    json_t *schema = json_object();
    for (int i = pick(4); i > 0; i--)
      json_object_set_new(schema, names[pick(6)], random_spec(0));
    json_t *problems = json_array();
    if (schema_check(schema, problems) != 0) {
      char *text = json_dumps(schema, JSON_COMPACT);
      fail_msg("round %d: a well-formed schema was refused: %s: %s", round, text,
               json_string_value(json_array_get(problems, 0)));
    }
    json_t *input = pick(5) ? random_value(1) : json_object();
    if (json_is_object(input) && pick(2)) {   /* sometimes an input made to fit better */
      json_object_clear(input);
      const char *key;
      json_t *spec;
      json_object_foreach(schema, key, spec) {
        if (pick(3))
          json_object_set_new(input, key, random_value(1));
      }
    }
    json_t *violations = json_array();
    size_t count = schema_validate(schema, input, "job", violations);
    assert_int_equal(count, json_array_size(violations));
    size_t index;
    json_t *message;
    json_array_foreach(violations, index, message) {
      const char *text = json_string_value(message);
      assert_true(strncmp(text, "job", 3) == 0 || strncmp(text, "input", 5) == 0);
    }
    if (count == 0) {
      json_t *again = json_array();
      assert_int_equal(schema_validate(schema, input, "job", again), 0);
      json_decref(again);
    }
    json_decref(violations);
    json_decref(problems);
    json_decref(input);
    json_decref(schema);
  }
}

static void test_marshal_round_trip(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sandbox_options options = { 0 };
  struct sandbox *sandbox = sandbox_new(&options, &err);
  assert_non_null(sandbox);
  struct lua_State *L = sandbox_state(sandbox);
  for (int round = 0; round < ROUNDS; round++) {
    json_t *value = random_value(0);
    if (json_is_object(value) && json_object_size(value) == 0)
      json_object_set_new(value, "k", json_true());
    marshal_push_json(L, value);
    json_t *back = marshal_to_json(L, -1, "value", 1 << 20, &err);
    if (!back || !json_equal(value, back)) {
      char *sent = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
      fail_msg("round %d: %s came back as %s", round, sent, back ? "something else" : err.message);
    }
    json_decref(back);
    json_decref(value);
    lua_settop(L, 0);
  }
  sandbox_free(sandbox);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_validator_properties),
    cmocka_unit_test(test_marshal_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
