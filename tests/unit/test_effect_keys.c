/*
 * test_effect_keys.c — idempotency keys of side effects: the sandbox hands keys
 * "<job>/<step>/<n>" only inside ctx.step (sandbox_call_step), numbered per run
 * of the step; with a key the local SMS outbox keeps one line however often the
 * same message is sent, and a mail keeps one Message-ID (so one outbox file); a
 * failed append is cut back so no partial line is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua/sandbox.h"
#include "providers/mail/mail_message.h"
#include "providers/local_files.h"
#include "providers/sms/sms_local.h"

#include "support/unit_support.h"

static size_t count_lines(const char *path)
{
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t lines = 0;
  for (int c; (c = fgetc(f)) != EOF;)
    lines += c == '\n';
  fclose(f);
  return lines;
}

static void test_a_keyed_sms_is_appended_once(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  char sid1[SMS_SID_SIZE], sid2[SMS_SID_SIZE], sid3[SMS_SID_SIZE], sid4[SMS_SID_SIZE];
  assert_int_equal(sms_local_send_keyed(dir, NULL, "+33612345678", "hello", "job-1/sms/1", sid1, &err), 0);
  assert_int_equal(sms_local_send_keyed(dir, NULL, "+33612345678", "hello", "job-1/sms/1", sid2, &err), 0);
  assert_string_equal(sid1, sid2);
  assert_int_equal(sms_local_send_keyed(dir, NULL, "+33612345678", "hello", "job-1/sms/2", sid3, &err), 0);
  assert_string_not_equal(sid1, sid3);
  assert_int_equal(sms_local_send(dir, NULL, "+33612345678", "hello", sid4, &err), 0);
  char path[512];
  snprintf(path, sizeof path, "%s/outbox/sms.jsonl", dir);
  assert_int_equal(count_lines(path), 3);
}

static void test_append_once_reports_what_it_found(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  assert_int_equal(local_files_append_line_once(dir, "x.jsonl", "{\"k\":\"a\"}\n", 10, "\"k\":\"a\"", &err), 0);
  assert_int_equal(local_files_append_line_once(dir, "x.jsonl", "{\"k\":\"a\"}\n", 10, "\"k\":\"a\"", &err), 1);
  assert_int_equal(local_files_append_line_once(dir, "x.jsonl", "{\"k\":\"a\"}\n", 10, NULL, &err), 0);
  char path[512];
  snprintf(path, sizeof path, "%s/x.jsonl", dir);
  assert_int_equal(count_lines(path), 2);
}

static void build_id(const char *key, char id[MAIL_MESSAGE_ID_SIZE], int64_t date_ms)
{
  struct mail_address to = { .name = NULL, .email = "ada@example.com" };
  struct mail_message m = { .from = { .name = NULL, .email = "growth@example.com" }, .to = &to, .to_count = 1,
                            .subject = "hi", .text = "hello\n", .idempotency_key = key };
  struct growth_error err = { 0 };
  char *out = NULL;
  size_t len = 0;
  assert_int_equal(mail_message_build(&m, date_ms, &out, &len, id, &err), 0);
  free(out);
}

static void test_a_keyed_mail_keeps_its_message_id(void **state)
{
  (void)state;
  char a[MAIL_MESSAGE_ID_SIZE], b[MAIL_MESSAGE_ID_SIZE], c[MAIL_MESSAGE_ID_SIZE], d[MAIL_MESSAGE_ID_SIZE],
      e[MAIL_MESSAGE_ID_SIZE];
  build_id("job-1/mail/1", a, 1000);
  build_id("job-1/mail/1", b, 99000);   /* sent again later, after a crash: the same id */
  build_id("job-1/mail/2", c, 1000);
  build_id(NULL, d, 1000);
  build_id(NULL, e, 1000);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  assert_string_not_equal(d, e);
  assert_true(strncmp(a, "k.", 2) == 0);
  assert_non_null(strstr(a, "@example.com"));
}

/* growth-like binding: returns the next key, or nil outside a step */
static int next_key(lua_State *L)
{
  char key[EFFECT_KEY_MAX];
  if (sandbox_next_effect_key(L, key, sizeof key) != 0)
    lua_pushnil(L);
  else
    lua_pushstring(L, key);
  return 1;
}

/* step(name, fn) as ctx.step calls it, without the record */
static int step(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  sandbox_call_step(L, "job-7", name);
  return 1;
}

static void run_lua(struct sandbox *sandbox, const char *code, const char *expected)
{
  lua_State *L = sandbox_state(sandbox);
  struct growth_error err = { 0 };
  assert_int_equal(sandbox_load(sandbox, code, strlen(code), "=test", 0, &err), 0);
  if (sandbox_call(sandbox, 0, 1, &err) != 0)
    fail_msg("%s", err.message);
  assert_string_equal(lua_tostring(L, -1), expected);
  lua_pop(L, 1);
}

static void test_keys_exist_only_inside_a_step_and_count_per_run(void **state)
{
  (void)state;
  struct sandbox_options options = { .memory_bytes = 8u << 20, .instruction_limit = 10000000 };
  struct growth_error err = { 0 };
  struct sandbox *sandbox = sandbox_new(&options, &err);
  assert_non_null(sandbox);
  lua_State *L = sandbox_state(sandbox);
  lua_pushcfunction(L, next_key);
  lua_setglobal(L, "key");
  lua_pushcfunction(L, step);
  lua_setglobal(L, "step");
  run_lua(sandbox, "return tostring(key())", "nil");
  run_lua(sandbox, "return step('send', function() return key() .. ' ' .. key() end)", "job-7/send/1 job-7/send/2");
  run_lua(sandbox, "return step('send', function() return key() end)", "job-7/send/1");
  run_lua(sandbox,
          "return step('outer', function() local a = key(); local b = step('inner', function() return key() end);"
          " return a .. ' ' .. b .. ' ' .. key() end)",
          "job-7/outer/1 job-7/inner/1 job-7/outer/2");
  /* an error inside the step ends the scope and reaches the caller as it was raised */
  run_lua(sandbox,
          "local ok, e = pcall(step, 'bad', function() error({ code = 'x' }) end)"
          " return tostring(ok) .. ' ' .. e.code .. ' ' .. tostring(key())",
          "false x nil");
  sandbox_free(sandbox);
}

static void test_a_failed_append_leaves_no_partial_line(void **state)
{
  (void)state;
  /* /dev/full takes no byte: the append fails with ENOSPC and nothing is left behind (here nothing can
   * be; tests/reliability/test_disk_full.py fills a real tmpfs) */
  struct growth_error err = { 0 };
  if (access("/dev/full", W_OK) != 0)
    skip();
  assert_int_equal(local_files_append_line("/dev", "full", "x\n", 2, &err), -1);
  assert_non_null(strstr(err.message, "No space left on device"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_a_keyed_sms_is_appended_once, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test_setup_teardown(test_append_once_reports_what_it_found, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test(test_a_keyed_mail_keeps_its_message_id),
    cmocka_unit_test(test_keys_exist_only_inside_a_step_and_count_per_run),
    cmocka_unit_test(test_a_failed_append_leaves_no_partial_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
