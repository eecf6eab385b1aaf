/*
 * test_services.c — the backend of each integration by the settings (live, local, missing,
 * not configured, with reasons that hold no secret), readiness JSON, services_require, and the
 * job's artifact folder.
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

#include "providers/services.h"

#include "support/unit_support.h"

struct fixture {
  struct config config;
  struct services *services;
};

static void open_with(struct fixture *f, const char **pairs)
{
  struct growth_error err = { 0 };
  assert_int_equal(config_load(&f->config, unit_lookup_pairs, pairs, &err), 0);
  f->services = services_new(&f->config, NULL, &err);
  assert_non_null(f->services);
}

static void close_fixture(struct fixture *f)
{
  services_free(f->services);
  config_free(&f->config);
}

static enum service_state state_of(struct fixture *f, enum service_id id)
{
  return services_status(f->services, id)->state;
}

static const char *reason_of(struct fixture *f, enum service_id id)
{
  return services_status(f->services, id)->reason;
}

static void test_development_without_settings_is_local(void **state)
{
  (void)state;
  const char *pairs[] = { "GROWTH_DATA_DIR", "/tmp/growth-data", NULL };
  struct fixture f;
  open_with(&f, pairs);
  assert_int_equal(state_of(&f, SERVICE_LLM), SERVICE_LOCAL);
  assert_int_equal(state_of(&f, SERVICE_MAIL), SERVICE_LOCAL);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_NOT_CONFIGURED);
  assert_int_equal(state_of(&f, SERVICE_PDF), SERVICE_LOCAL);
  assert_non_null(strstr(reason_of(&f, SERVICE_MAIL), "/tmp/growth-data/outbox/mail/"));
  assert_int_equal(state_of(&f, SERVICE_SHEETS), SERVICE_LOCAL);
  assert_int_equal(state_of(&f, SERVICE_CALENDAR), SERVICE_LOCAL);
  assert_int_equal(state_of(&f, SERVICE_DRIVE), SERVICE_LOCAL);
  assert_non_null(strstr(reason_of(&f, SERVICE_SHEETS), "CSV files under /tmp/growth-data/sheets/"));
  assert_non_null(strstr(reason_of(&f, SERVICE_CALENDAR), "GROWTH_CALENDAR_ICS are not set"));
  assert_non_null(services_sheets(f.services));
  assert_non_null(services_http(f.services));
  assert_non_null(services_rate_limiter(f.services));
  struct growth_error err = { 0 };
  assert_int_equal(services_require(f.services, SERVICE_MAIL, &err), 0);
  assert_int_equal(services_require(f.services, SERVICE_SMS, &err), -1);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  assert_false(err.retryable);
  assert_non_null(strstr(err.message, "sms: TWILIO_FROM_NUMBER"));

  json_t *readiness = services_readiness(f.services);
  assert_non_null(readiness);
  assert_int_equal(json_object_size(readiness), SERVICE_COUNT);
  assert_string_equal(json_string_value(json_object_get(json_object_get(readiness, "sms"), "status")),
                      "not_configured");
  assert_string_equal(json_string_value(json_object_get(json_object_get(readiness, "llm"), "status")), "local");
  json_decref(readiness);
  close_fixture(&f);
}

static void test_production_never_falls_back_to_local(void **state)
{
  (void)state;
  const char *pairs[] = { "NODE_ENV", "production", NULL };
  struct fixture f;
  open_with(&f, pairs);
  assert_int_equal(state_of(&f, SERVICE_LLM), SERVICE_MISSING);
  assert_int_equal(state_of(&f, SERVICE_MAIL), SERVICE_MISSING);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_NOT_CONFIGURED);
  assert_non_null(strstr(reason_of(&f, SERVICE_MAIL), "SMTP_HOST is not set"));
  assert_non_null(strstr(reason_of(&f, SERVICE_LLM), "OPENAI_API_KEY is not set; in production"));
  for (int id = SERVICE_SHEETS; id <= SERVICE_DRIVE; id++) {
    assert_int_equal(state_of(&f, (enum service_id)id), SERVICE_MISSING);
    assert_non_null(strstr(reason_of(&f, (enum service_id)id), "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set"));
  }
  assert_null(services_calendar(f.services));
  assert_null(strstr(reason_of(&f, SERVICE_LLM), "sk-secret"));
  struct growth_error err = { 0 };
  assert_int_equal(services_require(f.services, SERVICE_LLM, &err), -1);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  close_fixture(&f);
}

static void test_live_llm_and_sms(void **state)
{
  (void)state;
  const char *pairs[] = { "NODE_ENV", "production", "OPENAI_API_KEY", "sk-secret-key-000", "OPENAI_BASE_URL",
                          "http://127.0.0.1:9/v1", "OPENAI_MODEL", "llama3", "TWILIO_FROM_NUMBER", "+15005550006",
                          "TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN",
                          "token-secret", NULL };
  struct fixture f;
  open_with(&f, pairs);
  assert_int_equal(state_of(&f, SERVICE_LLM), SERVICE_LIVE);
  assert_string_equal(reason_of(&f, SERVICE_LLM), "OpenAI API at http://127.0.0.1:9/v1: chat llama3, embeddings "
                                                   "text-embedding-3-small");
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_LIVE);
  assert_string_equal(reason_of(&f, SERVICE_SMS), "Twilio at https://api.twilio.com, account "
                                                   "AC0123456789abcdef0123456789abcdef, from +15005550006");
  assert_null(strstr(reason_of(&f, SERVICE_SMS), "token-secret"));
  assert_non_null(services_http(f.services));
  close_fixture(&f);

  const char *bad_account[] = { "TWILIO_FROM_NUMBER", "+15005550006", "TWILIO_ACCOUNT_SID", "AC00",
                                "TWILIO_AUTH_TOKEN", "token-secret", NULL };
  open_with(&f, bad_account);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_MISSING);
  assert_string_equal(reason_of(&f, SERVICE_SMS), "TWILIO_ACCOUNT_SID is not 'AC' followed by 32 hex digits");
  close_fixture(&f);
}

static void test_mail_live_needs_a_sender(void **state)
{
  (void)state;
  const char *without_sender[] = { "SMTP_HOST", "smtp.example.com", "SMTP_PASS", "pass-word-123", NULL };
  struct fixture f;
  open_with(&f, without_sender);
  assert_int_equal(state_of(&f, SERVICE_MAIL), SERVICE_MISSING);
  assert_non_null(strstr(reason_of(&f, SERVICE_MAIL), "GMAIL_SENDER_ADDRESS"));
  close_fixture(&f);

  const char *live[] = { "SMTP_HOST", "smtp.example.com", "SMTP_PORT", "587", "SMTP_PASS", "pass-word-123",
                         "GMAIL_SENDER_ADDRESS", "me@example.com", NULL };
  open_with(&f, live);
  assert_int_equal(state_of(&f, SERVICE_MAIL), SERVICE_LIVE);
  assert_string_equal(reason_of(&f, SERVICE_MAIL), "SMTP at smtp.example.com:587, from me@example.com");
  assert_null(strstr(reason_of(&f, SERVICE_MAIL), "pass-word"));
  close_fixture(&f);
}

static void test_sms_settings(void **state)
{
  (void)state;
  struct fixture f;
  const char *sender_only[] = { "TWILIO_FROM_NUMBER", "+15005550006", NULL };
  open_with(&f, sender_only);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_LOCAL);
  close_fixture(&f);

  const char *bad_sender[] = { "TWILIO_FROM_NUMBER", "not a number!", NULL };
  open_with(&f, bad_sender);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_MISSING);
  close_fixture(&f);

  const char *half[] = { "TWILIO_FROM_NUMBER", "+15005550006", "TWILIO_ACCOUNT_SID", "AC00", NULL };
  open_with(&f, half);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_MISSING);
  assert_non_null(strstr(reason_of(&f, SERVICE_SMS), "TWILIO_ACCOUNT_SID is set without TWILIO_AUTH_TOKEN"));
  close_fixture(&f);

  const char *no_sender[] = { "TWILIO_ACCOUNT_SID", "AC00", "TWILIO_AUTH_TOKEN", "token-secret", NULL };
  open_with(&f, no_sender);
  assert_int_equal(state_of(&f, SERVICE_SMS), SERVICE_MISSING);
  assert_non_null(strstr(reason_of(&f, SERVICE_SMS), "TWILIO_FROM_NUMBER is not set"));
  assert_null(strstr(reason_of(&f, SERVICE_SMS), "token-secret"));
  close_fixture(&f);
}

static void test_names(void **state)
{
  (void)state;
  for (int id = 0; id < SERVICE_COUNT; id++)
    assert_int_equal(services_find(services_name((enum service_id)id)), id);
  assert_int_equal(services_find("sheets"), SERVICE_SHEETS);
  assert_int_equal(services_find("drive"), SERVICE_DRIVE);
  assert_int_equal(services_find("fax"), SERVICE_COUNT);
  assert_string_equal(services_state_name(SERVICE_NOT_CONFIGURED), "not_configured");
}

static void test_job_save(void **state)
{
  (void)state;
  char dir[] = "/tmp/growth-services-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char nested[256];
  snprintf(nested, sizeof nested, "%s/a/b", dir);
  struct services_job job = { .agent = "niche", .job_id = "7", .artifact_dir = nested };
  struct growth_error err = { 0 };
  char *path = NULL;
  assert_int_equal(services_job_save(&job, "report.pdf", "%PDF-", 5, &path, &err), 0);
  char expected[300];
  snprintf(expected, sizeof expected, "%s/report.pdf", nested);
  assert_string_equal(path, expected);
  FILE *file = fopen(path, "rb");
  assert_non_null(file);
  char bytes[8] = { 0 };
  assert_int_equal(fread(bytes, 1, sizeof bytes, file), 5);
  fclose(file);
  assert_memory_equal(bytes, "%PDF-", 5);
  unlink(path);
  free(path);

  static const char *const bad[] = { "../x.pdf", ".hidden", "a/b", "", "sp ace" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(services_job_save(&job, bad[i], "x", 1, &path, &err), -1);
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
    assert_null(path);
  }
  struct services_job no_folder = { .agent = "niche" };
  assert_int_equal(services_job_save(&no_folder, "a.pdf", "x", 1, &path, &err), -1);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  snprintf(expected, sizeof expected, "%s/a/b", dir);
  rmdir(expected);
  snprintf(expected, sizeof expected, "%s/a", dir);
  rmdir(expected);
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_development_without_settings_is_local),
    cmocka_unit_test(test_production_never_falls_back_to_local),
    cmocka_unit_test(test_live_llm_and_sms),
    cmocka_unit_test(test_mail_live_needs_a_sender),
    cmocka_unit_test(test_sms_settings),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_job_save),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
