/*
 * test_config_reload.c — what a SIGHUP reload does with an edited env file: a new snapshot with the
 * run-time settings changed and the old one untouched; settings that need a restart kept; a bad value or a
 * missing file refused with the old configuration staying; nothing changed, no snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/config_reload.h"
#include "base/dotenv.h"

struct fixture {
  char path[64];
  struct config start;
  struct config_history *history;
};

static void write_env(const char *path, const char *text)
{
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  fclose(file);
}

static const char *lookup_file(const char *name, void *context)
{
  return dotenv_get(context, name);
}

static int setup(void **state)
{
  static const char *const names[] = { "ENABLE_GROWTH_AGENTS", "ENABLE_GROWTH_DASHBOARD", "GROWTH_LOG_LEVEL",
                                       "GROWTH_HTTP_THREADS", "GROWTH_PROFILE", "PORT" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unsetenv(names[i]);
  struct fixture *f = calloc(1, sizeof *f);
  snprintf(f->path, sizeof f->path, "/tmp/growthd-reload-%ld.env", (long)getpid());
  write_env(f->path, "ENABLE_GROWTH_AGENTS=true\nENABLE_GROWTH_DASHBOARD=true\nGROWTH_HTTP_THREADS=4\n");
  struct growth_error err = { 0 };
  struct dotenv *dotenv = dotenv_read_file(f->path, &err);
  assert_non_null(dotenv);
  assert_int_equal(config_load(&f->start, lookup_file, dotenv, &err), 0);
  dotenv_free(dotenv);
  f->start.env_file = f->path;
  f->history = config_history_new(&err);
  *state = f;
  return f->history ? 0 : -1;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  config_history_free(f->history);
  config_free(&f->start);
  unlink(f->path);
  free(f);
  return 0;
}

static void test_flags_change_in_a_new_snapshot(void **state)
{
  struct fixture *f = *state;
  write_env(f->path, "ENABLE_GROWTH_AGENTS=false\nENABLE_GROWTH_DASHBOARD=no\nGROWTH_HTTP_THREADS=4\n"
                     "GROWTH_PROFILE=/tmp/profile.json\nGROWTH_LOG_LEVEL=warn\n");
  const struct config *next = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(config_reload(f->history, &f->start, "test", &next, &err), 1);
  assert_ptr_not_equal(next, &f->start);
  assert_false(next->enable_agents);
  assert_false(next->enable_dashboard);
  assert_string_equal(next->profile_path, "/tmp/profile.json");
  assert_int_equal(next->log_level, LOG_WARN);
  /* the snapshot in use is never changed */
  assert_true(f->start.enable_agents);
  assert_true(f->start.enable_dashboard);
  assert_string_equal(f->start.profile_path, GROWTH_SOURCE_DIR "/scripts/profiles/demo.json");   /* the default */
  /* everything else is carried over, strings as copies */
  assert_string_equal(next->queue_name, f->start.queue_name);
  assert_ptr_not_equal(next->queue_name, f->start.queue_name);
  assert_int_equal(next->port, f->start.port);
  assert_string_equal(next->env_file, f->path);

  /* a second reload starts from the newest snapshot */
  write_env(f->path, "ENABLE_GROWTH_AGENTS=true\nENABLE_GROWTH_DASHBOARD=no\nGROWTH_HTTP_THREADS=4\n");
  const struct config *third = NULL;
  assert_int_equal(config_reload(f->history, next, "test", &third, &err), 1);
  assert_true(third->enable_agents);
  assert_false(third->enable_dashboard);
  assert_string_equal(third->profile_path, GROWTH_SOURCE_DIR "/scripts/profiles/demo.json");   /* back to the default */
  assert_false(next->enable_agents);
}

static void test_restart_only_settings_are_kept(void **state)
{
  struct fixture *f = *state;
  write_env(f->path, "ENABLE_GROWTH_AGENTS=true\nENABLE_GROWTH_DASHBOARD=true\nGROWTH_HTTP_THREADS=9\nPORT=4000\n");
  const struct config *next = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(config_reload(f->history, &f->start, "test", &next, &err), 0);
  assert_ptr_equal(next, &f->start);
  assert_int_equal(f->start.http_threads, 4);
  assert_int_equal(f->start.port, 3000);
}

static void test_bad_values_are_refused(void **state)
{
  struct fixture *f = *state;
  const struct config *next = NULL;
  struct growth_error err = { 0 };
  write_env(f->path, "ENABLE_GROWTH_AGENTS=maybe\n");
  assert_int_equal(config_reload(f->history, &f->start, "test", &next, &err), -1);
  assert_ptr_equal(next, &f->start);
  assert_non_null(strstr(err.message, "ENABLE_GROWTH_AGENTS"));
  assert_non_null(strstr(err.message, "not a boolean"));

  /* a bad value of a restart-only setting refuses the whole reload too */
  write_env(f->path, "ENABLE_GROWTH_AGENTS=false\nPORT=seventy\n");
  error_clear(&err);
  assert_int_equal(config_reload(f->history, &f->start, "test", &next, &err), -1);
  assert_non_null(strstr(err.message, "PORT"));
  assert_true(f->start.enable_agents);

  unlink(f->path);
  error_clear(&err);
  assert_int_equal(config_reload(f->history, &f->start, "test", &next, &err), -1);
  assert_ptr_equal(next, &f->start);
  assert_non_null(strstr(err.message, f->path));
}

static void test_reloadable_names(void **state)
{
  (void)state;
  assert_true(config_reloadable("ENABLE_GROWTH_AGENTS"));
  assert_true(config_reloadable("ENABLE_GROWTH_DASHBOARD"));
  assert_false(config_reloadable("REDIS_URL"));
  assert_false(config_reloadable("GROWTH_API_KEYS"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_flags_change_in_a_new_snapshot, setup, teardown),
    cmocka_unit_test_setup_teardown(test_restart_only_settings_are_kept, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_values_are_refused, setup, teardown),
    cmocka_unit_test(test_reloadable_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
