/*
 * test_openai_wire.c — OpenAI request bodies and the parsing of answers, errors
 * and rate-limit headers (shared/docs/external-apis.md section 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm/openai_wire.h"

static json_t *parse(const char *text)
{
  json_error_t jerr;
  json_t *value = json_loads(text, 0, &jerr);
  if (!value)
    fail_msg("bad test JSON: %s", jerr.text);
  return value;
}

static void test_chat_body_plain(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct llm_message messages[] = { { "system", "You are a concise coach." }, { "user", "Reframe: I fail." } };
  struct llm_chat_request request = { .model = "gpt-4o-mini", .messages = messages, .message_count = 2,
                                      .temperature = 0.4, .max_tokens = 400 };
  json_t *body = openai_chat_body(&request, &err);
  assert_non_null(body);
  json_t *expected = parse("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a "
                           "concise coach.\"},{\"role\":\"user\",\"content\":\"Reframe: I fail.\"}],"
                           "\"temperature\":0.4,\"max_completion_tokens\":400}");
  assert_true(json_equal(body, expected));
  json_decref(expected);
  json_decref(body);
  request.temperature = -1;
  request.max_tokens = 0;
  body = openai_chat_body(&request, &err);
  assert_null(json_object_get(body, "temperature"));
  assert_null(json_object_get(body, "max_completion_tokens"));
  json_decref(body);
}

static void test_chat_body_json_mode(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  json_t *schema = parse("{\"type\":\"object\",\"required\":[\"reframe\"],\"properties\":{\"reframe\":{\"type\":\"string\"}}}");
  struct llm_message messages[] = { { "user", "Reframe: I always fail at habits." } };
  struct llm_chat_request request = { .model = "m", .messages = messages, .message_count = 1, .temperature = -1,
                                      .schema = schema };
  json_t *body = openai_chat_body(&request, &err);
  assert_non_null(body);
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "response_format"), "type")),
                      "json_object");
  const json_t *list = json_object_get(body, "messages");
  assert_int_equal(json_array_size(list), 2);
  const char *instruction = json_string_value(json_object_get(json_array_get(list, 0), "content"));
  assert_non_null(strstr(instruction, "json"));  /* JSON mode demands the word */
  assert_non_null(strstr(instruction, "\"required\":[\"reframe\"]"));
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "role")), "user");
  json_decref(body);
  json_decref(schema);
  json_t *array_schema = parse("{\"type\":\"array\"}");
  request.schema = array_schema;
  assert_null(openai_chat_body(&request, &err));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  json_decref(array_schema);
}

static void test_chat_body_refusals(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct llm_message bad_role[] = { { "wizard", "x" } };
  struct llm_chat_request request = { .model = "m", .messages = bad_role, .message_count = 1, .temperature = -1 };
  assert_null(openai_chat_body(&request, &err));
  assert_string_equal(err.message, "llm: message 1 has role 'wizard'; expected system, developer, user, assistant or tool");
  struct llm_message bad_utf8[] = { { "user", "\xFF" } };
  request.messages = bad_utf8;
  assert_null(openai_chat_body(&request, &err));
  request.messages = NULL;
  request.message_count = 0;
  assert_null(openai_chat_body(&request, &err));
  struct llm_message fine[] = { { "user", "x" } };
  request.messages = fine;
  request.message_count = 1;
  request.temperature = 2.5;
  assert_null(openai_chat_body(&request, &err));
  request.temperature = -1;
  request.model = NULL;
  assert_null(openai_chat_body(&request, &err));
  assert_int_equal(err.code, ERR_BAD_CONFIG);
}

