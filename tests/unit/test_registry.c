/*
 * test_registry.c — loading agent files: the contract's checks with
 * file:line messages, versions that follow lib files, and reloads that keep
 * the last good version and the versions jobs hold.
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

#include "agents/agent.h"
#include "agents/loader.h"
#include "agents/registry.h"
#include "agents/reload.h"
#include "lua/sandbox.h"

static char scripts_dir[64];

static void write_file(const char *relative, const char *text)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", scripts_dir, relative);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  fclose(file);
}

static void remove_file(const char *relative)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", scripts_dir, relative);
  unlink(path);
}

static int setup(void **state)
{
  (void)state;
  snprintf(scripts_dir, sizeof scripts_dir, "/tmp/growth-registry-XXXXXX");
  if (!mkdtemp(scripts_dir))
    return -1;
  char path[256];
  snprintf(path, sizeof path, "%s/agents", scripts_dir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/lib", scripts_dir);
  mkdir(path, 0700);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", scripts_dir);
  return system(command) == 0 ? 0 : -1;
}

static const char *good_agent =
    "local text = require \"lib.text\"\n"
    "return {\n"
    "  name = \"journal\", title = \"Journal Agent\", tier = \"rooted\",\n"
    "  description = \"Daily alignment journal\",\n"
    "  needs = { \"sheets\", \"llm\" },\n"
    "  input = { days = { type = \"integer\", min = 1, max = 31, default = 7 } },\n"
    "  timeout = 120,\n"
    "  setup = function(ctx) end,\n"
    "  run = function(ctx) return { summary = text.shout(\"ok\") } end,\n"
    "}\n";

static struct loader_options options(void)
{
  struct loader_options result = { .scripts_dir = scripts_dir };
  return result;
}

/* Loads agents/<file> expecting refusal; checks that the joined problems contain every fragment. */
static void expect_refused(const char *file, const char *text, const char *fragments[])
{
  char relative[128], path[256];
  snprintf(relative, sizeof relative, "agents/%s", file);
  write_file(relative, text);
  snprintf(path, sizeof path, "%s/%s", scripts_dir, relative);
  struct loader_options opts = options();
  struct agent_script *script = NULL;
  json_t *problems = json_array();
  struct growth_error err = { 0 };
  assert_int_equal(loader_load(&opts, path, &script, problems, NULL, &err), -1);
  assert_null(script);
  char *all = json_dumps(problems, JSON_COMPACT);
  for (size_t i = 0; fragments[i]; i++)
    if (!strstr(all, fragments[i]))
      fail_msg("%s: problems %s\nlack '%s'", file, all, fragments[i]);
  free(all);
  json_decref(problems);
  remove_file(relative);
  assert_int_equal(sandbox_memory_live_total(), 0);
}

static void test_good_agent_loads(void **state)
{
  (void)state;
  write_file("lib/text.lua", "return { shout = function(s) return s:upper() end }\n");
  write_file("agents/journal.lua", good_agent);
  char path[256];
  snprintf(path, sizeof path, "%s/agents/journal.lua", scripts_dir);
  struct loader_options opts = options();
  struct agent_script *script = NULL;
  json_t *warnings = json_array();
  struct growth_error err = { 0 };
  if (loader_load(&opts, path, &script, NULL, warnings, &err) != 0)
    fail_msg("%s", err.message);
  assert_string_equal(script->name, "journal");
  assert_string_equal(script->title, "Journal Agent");
  assert_string_equal(script->tier, "rooted");
  assert_string_equal(script->file, "agents/journal.lua");
  assert_int_equal(script->need_count, 2);
  assert_string_equal(script->needs[1], "llm");
  assert_true(script->timeout_s == 120.0);
  assert_true(script->has_setup);
  assert_false(script->has_validate);
  assert_int_equal(script->lib_count, 1);
  assert_string_equal(script->libs[0].name, "lib.text");
  assert_int_equal(strlen(script->version), 64);
  assert_int_equal(json_array_size(warnings), 0);

  /* the version follows the lib file */
  char version[AGENT_VERSION_MAX];
  assert_int_equal(loader_version(&opts, path, version, &err), 0);
  assert_string_equal(version, script->version);
  write_file("lib/text.lua", "return { shout = function(s) return s:upper() .. '!' end }\n");
  assert_int_equal(loader_version(&opts, path, version, &err), 0);
  assert_string_not_equal(version, script->version);
  agent_script_release(script);
  json_decref(warnings);
  remove_file("agents/journal.lua");
}

static void test_malformed_agents_refused_with_lines(void **state)
{
  (void)state;
  expect_refused("syntax.lua", "return {\n  name = 'syntax',\n  tier = = 'rooted',\n}\n",
                 (const char *[]){ "agents/syntax.lua:3:", NULL });
  expect_refused("mismatch.lua", "return {\n  name = 'other',\n  tier = 'gold',\n  run = function() end }\n",
                 (const char *[]){ "agents/mismatch.lua:2: name 'other' must equal the file name 'mismatch'",
                                   "agents/mismatch.lua:3: tier 'gold' is not known", NULL });
  expect_refused("needs.lua", "return { name = 'needs', tier = 'rooted',\n  needs = { 'fax' },\n"
                              "  timeout = -5,\n  run = 'no' }\n",
                 (const char *[]){ "agents/needs.lua:2: needs[1] is 'fax'", "agents/needs.lua:3: timeout -5",
                                   "agents/needs.lua:4: run must be a function(ctx), got string", NULL });
  expect_refused("schema.lua", "return { name = 'schema', tier = 'radiant', run = function() end,\n"
                               "  input = {\n    beliefs = { type = 'strin' },\n  },\n}\n",
                 (const char *[]){ "agents/schema.lua:3: input.beliefs: unknown type 'strin'", NULL });
  expect_refused("notable.lua", "local x = 1\nreturn 42\n",
                 (const char *[]){ "agents/notable.lua:1: the file must return the agent's table", NULL });
  expect_refused("loops.lua", "while true do end\nreturn {}\n",
                 (const char *[]){ "agents/loops.lua:1:", "Lua instructions", NULL });
  expect_refused("validate.lua", "return { name = 'validate', tier = 'rooted', run = function() end,\n"
                                 "  setup = 1,\n  validate = {} }\n",
                 (const char *[]){ "agents/validate.lua:2: setup must be a function",
                                   "agents/validate.lua:3: validate must be a function(ctx, result)", NULL });
}

