/*
 * test_router.c — route matching, parameters, 404/405 with Allow, and the JSON
 * error and body-parsing helpers of the HTTP layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/handler.h"
#include "http/router.h"

static int health_handler, job_handler, launch_handler, log_handler;

static struct router *make_router(void)
{
  struct router *router = router_new();
  assert_non_null(router);
  assert_int_equal(router_add(router, "GET", "/health", &health_handler), 0);
  assert_int_equal(router_add(router, "GET", "/api/jobs/{id}", &job_handler), 0);
  assert_int_equal(router_add(router, "GET", "/api/jobs/{id}/logs/{line}", &log_handler), 0);
  assert_int_equal(router_add(router, "POST", "/api/orchestrator/launch", &launch_handler), 0);
  assert_int_equal(router_add(router, "DELETE", "/api/jobs/{id}", &job_handler), 0);
  return router;
}

static void test_literal_and_trailing_slash(void **state)
{
  (void)state;
  struct router *router = make_router();
  struct router_match match;
  assert_int_equal(router_find(router, "GET", "/health", &match), ROUTER_FOUND);
  assert_ptr_equal(match.handler, &health_handler);
  assert_int_equal(router_find(router, "GET", "/health/", &match), ROUTER_FOUND);
  assert_int_equal(router_find(router, "HEAD", "/health", &match), ROUTER_FOUND);
  assert_int_equal(router_find(router, "GET", "/healthz", &match), ROUTER_NOT_FOUND);
  assert_int_equal(router_find(router, "GET", "/health/x", &match), ROUTER_NOT_FOUND);
  assert_int_equal(router_find(router, "GET", "//health", &match), ROUTER_NOT_FOUND);
  assert_int_equal(router_find(router, "GET", "/", &match), ROUTER_NOT_FOUND);
  assert_int_equal(router_find(router, "GET", "", &match), ROUTER_NOT_FOUND);
  router_free(router);
}

static void test_parameters(void **state)
{
  (void)state;
  struct router *router = make_router();
  struct router_match match;
  assert_int_equal(router_find(router, "GET", "/api/jobs/journal-42", &match), ROUTER_FOUND);
  assert_ptr_equal(match.handler, &job_handler);
  assert_string_equal(route_param(&match.params, "id"), "journal-42");
  assert_null(route_param(&match.params, "i"));
  assert_int_equal(router_find(router, "GET", "/api/jobs/7/logs/3", &match), ROUTER_FOUND);
  assert_ptr_equal(match.handler, &log_handler);
  assert_string_equal(route_param(&match.params, "id"), "7");
  assert_string_equal(route_param(&match.params, "line"), "3");
  assert_int_equal(router_find(router, "GET", "/api/jobs/", &match), ROUTER_NOT_FOUND);
  char long_path[600] = "/api/jobs/";
  memset(long_path + strlen(long_path), 'x', 400);
  assert_int_equal(router_find(router, "GET", long_path, &match), ROUTER_NOT_FOUND);
  router_free(router);
}

static void test_wrong_method_lists_allowed(void **state)
{
  (void)state;
  struct router *router = make_router();
  struct router_match match;
  assert_int_equal(router_find(router, "POST", "/health", &match), ROUTER_WRONG_METHOD);
  assert_string_equal(match.allow, "GET, HEAD");
  assert_int_equal(router_find(router, "PUT", "/api/jobs/9", &match), ROUTER_WRONG_METHOD);
  assert_string_equal(match.allow, "GET, HEAD, DELETE");
  assert_int_equal(router_find(router, "GET", "/api/orchestrator/launch", &match), ROUTER_WRONG_METHOD);
  assert_string_equal(match.allow, "POST");
  router_free(router);
}

/* Metrics label requests by pattern, so the pattern comes back with every match. */
static void test_match_names_its_pattern(void **state)
{
  (void)state;
  struct router *router = make_router();
  struct router_match match;
  assert_int_equal(router_find(router, "GET", "/api/jobs/journal-42", &match), ROUTER_FOUND);
  assert_string_equal(match.pattern, "/api/jobs/{id}");
  assert_int_equal(router_find(router, "PUT", "/api/jobs/7", &match), ROUTER_WRONG_METHOD);
  assert_string_equal(match.pattern, "/api/jobs/{id}");
  assert_int_equal(router_find(router, "GET", "/api/nothing", &match), ROUTER_NOT_FOUND);
  assert_null(match.pattern);
  router_free(router);
}

static void test_error_body_shape(void **state)
{
  (void)state;
  struct http_response response = { 0 };
  http_respond_error(&response, 403, "growth_agents_disabled", "growth agents are %s", "disabled");
  assert_int_equal(response.status, 403);
  json_error_t error;
  json_t *body = json_loadb(response.body, response.body_length, 0, &error);
  assert_non_null(body);
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "error"), "code")),
                      "growth_agents_disabled");
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "error"), "message")),
                      "growth agents are disabled");
  assert_int_equal(json_object_size(body), 1);
  json_decref(body);
  free(response.body);
}

static void test_error_codes_map_to_statuses(void **state)
{
  (void)state;
  assert_int_equal(http_status_for_error(ERR_BAD_ARGUMENT), 400);
  assert_int_equal(http_status_for_error(ERR_NOT_FOUND), 404);
  assert_int_equal(http_status_for_error(ERR_TOO_LARGE), 413);
  assert_int_equal(http_status_for_error(ERR_UNAVAILABLE), 503);
  assert_int_equal(http_status_for_error(ERR_RATE_LIMITED), 429);
  assert_int_equal(http_status_for_error(ERR_INTERNAL), 500);
  struct growth_error err;
  error_set(&err, ERR_UNAVAILABLE, "redis 127.0.0.1:1/0: cannot connect");
  struct http_response response = { 0 };
  http_respond_growth_error(&response, &err);
  assert_int_equal(response.status, 503);
  assert_non_null(strstr(response.body, "\"code\":\"unavailable\""));
  free(response.body);
}

static void test_json_body_errors_name_line_and_column(void **state)
{
  (void)state;
  char message[256];
  const char *body = "{\n  \"agents\": [\"journal\",\n  ]\n}";
  json_t *value = http_parse_json_body(body, strlen(body), message, sizeof message);
  assert_null(value);
  assert_non_null(strstr(message, "line 3, column 3"));
  value = http_parse_json_body("{\"a\":1}", 7, message, sizeof message);
  assert_non_null(value);
  json_decref(value);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_literal_and_trailing_slash),
    cmocka_unit_test(test_parameters),
    cmocka_unit_test(test_wrong_method_lists_allowed),
    cmocka_unit_test(test_match_names_its_pattern),
    cmocka_unit_test(test_error_body_shape),
    cmocka_unit_test(test_error_codes_map_to_statuses),
    cmocka_unit_test(test_json_body_errors_name_line_and_column),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
