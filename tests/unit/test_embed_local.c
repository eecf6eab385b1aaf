/*
 * test_embed_local.c — the offline embedding: dimension, unit length, stable
 * output, and texts that share words closer than unrelated ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm/embed_local.h"

static const char *const texts[] = {
  "I help small bakeries sell sourdough bread online",
  "Selling sourdough bread online for local bakeries",
  "Coaching first-time marathon runners through injury recovery",
  "Marathon training plans and injury recovery for runners",
};
#define TEXT_COUNT (sizeof texts / sizeof texts[0])

static float *embed(const char *const *input, size_t count, size_t dim)
{
  float *out = malloc(count * dim * sizeof *out);
  assert_non_null(out);
  struct growth_error err = { 0 };
  if (embed_local(input, count, dim, out, &err) != 0)
    fail_msg("embed_local failed: %s", err.message);
  return out;
}

static void test_vectors_are_unit_length(void **state)
{
  (void)state;
  float *v = embed(texts, TEXT_COUNT, EMBED_LOCAL_DEFAULT_DIM);
  for (size_t i = 0; i < TEXT_COUNT; i++) {
    const float *row = v + i * EMBED_LOCAL_DEFAULT_DIM;
    assert_true(fabs(embed_local_dot(row, row, EMBED_LOCAL_DEFAULT_DIM) - 1.0) < 1e-5);
  }
  free(v);
}

static void test_similar_texts_are_closer(void **state)
{
  (void)state;
  const size_t dim = EMBED_LOCAL_DEFAULT_DIM;
  float *v = embed(texts, TEXT_COUNT, dim);
  double bakery_pair = embed_local_dot(v, v + dim, dim);
  double runner_pair = embed_local_dot(v + 2 * dim, v + 3 * dim, dim);
  double across_a = embed_local_dot(v, v + 2 * dim, dim);
  double across_b = embed_local_dot(v + dim, v + 3 * dim, dim);
  assert_true(bakery_pair > across_a && bakery_pair > across_b);
  assert_true(runner_pair > across_a && runner_pair > across_b);
  assert_true(bakery_pair > 0.3);
  free(v);
}

static void test_case_and_punctuation_do_not_matter(void **state)
{
  (void)state;
  const char *const pair[] = { "Sourdough, BREAD; online!", "sourdough bread online" };
  float *v = embed(pair, 2, 128);
  assert_true(fabs(embed_local_dot(v, v + 128, 128) - 1.0) < 1e-6);
  free(v);
}

static void test_output_is_stable(void **state)
{
  (void)state;
  float *a = embed(texts, TEXT_COUNT, 256);
  float *b = embed(texts, TEXT_COUNT, 256);
  assert_memory_equal(a, b, TEXT_COUNT * 256 * sizeof(float));
  /* Pinned values: a change of tokenizer, hash or weighting shows up here. A single
   * text gets idf 1, and "a b a" has unigrams a (twice), b, bigrams "a b", "b a". */
  const char *const one[] = { "a b a" };
  float *v = embed(one, 1, 1024);
  double tf_a = 1.0 + log(2.0), norm = sqrt(tf_a * tf_a + 3.0);
  int nonzero = 0;
  double largest = 0.0;
  for (size_t i = 0; i < 1024; i++) {
    if (v[i] != 0.0f)
      nonzero++;
    if (v[i] > largest)
      largest = v[i];
  }
  assert_int_equal(nonzero, 4);
  assert_true(fabs(largest - tf_a / norm) < 1e-6);
  free(v);
  free(a);
  free(b);
}

static void test_non_ascii_words_count(void **state)
{
  (void)state;
  const char *const pair[] = { "café crème à Paris", "un café crème", "日本語 テキスト" };
  float *v = embed(pair, 3, 256);
  assert_true(embed_local_dot(v, v + 256, 256) > embed_local_dot(v, v + 512, 256));
  free(v);
}

static void test_punctuation_only_gives_zero_vector(void **state)
{
  (void)state;
  const char *const one[] = { "?!... --" };
  float *v = embed(one, 1, 64);
  for (size_t i = 0; i < 64; i++)
    assert_true(v[i] == 0.0f);
  free(v);
}

static void test_refuses_bad_arguments(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  float out[8];
  const char *const empty[] = { "fine", "" };
  assert_int_equal(embed_local(empty, 2, 4, out, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_non_null(strstr(err.message, "text 2 is empty"));
  assert_int_equal(embed_local(texts, 0, 4, out, &err), -1);
  assert_int_equal(embed_local(texts, 1, 0, out, &err), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors_are_unit_length),
    cmocka_unit_test(test_similar_texts_are_closer),
    cmocka_unit_test(test_case_and_punctuation_do_not_matter),
    cmocka_unit_test(test_output_is_stable),
    cmocka_unit_test(test_non_ascii_words_count),
    cmocka_unit_test(test_punctuation_only_gives_zero_vector),
    cmocka_unit_test(test_refuses_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
