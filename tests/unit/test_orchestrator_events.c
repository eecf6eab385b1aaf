/*
 * test_orchestrator_events.c — the pure parts of the orchestrator's event reading: which texts are stream
 * ids (Last-Event-ID, since=) and which agent a launched job's id names (the monitor's agent filter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/orchestrator_events.h"

static void test_stream_ids(void **state)
{
  (void)state;
  assert_true(orchestrator_event_id_valid("1732000000000-0"));
  assert_true(orchestrator_event_id_valid("1732000000000"));
  assert_true(orchestrator_event_id_valid("0-0"));
  assert_false(orchestrator_event_id_valid(""));
  assert_false(orchestrator_event_id_valid("-1"));
  assert_false(orchestrator_event_id_valid("1732-"));
  assert_false(orchestrator_event_id_valid("1732-1-2"));
  assert_false(orchestrator_event_id_valid("abc"));
  assert_false(orchestrator_event_id_valid("1732 0"));
  assert_false(orchestrator_event_id_valid("123456789012345678901-0"));
  assert_false(orchestrator_event_id_valid("+"));
}

static void expect_agent(const char *job_id, const char *agent)
{
  char out[72];
  orchestrator_agent_of_job(job_id, out, sizeof out);
  assert_string_equal(out, agent);
}

static void test_agent_of_job(void **state)
{
  (void)state;
  expect_agent("journal-1732000000000-a1b2c3", "journal");
  expect_agent("daily-plan-1732000000000-00ff00", "daily-plan");
  expect_agent("17", "");
  expect_agent("journal", "");
  expect_agent("journal-abc-a1b2c3", "");
  expect_agent("journal-1732-XYZ", "");
  expect_agent("journal-1732-", "");
  expect_agent("-1732-abc", "");
  char small[4];
  orchestrator_agent_of_job("journal-1-a", small, sizeof small);
  assert_string_equal(small, "");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stream_ids),
    cmocka_unit_test(test_agent_of_job),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
