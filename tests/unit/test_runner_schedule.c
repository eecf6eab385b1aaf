/*
 * test_runner_schedule.c — ctx.schedule and follow-up task jobs: ctx.schedule
 * exists only when the host can queue, hands the host the agent, task, delay
 * and data, refuses a task the agent does not have, and a job with
 * runner_job.task runs that task alone with its data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agents/host_memory.h"
#include "agents/loader.h"
#include "agents/runner.h"
#include "support/unit_support.h"

static char scripts_dir[64];

static int setup(void **state)
{
  (void)state;
  return unit_scripts_dir_make(scripts_dir, sizeof scripts_dir);
}

static int teardown(void **state)
{
  (void)state;
  return unit_dir_remove(scripts_dir);
}

static struct agent_script *load_agent(const char *name, const char *text)
{
  return unit_load_agent(scripts_dir, name, text);
}

/* What the queue would have been asked for. */
struct scheduled {
  int calls;
  char agent[64], task[64], data[256];
  int64_t delay_ms;
};

static int record_schedule(void *context, const char *agent, const char *task, int64_t delay_ms, const char *data_json,
                           char **id, struct growth_error *err)
{
  (void)err;
  struct scheduled *seen = context;
  seen->calls++;
  snprintf(seen->agent, sizeof seen->agent, "%s", agent);
  snprintf(seen->task, sizeof seen->task, "%s", task);
  snprintf(seen->data, sizeof seen->data, "%s", data_json);
  seen->delay_ms = delay_ms;
  char text[64];
  snprintf(text, sizeof text, "follow-%d", seen->calls);
  *id = strdup(text);
  return 0;
}

static const char *texter =
    "return {\n"
    "  name = 'texter', tier = 'radiant',\n"
    "  input = { n = { type = 'integer', required = true } },\n"
    "  setup = function(ctx) error('setup must not run for a task') end,\n"
    "  run = function(ctx)\n"
    "    if not ctx.schedule then return { queued = false } end\n"
    "    local id = ctx.schedule('ping', 90.5, { n = ctx.input.n, body = 'hi' })\n"
    "    local ok, err = pcall(ctx.schedule, 'pong', 1, {})\n"
    "    return { queued = true, id = id, unknown = tostring(err) }\n"
    "  end,\n"
    "  tasks = {\n"
    "    ping = function(ctx, data)\n"
    "      return { got = data.n, body = data.body, input_fields = next(ctx.input) == nil }\n"
    "    end,\n"
    "  },\n"
    "}\n";

/* Runs texter with the memory host, plus schedule when seen is not NULL. */
static int run_texter(struct agent_script *script, struct scheduled *seen, const char *task, const char *data,
                      struct runner_outcome *outcome, struct growth_error *err)
{
  struct memory_host *host = memory_host_new(NULL, err);
  assert_non_null(host);
  struct agent_host callbacks;
  memory_host_bind(host, &callbacks);
  if (seen) {   /* a host with a queue: only schedule is needed here, the rest may be absent */
    struct agent_host queued = { .context = seen, .schedule = record_schedule };
    callbacks = queued;
  }
  json_t *input = json_pack("{s:i}", "n", 3);
  json_t *task_data = data ? json_loads(data, 0, NULL) : NULL;
  struct runner_job job = { .id = "job-7", .attempt = 1, .input = input, .task = task, .task_data = task_data };
  struct runner_options options = { .instruction_limit = 10000000, .scripts_dir = scripts_dir };
  int status = runner_run(script, &job, &callbacks, &options, outcome, err);
  json_decref(input);
  json_decref(task_data);
  memory_host_free(host);
  return status;
}

static void test_no_queue_no_schedule(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("texter", texter);
  struct growth_error err = { 0 };
  struct runner_outcome outcome;
  /* the agent's own job runs setup, which raises here */
  assert_int_equal(run_texter(script, NULL, NULL, NULL, &outcome, &err), -1);
  assert_non_null(strstr(err.message, "setup must not run for a task"));
  agent_script_release(script);
}

static void test_schedule_hands_the_host_everything(void **state)
{
  (void)state;
  char *text = strdup(texter);
  char *setup_line = strstr(text, "  setup =");
  memset(setup_line, ' ', strchr(setup_line, '\n') - setup_line);   /* no setup for this job */
  struct agent_script *script = load_agent("texter", text);
  free(text);
  struct growth_error err = { 0 };
  struct runner_outcome outcome;
  struct scheduled seen = { 0 };
  if (run_texter(script, &seen, NULL, NULL, &outcome, &err) != 0)
    fail_msg("%s\n%s", err.message, outcome.traceback);
  assert_int_equal(seen.calls, 1);
  assert_string_equal(seen.agent, "texter");
  assert_string_equal(seen.task, "ping");
  assert_int_equal(seen.delay_ms, 90500);
  json_t *data = json_loads(seen.data, 0, NULL);
  assert_int_equal(json_integer_value(json_object_get(data, "n")), 3);
  assert_string_equal(json_string_value(json_object_get(data, "body")), "hi");
  json_decref(data);
  assert_true(json_is_true(json_object_get(outcome.result, "queued")));
  assert_string_equal(json_string_value(json_object_get(outcome.result, "id")), "follow-1");
  assert_non_null(strstr(json_string_value(json_object_get(outcome.result, "unknown")), "has no task 'pong'"));
  runner_outcome_clear(&outcome);

  /* without a queue ctx.schedule is nil */
  assert_int_equal(run_texter(script, NULL, NULL, NULL, &outcome, &err), 0);
  assert_true(json_is_false(json_object_get(outcome.result, "queued")));
  runner_outcome_clear(&outcome);
  agent_script_release(script);
}

static void test_task_job_runs_the_task_alone(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("texter", texter);
  struct growth_error err = { 0 };
  struct runner_outcome outcome;
  /* setup would raise: a task job skips it, and the input schema (n required) too */
  if (run_texter(script, NULL, "ping", "{\"n\": 5, \"body\": \"yo\"}", &outcome, &err) != 0)
    fail_msg("%s\n%s", err.message, outcome.traceback);
  assert_int_equal(json_integer_value(json_object_get(outcome.result, "got")), 5);
  assert_string_equal(json_string_value(json_object_get(outcome.result, "body")), "yo");
  assert_true(json_is_true(json_object_get(outcome.result, "input_fields")));
  runner_outcome_clear(&outcome);

  assert_int_equal(run_texter(script, NULL, "pong", NULL, &outcome, &err), -1);
  assert_int_equal(err.code, ERR_NOT_FOUND);
  assert_non_null(strstr(err.message, "has no task 'pong'"));
  agent_script_release(script);
}

static void test_loader_checks_tasks(void **state)
{
  (void)state;
  char path[256];
  snprintf(path, sizeof path, "%s/agents/bad.lua", scripts_dir);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs("return { name = 'bad', tier = 'rooted', run = function() end, tasks = { ping = 3 } }\n", file);
  fclose(file);
  struct loader_options options = { .scripts_dir = scripts_dir };
  struct agent_script *script = NULL;
  struct growth_error err = { 0 };
  json_t *problems = json_array();
  assert_int_equal(loader_load(&options, path, &script, problems, NULL, &err), -1);
  assert_non_null(strstr(json_string_value(json_array_get(problems, 0)), "tasks must map names to function"));
  json_decref(problems);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_queue_no_schedule),
    cmocka_unit_test(test_schedule_hands_the_host_everything),
    cmocka_unit_test(test_task_job_runs_the_task_alone),
    cmocka_unit_test(test_loader_checks_tasks),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