static void test_chat_parse(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct llm_usage usage;
  char *content = NULL;
  const char *ok = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                   "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"reframe\\\":\\\"I learn\\\"}\","
                   "\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":42,"
                   "\"completion_tokens\":31,\"total_tokens\":73}}";
  assert_int_equal(openai_chat_parse(ok, strlen(ok), &content, &usage, &err), 0);
  assert_string_equal(content, "{\"reframe\":\"I learn\"}");
  assert_int_equal(usage.prompt_tokens, 42);
  assert_int_equal(usage.completion_tokens, 31);
  assert_int_equal(usage.total_tokens, 73);
  free(content);
  const char *cases[][2] = {
    { "{\"choices\":[{\"message\":{\"content\":\"{\\\"a\\\":\",\"refusal\":null},\"finish_reason\":\"length\"}]}",
      "llm: the answer was cut off at the token limit (finish_reason length); raise max_tokens" },
    { "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}",
      "llm: the model refused: I can't help with that." },
    { "{\"choices\":[]}", "llm: the chat answer has no choices[0].message" },
    { "not json", "llm: the chat answer is not a JSON object" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(openai_chat_parse(cases[i][0], strlen(cases[i][0]), &content, &usage, &err), -1);
    assert_int_equal(err.code, ERR_UPSTREAM);
    assert_false(err.retryable);
    assert_string_equal(err.message, cases[i][1]);
    assert_null(content);
  }
}

static void test_json_answer(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  json_t *schema = parse("{\"type\":\"object\",\"required\":[\"n\"],\"properties\":{\"n\":{\"type\":\"integer\"}}}");
  json_t *value = NULL;
  assert_int_equal(llm_json_answer("  {\"n\": 3}\n", schema, &value, &err), 0);
  assert_int_equal(json_integer_value(json_object_get(value, "n")), 3);
  json_decref(value);
  assert_int_equal(llm_json_answer("```json\n{\"n\": 4}\n```", schema, &value, &err), 0);
  json_decref(value);
  assert_int_equal(llm_json_answer("{\"n\": \"four\"}", schema, &value, &err), -1);
  assert_string_equal(err.message, "the answer does not match the schema at $.n: expected integer, got string");
  char *repair = llm_repair_message(&err);
  assert_non_null(strstr(repair, "expected integer, got string"));
  assert_non_null(strstr(repair, "json only"));
  free(repair);
  assert_int_equal(llm_json_answer("{\"n\": 3", schema, &value, &err), -1);
  assert_int_equal(err.code, ERR_UPSTREAM);
  assert_non_null(strstr(err.message, "llm: the answer is not valid JSON"));
  assert_null(value);
  json_decref(schema);
}

static void test_embeddings(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  const char *texts[] = { "first text", "second text" };
  json_t *body = openai_embeddings_body("text-embedding-3-small", texts, 2, 256, &err);
  json_t *expected = parse("{\"model\":\"text-embedding-3-small\",\"input\":[\"first text\",\"second text\"],"
                           "\"encoding_format\":\"float\",\"dimensions\":256}");
  assert_true(json_equal(body, expected));
  json_decref(body);
  json_decref(expected);
  const char *with_empty[] = { "a", "" };
  assert_null(openai_embeddings_body("m", with_empty, 2, 0, &err));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);

  /* Items out of order: matched by index, not position. */
  const char *answer = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.5,0.25]},"
                       "{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,0]}],\"usage\":{\"prompt_tokens\":8,"
                       "\"total_tokens\":8}}";
  float *vectors;
  size_t dim;
  struct llm_usage usage;
  assert_int_equal(openai_embeddings_parse(answer, strlen(answer), 2, &vectors, &dim, &usage, &err), 0);
  assert_int_equal(dim, 2);
  assert_true(vectors[0] == 1.0f && vectors[1] == 0.0f && vectors[2] == 0.5f && vectors[3] == 0.25f);
  assert_int_equal(usage.total_tokens, 8);
  free(vectors);
  const char *bad[] = {
    "{\"data\":[{\"index\":0,\"embedding\":[1,0]}]}",
    "{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":0,\"embedding\":[1,0]}]}",
    "{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":1,\"embedding\":[1]}]}",
    "{\"data\":[{\"index\":0,\"embedding\":[1,0]},{\"index\":2,\"embedding\":[1,0]}]}",
    "{\"data\":[{\"index\":0,\"embedding\":[1,\"x\"]},{\"index\":1,\"embedding\":[1,0]}]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(openai_embeddings_parse(bad[i], strlen(bad[i]), 2, &vectors, &dim, &usage, &err), -1);
    assert_int_equal(err.code, ERR_UPSTREAM);
    assert_null(vectors);
  }
}

