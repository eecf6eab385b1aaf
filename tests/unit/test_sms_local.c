/*
 * test_sms_local.c — the local SMS backend writes one JSON line per message,
 * refuses what the live backend would refuse, and keeps lines whole when
 * several processes append at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "providers/sms/sms_local.h"

#include "support/unit_support.h"

/* Reads the outbox file into a JSON array of its lines. */
static json_t *read_outbox(const char *data_dir)
{
  char path[512];
  snprintf(path, sizeof path, "%s/outbox/sms.jsonl", data_dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  json_t *lines = json_array();
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    json_error_t error;
    json_t *record = json_loads(line, 0, &error);
    if (!record)
      fail_msg("outbox line is not JSON: %s (%s)", line, error.text);
    json_array_append_new(lines, record);
  }
  fclose(f);
  return lines;
}

static void test_writes_one_line_per_message(void **state)
{
  const char *dir = *state;
  char data_dir[512];
  snprintf(data_dir, sizeof data_dir, "%s/nested/var", dir);
  struct growth_error err = { 0 };
  char sid1[SMS_SID_SIZE], sid2[SMS_SID_SIZE];
  assert_int_equal(sms_local_send(data_dir, "+14155552345", "+33612345678", "Time for your evening reflection", sid1, &err), 0);
  assert_int_equal(sms_local_send(data_dir, NULL, "+33612345678", "Deux lignes\net un été 🌞", sid2, &err), 0);
  assert_int_equal(strlen(sid1), 34);
  assert_memory_equal(sid1, "SM", 2);
  assert_string_not_equal(sid1, sid2);

  json_t *lines = read_outbox(data_dir);
  assert_int_equal(json_array_size(lines), 2);
  json_t *first = json_array_get(lines, 0), *second = json_array_get(lines, 1);
  assert_string_equal(json_string_value(json_object_get(first, "sid")), sid1);
  assert_string_equal(json_string_value(json_object_get(first, "to")), "+33612345678");
  assert_string_equal(json_string_value(json_object_get(first, "from")), "+14155552345");
  assert_string_equal(json_string_value(json_object_get(first, "encoding")), "gsm7");
  assert_int_equal(json_integer_value(json_object_get(first, "segments")), 1);
  assert_true(json_is_null(json_object_get(second, "from")));
  assert_string_equal(json_string_value(json_object_get(second, "body")), "Deux lignes\net un été 🌞");
  assert_string_equal(json_string_value(json_object_get(second, "encoding")), "ucs2");
  json_decref(lines);
}

static void test_refuses_bad_messages_without_writing(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  char sid[SMS_SID_SIZE];
  assert_int_equal(sms_local_send(dir, NULL, "0612345678", "hello", sid, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  char *long_body = malloc(2000);
  memset(long_body, 'x', 1999);
  long_body[1999] = '\0';
  assert_int_equal(sms_local_send(dir, NULL, "+33612345678", long_body, sid, &err), -1);
  assert_int_equal(err.code, ERR_TOO_LARGE);
  free(long_body);
  assert_int_equal(sms_local_send(dir, "14155552345", "+33612345678", "hi", sid, &err), -1);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  assert_non_null(strstr(err.message, "TWILIO_FROM_NUMBER"));
  assert_int_equal(sms_local_send(dir, "+0155", "+33612345678", "hi", sid, &err), -1);
  assert_non_null(strstr(err.message, "TWILIO_FROM_NUMBER"));
  char path[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/outbox/sms.jsonl", dir);
  assert_int_equal(stat(path, &st), -1);
}

static void test_concurrent_appends_stay_whole(void **state)
{
  const char *dir = *state;
  enum { WRITERS = 4, PER_WRITER = 50 };
  char body[1200];
  for (int w = 0; w < WRITERS; w++) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      memset(body, 'a' + w, sizeof body - 1);
      body[sizeof body - 1] = '\0';
      struct growth_error err = { 0 };
      char sid[SMS_SID_SIZE];
      for (int i = 0; i < PER_WRITER; i++)
        if (sms_local_send(dir, NULL, "+33612345678", body, sid, &err) != 0)
          _exit(1);
      _exit(0);
    }
  }
  for (int w = 0; w < WRITERS; w++) {
    int status;
    assert_true(wait(&status) > 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  json_t *lines = read_outbox(dir);
  assert_int_equal(json_array_size(lines), WRITERS * PER_WRITER);
  json_decref(lines);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_writes_one_line_per_message, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test_setup_teardown(test_refuses_bad_messages_without_writing, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test_setup_teardown(test_concurrent_appends_stay_whole, unit_temp_dir_setup, unit_temp_dir_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