static void test_reload_keeps_last_good_version(void **state)
{
  (void)state;
  write_file("lib/text.lua", "return { shout = function(s) return s:upper() end }\n");
  write_file("agents/journal.lua", good_agent);
  write_file("agents/broken.lua", "return {\n  name = 'broken',\n  tier = 'rooted',\n  run = nil,\n}\n");
  struct growth_error err = { 0 };
  struct agent_registry *registry = registry_new(&err);
  struct loader_options opts = options();
  struct reload_report report;
  json_t *problems = json_array();
  assert_int_equal(reload_scripts(registry, &opts, &report, problems, &err), 0);
  assert_int_equal(report.loaded, 1);
  assert_int_equal(report.refused, 1);
  assert_string_equal(json_string_value(json_array_get(problems, 0)),
                      "agents/broken.lua:4: run must be a function(ctx), got nil");

  struct agent_summary *agents = NULL;
  size_t count = 0;
  assert_int_equal(registry_snapshot(registry, &agents, &count, &err), 0);
  assert_int_equal(count, 2);
  assert_string_equal(agents[0].name, "broken");
  assert_false(agents[0].loaded);
  assert_string_equal(agents[0].error, "agents/broken.lua:4: run must be a function(ctx), got nil");
  assert_string_equal(agents[1].name, "journal");
  assert_true(agents[1].loaded);
  free(agents);

  /* a job holds version 1 while the file changes */
  struct agent_script *held = registry_acquire(registry, "journal");
  assert_non_null(held);
  char first_version[AGENT_VERSION_MAX];
  snprintf(first_version, sizeof first_version, "%s", held->version);

  /* an unchanged pass compiles nothing */
  assert_int_equal(reload_scripts(registry, &opts, &report, NULL, &err), 0);
  assert_int_equal(report.unchanged, 1);
  assert_int_equal(report.loaded, 0);

  /* a broken edit is refused and version 1 stays current */
  write_file("agents/journal.lua", "return { name = 'journal', tier = 'rooted', run = function( end }\n");
  assert_int_equal(reload_scripts(registry, &opts, &report, NULL, &err), 0);
  assert_int_equal(report.refused, 2);
  char version[AGENT_VERSION_MAX];
  registry_version(registry, "journal", version);
  assert_string_equal(version, first_version);
  assert_int_equal(registry_snapshot(registry, &agents, &count, &err), 0);
  assert_true(agents[1].loaded);
  assert_non_null(strstr(agents[1].error, "agents/journal.lua:1:"));
  free(agents);

  /* a good edit becomes current; the held version lives on */
  write_file("agents/journal.lua", "return { name = 'journal', tier = 'grounded', run = function() return {} end }\n");
  assert_int_equal(reload_scripts(registry, &opts, &report, NULL, &err), 0);
  assert_int_equal(report.loaded, 1);
  registry_version(registry, "journal", version);
  assert_string_not_equal(version, first_version);
  assert_string_equal(held->version, first_version);
  assert_string_equal(held->tier, "rooted");
  agent_script_release(held);

  /* a deleted file removes the agent */
  remove_file("agents/broken.lua");
  assert_int_equal(reload_scripts(registry, &opts, &report, NULL, &err), 0);
  assert_int_equal(report.removed, 1);
  assert_null(registry_acquire(registry, "broken"));
  registry_free(registry);
  json_decref(problems);
  remove_file("agents/journal.lua");
}

static void test_unknown_fields_warn(void **state)
{
  (void)state;
  write_file("agents/extra.lua", "return { name = 'extra', tier = 'rooted', run = function() end,\n  color = 'red' }\n");
  char path[256];
  snprintf(path, sizeof path, "%s/agents/extra.lua", scripts_dir);
  struct loader_options opts = options();
  struct agent_script *script = NULL;
  json_t *warnings = json_array();
  struct growth_error err = { 0 };
  assert_int_equal(loader_load(&opts, path, &script, NULL, warnings, &err), 0);
  assert_string_equal(json_string_value(json_array_get(warnings, 0)),
                      "agents/extra.lua:2: field 'color' is not part of the agent contract and is ignored");
  agent_script_release(script);
  json_decref(warnings);
  remove_file("agents/extra.lua");
}

static void test_component_names(void **state)
{
  (void)state;
  char component[64];
  agent_component("journal", component, sizeof component);
  assert_string_equal(component, "JournalAgent");
  agent_component("daily_plan", component, sizeof component);
  assert_string_equal(component, "DailyPlanAgent");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_good_agent_loads),
    cmocka_unit_test(test_malformed_agents_refused_with_lines),
    cmocka_unit_test(test_reload_keeps_last_good_version),
    cmocka_unit_test(test_unknown_fields_warn),
    cmocka_unit_test(test_component_names),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