static void test_errors(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  const char *bad_key = "{\"error\":{\"message\":\"Incorrect API key provided: sk-abc123***wxyz. You can find your "
                        "API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                        "\"param\":null,\"code\":\"invalid_api_key\"}}";
  openai_error(401, bad_key, strlen(bad_key), &err);
  assert_int_equal(err.code, ERR_UNAUTHORIZED);
  assert_int_equal(err.status, 401);
  assert_null(strstr(err.message, "abc123"));
  assert_non_null(strstr(err.message, "llm: the API answered 401 (invalid_api_key): Incorrect API key provided: sk-***."));
  const char *quota = "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
                      "\"param\":null,\"code\":\"insufficient_quota\"}}";
  openai_error(429, quota, strlen(quota), &err);
  assert_int_equal(err.code, ERR_UPSTREAM);
  assert_false(err.retryable);
  const char *rate = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                     "\"code\":\"rate_limit_exceeded\"}}";
  openai_error(429, rate, strlen(rate), &err);
  assert_int_equal(err.code, ERR_RATE_LIMITED);
  assert_true(err.retryable);
  const char *vllm = "{\"object\":\"error\",\"message\":\"model not loaded\",\"type\":\"NotFoundError\",\"code\":404}";
  openai_error(404, vllm, strlen(vllm), &err);
  assert_int_equal(err.code, ERR_NOT_FOUND);
  assert_string_equal(err.message, "llm: the API answered 404 (NotFoundError): model not loaded");
  openai_error(503, "<html>Bad gateway\n</html>", 25, &err);
  assert_int_equal(err.code, ERR_UNAVAILABLE);
  assert_true(err.retryable);
  assert_string_equal(err.message, "llm: the API answered 503 (no error code): <html>Bad gateway </html>");
  const char *bad_request = "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}";
  openai_error(400, bad_request, strlen(bad_request), &err);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
}

static void test_rate_limit_waits(void **state)
{
  (void)state;
  assert_int_equal(openai_parse_duration_ms("6m0s"), 360000);
  assert_int_equal(openai_parse_duration_ms("1.5s"), 1500);
  assert_int_equal(openai_parse_duration_ms("12ms"), 12);
  assert_int_equal(openai_parse_duration_ms("1h2m3s"), 3723000);
  assert_int_equal(openai_parse_duration_ms("250us"), 1);
  assert_int_equal(openai_parse_duration_ms("0"), 0);
  assert_int_equal(openai_parse_duration_ms("5"), -1);
  assert_int_equal(openai_parse_duration_ms("abc"), -1);
  assert_int_equal(openai_parse_duration_ms("-1s"), -1);
  assert_int_equal(openai_retry_delay_ms("20", "0", "1s", "0", "6m0s"), 20000);
  assert_int_equal(openai_retry_delay_ms(NULL, "0", "1.5s", "100", "6m0s"), 1500);
  assert_int_equal(openai_retry_delay_ms(NULL, "0", "1.5s", "0", "6m0s"), 360000);
  assert_int_equal(openai_retry_delay_ms(NULL, "3", "1.5s", "100", "6m0s"), -1);
  assert_int_equal(openai_retry_delay_ms("soon", NULL, NULL, NULL, NULL), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chat_body_plain),
    cmocka_unit_test(test_chat_body_json_mode),
    cmocka_unit_test(test_chat_body_refusals),
    cmocka_unit_test(test_chat_parse),
    cmocka_unit_test(test_json_answer),
    cmocka_unit_test(test_embeddings),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_rate_limit_waits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
