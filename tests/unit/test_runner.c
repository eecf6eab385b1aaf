/*
 * test_runner.c — one job through setup -> run -> validate with ctx over the
 * in-memory host: results, the rollout guide's log lines, input validation,
 * ctx.step reuse, the store and artifacts.
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

static int run_job(struct agent_script *script, struct memory_host *host, const char *input_text,
                   struct runner_outcome *outcome, struct growth_error *err)
{
  struct agent_host callbacks;
  memory_host_bind(host, &callbacks);
  json_t *input = input_text ? json_loads(input_text, 0, NULL) : NULL;
  json_t *user = json_pack("{s:s}", "name", "Ada");
  struct runner_job job = { .id = "job-1", .attempt = 1, .user = user, .input = input };
  struct runner_options options = { .instruction_limit = 10000000, .scripts_dir = scripts_dir };
  int status = runner_run(script, &job, &callbacks, &options, outcome, err);
  json_decref(input);
  json_decref(user);
  return status;
}

static int has_log(struct memory_host *host, const char *line)
{
  size_t index;
  json_t *entry;
  json_array_foreach(json_object_get(memory_host_record(host), "logs"), index, entry) {
    if (strstr(json_string_value(entry), line))
      return 1;
  }
  return 0;
}

static const char *journal =
    "local json = require 'growth.json'\n"
    "return {\n"
    "  name = 'journal', tier = 'rooted',\n"
    "  input = { days = { type = 'integer', default = 7 }, mood = { type = 'string', enum = { 'calm', 'bold' } } },\n"
    "  setup = function(ctx) assert(ctx.user.name == 'Ada') end,\n"
    "  run = function(ctx)\n"
    "    ctx.progress(50, 'halfway')\n"
    "    ctx.log('writing', ctx.input.days, 'days')\n"
    "    local calls = (ctx.store.get('calls') or 0) + 1\n"
    "    ctx.store.set('calls', calls)\n"
    "    local sheet = ctx.step('create-sheet', function() return { id = 'sheet-' .. calls } end)\n"
    "    local where = ctx.artifact('note.txt', 'hello')\n"
    "    return { job = ctx.job.id, attempt = ctx.job.attempt, days = ctx.input.days, sheet = sheet.id,\n"
    "             calls = calls, where = where, list = { 1, 2, json.null } }\n"
    "  end,\n"
    "  validate = function(ctx, result) if not result.sheet then error('no sheet') end end,\n"
    "}\n";

static void test_job_runs_all_phases(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("journal", journal);
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  if (run_job(script, host, "{\"mood\": \"calm\"}", &outcome, &err) != 0)
    fail_msg("%s\n%s", err.message, outcome.traceback);
  char *text = json_dumps(outcome.result, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(text, "{\"attempt\":1,\"calls\":1,\"days\":7,\"job\":\"job-1\",\"list\":[1,2,null],"
                            "\"sheet\":\"sheet-1\",\"where\":\"memory:note.txt\"}");
  free(text);
  assert_string_equal(outcome.version, script->version);
  assert_true(has_log(host, "[JournalAgent] Setup complete"));
  assert_true(has_log(host, "[JournalAgent] writing 7 days"));
  assert_true(has_log(host, "[JournalAgent] Validation passed"));
  json_t *progress = json_array_get(json_object_get(memory_host_record(host), "progress"), 0);
  assert_string_equal(json_string_value(json_object_get(progress, "message")), "halfway");
  runner_outcome_clear(&outcome);

  /* the same host again: the step's stored result comes back, the store kept counting */
  assert_int_equal(run_job(script, host, NULL, &outcome, &err), 0);
  assert_string_equal(json_string_value(json_object_get(outcome.result, "sheet")), "sheet-1");
  assert_int_equal(json_integer_value(json_object_get(outcome.result, "calls")), 2);
  assert_true(has_log(host, "[JournalAgent] Step create-sheet: reused the stored result"));
  runner_outcome_clear(&outcome);
  memory_host_free(host);
  agent_script_release(script);
}

