/*
 * test_queue_checks.c — what core/queue refuses before it talks to Redis: bad job data, ids, priorities,
 * queue names, store owners and oversized store values. The pool points at a port where nothing listens,
 * so a check that let a call through would fail with "unavailable" instead of the expected code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue.h"
#include "redis/redis_pool.h"
#include "support/unit_support.h"

struct fixture {
  struct redis_pool *pool;
  struct queue *queue;
};

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);
  struct growth_error err = { 0 };
  if (!f || !(f->pool = unit_unreachable_pool()))
    return -1;
  f->queue = queue_new(f->pool, NULL, "checks", &err);
  *state = f;
  return f->queue ? 0 : -1;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  queue_free(f->queue);
  redis_pool_free(f->pool);
  free(f);
  return 0;
}

static void expect_refused(struct queue *queue, const struct queue_new_job *job, enum error_code code,
                           const char *words)
{
  struct growth_error err = { 0 };
  char *id = NULL;
  assert_int_equal(queue_add(queue, job, &id, &err), -1);
  assert_null(id);
  assert_int_equal(err.code, code);
  assert_non_null(strstr(err.message, words));
}

static void test_add_refuses_bad_jobs(void **state)
{
  struct fixture *f = *state;
  expect_refused(f->queue, &(struct queue_new_job){ .name = "echo", .data = "{nope" }, ERR_BAD_ARGUMENT, "not JSON");
  expect_refused(f->queue, &(struct queue_new_job){ .name = "" }, ERR_BAD_ARGUMENT, "needs a name");
  expect_refused(f->queue, &(struct queue_new_job){ .name = "echo", .job_id = "123" }, ERR_BAD_ARGUMENT, "not allowed");
  expect_refused(f->queue, &(struct queue_new_job){ .name = "echo", .job_id = "a:b" }, ERR_BAD_ARGUMENT, "not allowed");
  struct queue_job_options options;
  queue_job_options_default(&options);
  options.priority = 2097152;
  expect_refused(f->queue, &(struct queue_new_job){ .name = "echo", .options = &options }, ERR_BAD_ARGUMENT,
                 "priority");
}

static void test_add_reaches_redis_when_valid(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  char *id = NULL;
  assert_int_equal(queue_add(f->queue, &(struct queue_new_job){ .name = "echo", .data = "{\"a\":1}" }, &id, &err), -1);
  assert_int_equal(err.code, ERR_UNAVAILABLE);
  assert_non_null(strstr(err.message, "adding to queue checks"));
}

static void test_queue_names(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  assert_null(queue_new(f->pool, NULL, "a:b", &err));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_string_equal(queue_key_prefix(f->queue), "bull:checks:");
}

static void test_store_limits(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  char *big = malloc(QUEUE_STORE_VALUE_MAX + 2);
  memset(big, 'x', QUEUE_STORE_VALUE_MAX + 1);
  big[QUEUE_STORE_VALUE_MAX + 1] = '\0';
  assert_int_equal(queue_store_set(f->queue, "ana:journal", "k", big, &err), -1);
  assert_int_equal(err.code, ERR_TOO_LARGE);
  free(big);
  assert_int_equal(queue_store_set(f->queue, "", "k", "1", &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  char *value = NULL;
  assert_int_equal(queue_store_get(f->queue, "ana", "", &value, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
}

static void test_state_names(void **state)
{
  (void)state;
  assert_int_equal(queue_state_parse("waiting"), QUEUE_STATE_WAIT);
  assert_int_equal(queue_state_parse("waiting-children"), QUEUE_STATE_WAITING_CHILDREN);
  assert_int_equal(queue_state_parse("nope"), -1);
  assert_string_equal(queue_state_name(QUEUE_STATE_PRIORITIZED), "prioritized");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_add_refuses_bad_jobs, setup, teardown),
    cmocka_unit_test_setup_teardown(test_add_reaches_redis_when_valid, setup, teardown),
    cmocka_unit_test_setup_teardown(test_queue_names, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_limits, setup, teardown),
    cmocka_unit_test(test_state_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
