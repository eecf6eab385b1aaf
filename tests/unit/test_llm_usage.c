/*
 * test_llm_usage.c — the per-job tally of LLM usage: rows per model, chat and
 * embed calls apart, the "other" row past LLM_TALLY_MODELS, and its JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm/llm_usage.h"

static struct llm_call_usage call(enum llm_call_kind kind, const char *model, long prompt, long completion,
                                  long embedding, int requests)
{
  struct llm_call_usage usage;
  llm_call_usage_init(&usage, kind, model);
  usage.prompt_tokens = prompt;
  usage.completion_tokens = completion;
  usage.embedding_tokens = embedding;
  usage.requests = requests;
  return usage;
}

static char *dump(const struct llm_tally *tally)
{
  json_t *value = llm_tally_json(tally);
  assert_non_null(value);
  char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(value);
  assert_non_null(text);
  return text;
}

static void test_adds_calls_per_model(void **state)
{
  (void)state;
  struct llm_tally tally = { 0 };
  struct llm_call_usage a = call(LLM_CALL_CHAT, "gpt-4o-mini", 20, 5, 0, 1);
  struct llm_call_usage b = call(LLM_CALL_CHAT, "gpt-4o-mini", 30, 7, 0, 2);
  struct llm_call_usage c = call(LLM_CALL_EMBED, "text-embedding-3-small", 0, 0, 11, 2);
  llm_tally_add(&tally, &a);
  llm_tally_add(&tally, &b);
  llm_tally_add(&tally, &c);
  llm_tally_add(NULL, &c);
  llm_tally_add(&tally, NULL);
  assert_int_equal(tally.row_count, 2);
  assert_int_equal(tally.rows[0].chat_calls, 2);
  assert_int_equal(tally.rows[0].embed_calls, 0);
  assert_int_equal(tally.rows[1].embed_calls, 1);
  struct llm_tally_row total;
  llm_tally_totals(&tally, &total);
  assert_int_equal(total.prompt_tokens, 50);
  assert_int_equal(total.completion_tokens, 12);
  assert_int_equal(total.embedding_tokens, 11);
  assert_int_equal(total.requests, 5);
  char *text = dump(&tally);
  assert_string_equal(text, "{\"calls\":3,\"completionTokens\":12,\"embeddingTokens\":11,\"models\":{"
                            "\"gpt-4o-mini\":{\"calls\":2,\"completionTokens\":12,\"embeddingTokens\":0,"
                            "\"promptTokens\":50,\"requests\":3},"
                            "\"text-embedding-3-small\":{\"calls\":1,\"completionTokens\":0,\"embeddingTokens\":11,"
                            "\"promptTokens\":0,\"requests\":2}},"
                            "\"promptTokens\":50,\"requests\":5}");
  free(text);
}

static void test_models_past_the_limit_go_to_other(void **state)
{
  (void)state;
  struct llm_tally tally = { 0 };
  const char *models[] = { "m1", "m2", "m3", "m4", "m5", "m6" };
  for (size_t i = 0; i < 6; i++) {
    struct llm_call_usage usage = call(LLM_CALL_CHAT, models[i], 10, 1, 0, 1);
    llm_tally_add(&tally, &usage);
  }
  assert_int_equal(tally.row_count, LLM_TALLY_MODELS);
  assert_string_equal(tally.rows[LLM_TALLY_MODELS - 1].model, "other");
  assert_int_equal(tally.rows[LLM_TALLY_MODELS - 1].chat_calls, 3);
  struct llm_tally_row total;
  llm_tally_totals(&tally, &total);
  assert_int_equal(total.prompt_tokens, 60);
  assert_int_equal(total.chat_calls, 6);
}

static void test_empty_and_unnamed(void **state)
{
  (void)state;
  struct llm_tally tally = { 0 };
  char *text = dump(&tally);
  assert_string_equal(text, "{\"calls\":0,\"completionTokens\":0,\"embeddingTokens\":0,\"models\":{},"
                            "\"promptTokens\":0,\"requests\":0}");
  free(text);
  struct llm_call_usage usage = call(LLM_CALL_EMBED, NULL, 0, 0, 0, 0);
  assert_string_equal(usage.model, "unknown");
  usage = call(LLM_CALL_CHAT, LLM_OFFLINE_MODEL, 0, 0, 0, 0);
  llm_tally_add(&tally, &usage);
  assert_string_equal(tally.rows[0].model, "offline");
  assert_int_equal(tally.rows[0].chat_calls, 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_adds_calls_per_model),
    cmocka_unit_test(test_models_past_the_limit_go_to_other),
    cmocka_unit_test(test_empty_and_unnamed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