static void test_invalid_input_lists_every_violation(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("journal", journal);
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  assert_int_equal(run_job(script, host, "{\"days\": \"x\", \"mood\": \"meh\"}", &outcome, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_false(err.retryable);
  assert_string_equal(err.message, "invalid input: journal.days: expected integer, got string; "
                                   "journal.mood: expected one of [\"calm\",\"bold\"]");
  memory_host_free(host);
  agent_script_release(script);
}

static void test_validation_failure_logged(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("mindset",
      "return { name = 'mindset', tier = 'grounded',\n"
      "  run = function(ctx) return { reframes = {} } end,\n"
      "  validate = function(ctx, result)\n"
      "    if #result.reframes == 0 then error('no reframes produced') end\n"
      "  end }\n");
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  assert_int_equal(run_job(script, host, NULL, &outcome, &err), -1);
  assert_int_equal(err.code, ERR_SCRIPT);
  assert_string_equal(err.message, "validation failed: agents/mindset.lua:4: no reframes produced");
  assert_true(has_log(host, "[MindsetAgent] Validation failed: agents/mindset.lua:4: no reframes produced"));
  assert_non_null(strstr(outcome.traceback, "agents/mindset.lua:4"));
  memory_host_free(host);
  agent_script_release(script);
}

static void test_setup_error_table_keeps_code(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("rhythm",
      "return { name = 'rhythm', tier = 'rooted',\n"
      "  setup = function(ctx)\n"
      "    error({ code = 'unavailable', message = 'calendar unreachable', retryable = true })\n"
      "  end,\n"
      "  run = function(ctx) return {} end }\n");
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  assert_int_equal(run_job(script, host, NULL, &outcome, &err), -1);
  assert_int_equal(err.code, ERR_UNAVAILABLE);
  assert_true(err.retryable);
  assert_string_equal(err.message, "setup failed: agents/rhythm.lua:3: calendar unreachable");
  assert_true(has_log(host, "[RhythmAgent] Setup failed: agents/rhythm.lua:3: calendar unreachable"));
  memory_host_free(host);
  agent_script_release(script);
}

static void test_result_must_be_json(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("purpose",
      "return { name = 'purpose', tier = 'radiant',\n"
      "  run = function(ctx) return { f = print } end }\n");
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  assert_int_equal(run_job(script, host, NULL, &outcome, &err), -1);
  assert_non_null(strstr(err.message, "result.f: a function cannot be turned into JSON"));
  memory_host_free(host);
  agent_script_release(script);
}

static void test_artifact_takes_documents(void **state)
{
  (void)state;
  struct agent_script *script = load_agent("niche",
      "return { name = 'niche', tier = 'grounded',\n"
      "  run = function(ctx)\n"
      "    local doc = { text = '%PDF-1.7' }\n"
      "    function doc:bytes() return self.text end\n"
      "    return { where = ctx.artifact('report.pdf', doc), plain = ctx.artifact('a.txt', 'abc') }\n"
      "  end }\n");
  struct growth_error err = { 0 };
  struct memory_host *host = memory_host_new(NULL, &err);
  struct runner_outcome outcome;
  if (run_job(script, host, NULL, &outcome, &err) != 0)
    fail_msg("%s", err.message);
  assert_string_equal(json_string_value(json_object_get(outcome.result, "where")), "memory:report.pdf");
  const json_t *artifacts = json_object_get(memory_host_record(host), "artifacts");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(artifacts, "report.pdf"), "bytes")), 8);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(artifacts, "a.txt"), "bytes")), 3);
  runner_outcome_clear(&outcome);
  memory_host_free(host);
  agent_script_release(script);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_job_runs_all_phases),
    cmocka_unit_test(test_invalid_input_lists_every_violation),
    cmocka_unit_test(test_validation_failure_logged),
    cmocka_unit_test(test_setup_error_table_keeps_code),
    cmocka_unit_test(test_result_must_be_json),
    cmocka_unit_test(test_artifact_takes_documents),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
