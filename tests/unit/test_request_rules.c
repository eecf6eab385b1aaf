/*
 * test_request_rules.c — the pieces of the HTTP layer's hostile-input fixes
 * that need no socket: the unescape callback that keeps %00 encoded, the path
 * of an absolute-form target, the flag guard's normalized comparison, and
 * error messages that are not UTF-8. tests/http_cases runs them end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/request_rules.h"

static void unescape_is(const char *input, const char *expected)
{
  char buffer[128];
  snprintf(buffer, sizeof buffer, "%s", input);
  size_t length = request_rules_unescape(NULL, NULL, buffer);
  assert_string_equal(buffer, expected);
  assert_int_equal(length, strlen(expected));
}

static void test_unescape_keeps_encoded_nul(void **state)
{
  (void)state;
  unescape_is("/agents/..%2f..%2Fetc", "/agents/../../etc");
  unescape_is("/agents/index.html%00.png", "/agents/index.html%00.png");
  unescape_is("/a%0d%0ab", "/a\r\nb");
  unescape_is("/a%zz%4", "/a%zz%4");
  unescape_is("/%", "/%");
  unescape_is("%41%2500", "A%00");
  unescape_is("", "");
}

static void test_path_of_target(void **state)
{
  (void)state;
  assert_string_equal(request_rules_path("/health"), "/health");
  assert_string_equal(request_rules_path("http://localhost/health"), "/health");
  assert_string_equal(request_rules_path("HTTPS://h:8080/api/x"), "/api/x");
  assert_string_equal(request_rules_path("http://localhost"), "/");
  assert_string_equal(request_rules_path("health"), "health");
  assert_string_equal(request_rules_path("*"), "*");
}

static int guard_answers(const char *path, int enable_agents)
{
  struct config config = { 0 };
  config.enable_agents = enable_agents;
  struct api_context context = { .config = &config };
  struct http_request request = { .method = "GET", .path = path, .context = &context };
  struct http_response response = { .status = 500 };
  int answered = api_guard(&request, &response);
  if (answered)
    assert_int_equal(response.status, 403);
  free(response.body);
  return answered;
}

static void test_guard_sees_every_spelling(void **state)
{
  (void)state;
  const char *orchestrator[] = { "/api/orchestrator", "/api/orchestrator/health", "//api/orchestrator/health",
                                 "/api/orchestrator/health/", "/API/ORCHESTRATOR/HEALTH", "/api/./orchestrator",
                                 "/api/x/../orchestrator/health", "/api//orchestrator", "/x/../../api/orchestrator",
                                 "/api/orchestrator/../agents" };
  for (size_t i = 0; i < sizeof orchestrator / sizeof orchestrator[0]; i++) {
    assert_true(guard_answers(orchestrator[i], 0));
    assert_false(guard_answers(orchestrator[i], 1));
  }
  const char *others[] = { "/health", "/api/orchestrators", "/api/agents", "/api/x/../agents", "/", "" };
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    assert_false(guard_answers(others[i], 0));
}

static void test_error_message_not_utf8_keeps_detail(void **state)
{
  (void)state;
  struct http_response response = { .status = 500 };
  http_respond_error(&response, 404, "not_found", "no dashboard file /agents/%s.html", "\xff\xfe");
  assert_int_equal(response.status, 404);
  assert_non_null(strstr(response.body, "no dashboard file /agents/??.html"));
  free(response.body);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_unescape_keeps_encoded_nul),
    cmocka_unit_test(test_path_of_target),
    cmocka_unit_test(test_guard_sees_every_spelling),
    cmocka_unit_test(test_error_message_not_utf8_keeps_detail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
