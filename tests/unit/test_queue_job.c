/*
 * test_queue_job.c — BullMQ's opts JSON both ways, backoff, and reading a job hash (core/queue/queue_job.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue_job.h"

static void test_defaults_write_attempts_like_node(void **state)
{
  (void)state;
  struct queue_job_options options;
  queue_job_options_default(&options);
  struct growth_error err = { 0 };
  char *text = queue_job_options_json(&options, NULL, &err);
  assert_non_null(text);
  assert_string_equal(text, "{\"attempts\":0}");
  free(text);
}

static void test_options_round_trip(void **state)
{
  (void)state;
  struct queue_job_options options, parsed;
  queue_job_options_default(&options);
  options.attempts = 3;
  options.backoff_type = QUEUE_BACKOFF_EXPONENTIAL;
  options.backoff_delay_ms = 1000;
  options.delay_ms = 250;
  options.priority = 7;
  options.lifo = 1;
  options.remove_on_complete.remove_all = 1;
  options.remove_on_fail.count = 10;
  options.remove_on_fail.age_s = 3600;
  options.keep_logs = 5;
  struct growth_error err = { 0 };
  char *text = queue_job_options_json(&options, "custom-1", &err);
  assert_non_null(text);
  assert_non_null(strstr(text, "\"jobId\":\"custom-1\""));
  assert_non_null(strstr(text, "\"type\":\"exponential\""));
  assert_int_equal(queue_job_options_parse(text, &parsed, &err), 0);
  assert_int_equal(parsed.attempts, 3);
  assert_int_equal(parsed.backoff_type, QUEUE_BACKOFF_EXPONENTIAL);
  assert_int_equal(parsed.backoff_delay_ms, 1000);
  assert_int_equal(parsed.delay_ms, 250);
  assert_int_equal(parsed.priority, 7);
  assert_true(parsed.lifo);
  assert_true(parsed.remove_on_complete.remove_all);
  assert_false(parsed.remove_on_fail.remove_all);
  assert_int_equal(parsed.remove_on_fail.count, 10);
  assert_int_equal(parsed.remove_on_fail.age_s, 3600);
  assert_int_equal(parsed.keep_logs, 5);
  free(text);
}

static void test_parse_node_shapes(void **state)
{
  (void)state;
  struct queue_job_options parsed;
  struct growth_error err = { 0 };
  /* Node normalises a bare number to fixed; Redis's cjson reorders keys */
  assert_int_equal(queue_job_options_parse("{\"backoff\":500,\"attempts\":2,\"removeOnComplete\":100}", &parsed, &err), 0);
  assert_int_equal(parsed.backoff_type, QUEUE_BACKOFF_FIXED);
  assert_int_equal(parsed.backoff_delay_ms, 500);
  assert_int_equal(parsed.remove_on_complete.count, 100);
  assert_int_equal(parsed.remove_on_complete.age_s, -1);
  assert_int_equal(queue_job_options_parse("{\"removeOnFail\":false,\"removeOnComplete\":0}", &parsed, &err), 0);
  assert_true(parsed.remove_on_complete.remove_all);
  assert_false(parsed.remove_on_fail.remove_all);
  assert_int_equal(parsed.remove_on_fail.count, -1);
}

static void test_parse_refuses_damaged_opts(void **state)
{
  (void)state;
  struct queue_job_options parsed;
  struct growth_error err = { 0 };
  assert_int_equal(queue_job_options_parse("{not json", &parsed, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_non_null(strstr(err.message, "opts"));
  assert_int_equal(queue_job_options_parse("[1,2]", &parsed, &err), -1);
  assert_int_equal(queue_job_options_parse(NULL, &parsed, &err), -1);
}

static void test_backoff_matches_bullmq(void **state)
{
  (void)state;
  struct queue_job_options options;
  queue_job_options_default(&options);
  assert_int_equal(queue_job_backoff_ms(&options, 0), 0);
  options.backoff_type = QUEUE_BACKOFF_FIXED;
  options.backoff_delay_ms = 300;
  assert_int_equal(queue_job_backoff_ms(&options, 0), 300);
  assert_int_equal(queue_job_backoff_ms(&options, 4), 300);
  options.backoff_type = QUEUE_BACKOFF_EXPONENTIAL;
  options.backoff_delay_ms = 1000;
  /* attempt n = attemptsMade + 1 waits 2^(n-1) * delay */
  assert_int_equal(queue_job_backoff_ms(&options, 0), 1000);
  assert_int_equal(queue_job_backoff_ms(&options, 1), 2000);
  assert_int_equal(queue_job_backoff_ms(&options, 2), 4000);
  options.backoff_jitter = 0.5;
  for (int i = 0; i < 50; i++) {
    long delay = queue_job_backoff_ms(&options, 1);
    assert_true(delay >= 1000 && delay <= 2000);
  }
}

static void test_from_fields(void **state)
{
  (void)state;
  const char *fields[] = { "name", "echo", "data", "{\"a\":1}", "opts", "{\"attempts\":3}", "timestamp",
                           "1795579460567", "attemptsMade", "2", "ats", "3", "stc", "1", "progress", "42",
                           "defa", "job stalled more than allowable limit", "returnvalue", "{\"ok\":true}" };
  size_t lengths[20];
  for (int i = 0; i < 20; i++)
    lengths[i] = strlen(fields[i]);
  struct growth_error err = { 0 };
  struct queue_job *job = queue_job_from_fields("7", fields, lengths, 20, &err);
  assert_non_null(job);
  assert_string_equal(job->id, "7");
  assert_string_equal(job->name, "echo");
  assert_int_equal(job->timestamp, 1795579460567LL);
  assert_int_equal(job->attempts_made, 2);   /* legacy field when atm is absent */
  assert_int_equal(job->attempts_started, 3);
  assert_int_equal(job->stalled_counter, 1);
  assert_true(job->options_valid);
  assert_int_equal(job->options.attempts, 3);
  assert_string_equal(job->deferred_failure, "job stalled more than allowable limit");
  json_t *json = queue_job_to_json(job);
  assert_non_null(json);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(json, "data"), "a")), 1);
  assert_int_equal(json_integer_value(json_object_get(json, "progress")), 42);
  assert_true(json_is_true(json_object_get(json_object_get(json, "returnvalue"), "ok")));
  assert_true(json_is_null(json_object_get(json, "finishedOn")));
  json_decref(json);
  queue_job_free(job);
}

static void test_damaged_hash_stays_readable(void **state)
{
  (void)state;
  const char *fields[] = { "data", "{broken", "opts", "nope" };
  size_t lengths[] = { 4, 7, 4, 4 };
  struct growth_error err = { 0 };
  struct queue_job *job = queue_job_from_fields("x1", fields, lengths, 4, &err);
  assert_non_null(job);
  assert_null(job->name);
  assert_false(job->options_valid);
  json_t *json = queue_job_to_json(job);
  assert_string_equal(json_string_value(json_object_get(json, "data")), "{broken");
  json_decref(json);
  queue_job_free(job);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults_write_attempts_like_node),
    cmocka_unit_test(test_options_round_trip),
    cmocka_unit_test(test_parse_node_shapes),
    cmocka_unit_test(test_parse_refuses_damaged_opts),
    cmocka_unit_test(test_backoff_matches_bullmq),
    cmocka_unit_test(test_from_fields),
    cmocka_unit_test(test_damaged_hash_stays_readable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
