/*
 * test_twilio_wire.c — Twilio's request form, answer and error classification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sms/twilio_wire.h"

#define SID "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void test_path_and_account(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  char *path = twilio_messages_path(SID, &err);
  assert_string_equal(path, "/2010-04-01/Accounts/" SID "/Messages.json");
  free(path);
  const char *bad[] = { "AC123", "SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ACgaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        SID "0", "AC../aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_null(twilio_messages_path(bad[i], &err));
    assert_int_equal(err.code, ERR_BAD_CONFIG);
  }
}

static void test_form_body(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  char *form = twilio_form_body("+33612345678", "+14155552345", "Time for your evening reflection", &err);
  assert_string_equal(form, "To=%2B33612345678&From=%2B14155552345&Body=Time+for+your+evening+reflection");
  free(form);
  form = twilio_form_body("+33612345678", "Growth", "Été & co = 100%\n🎉", &err);
  assert_string_equal(form, "To=%2B33612345678&From=Growth&Body=%C3%89t%C3%A9+%26+co+%3D+100%25%0A%F0%9F%8E%89");
  free(form);
  assert_null(twilio_form_body("0612345678", "+14155552345", "hi", &err));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_null(twilio_form_body("+33612345678", "12345", "hi", &err));
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  assert_null(twilio_form_body("+33612345678", "TooLongSender", "hi", &err));
  char *long_body = malloc(1700);
  memset(long_body, 'x', 1699);
  long_body[1699] = '\0';
  assert_null(twilio_form_body("+33612345678", "+14155552345", long_body, &err));
  assert_int_equal(err.code, ERR_TOO_LARGE);
  free(long_body);
}

static void test_answer(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  char sid[SMS_SID_SIZE], status[32];
  const char *created = "{\"sid\":\"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"account_sid\":\"" SID "\",\"status\":\"queued\","
                        "\"num_segments\":\"1\",\"error_code\":null}";
  assert_int_equal(twilio_message_parse(created, strlen(created), sid, status, sizeof status, &err), 0);
  assert_string_equal(sid, "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  assert_string_equal(status, "queued");
  const char *bad = "{\"sid\":\"XX1\",\"status\":\"queued\"}";
  assert_int_equal(twilio_message_parse(bad, strlen(bad), sid, status, sizeof status, &err), -1);
  assert_int_equal(err.code, ERR_UPSTREAM);
}

static void expect_error(int status, const char *body, enum error_code code, int retryable)
{
  struct growth_error err = { 0 };
  assert_int_equal(twilio_error(status, body, body ? strlen(body) : 0, &err), -1);
  assert_int_equal(err.code, code);
  assert_int_equal(err.retryable, retryable);
  assert_int_equal(err.status, status);
}

static void test_errors(void **state)
{
  (void)state;
  expect_error(401, "{\"code\":20003,\"message\":\"Authenticate\",\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}",
               ERR_UNAUTHORIZED, 0);
  expect_error(400, "{\"code\":21211,\"message\":\"The 'To' number +1555 is not a valid phone number.\",\"status\":400}",
               ERR_BAD_ARGUMENT, 0);
  expect_error(400, "{\"code\":21606,\"message\":\"The From phone number is not a valid sender\",\"status\":400}",
               ERR_BAD_CONFIG, 0);
  expect_error(400, "{\"code\":21610,\"message\":\"Attempt to send to unsubscribed recipient\",\"status\":400}",
               ERR_UPSTREAM, 0);
  expect_error(429, "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}", ERR_RATE_LIMITED, 1);
  expect_error(404, "{\"code\":20404,\"message\":\"not found\",\"status\":404}", ERR_NOT_FOUND, 0);
  expect_error(503, "upstream connect error", ERR_UNAVAILABLE, 1);
  expect_error(500, NULL, ERR_UNAVAILABLE, 1);
  struct growth_error err = { 0 };
  const char *body = "{\"code\":21211,\"message\":\"The 'To' number +1555 is not a valid phone number.\"}";
  twilio_error(400, body, strlen(body), &err);
  assert_string_equal(err.message, "sms: Twilio answered 400 (code 21211): The 'To' number +1555 is not a valid phone number.");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_path_and_account),
    cmocka_unit_test(test_form_body),
    cmocka_unit_test(test_answer),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
