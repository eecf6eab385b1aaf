/*
 * test_http_client.c — the HTTP client's pure parts: Retry-After, backoff, percent-encoding,
 * header lookup, the retry rules of http_outcome and multipart/related assembly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "net/http_outcome.h"
#include "net/multipart.h"

static void test_retry_after(void **state)
{
  (void)state;
  assert_int_equal(http_retry_after_ms("3", 0), 3000);
  assert_int_equal(http_retry_after_ms("0", 0), 0);
  assert_int_equal(http_retry_after_ms("", 0), -1);
  assert_int_equal(http_retry_after_ms("soon", 0), -1);
  assert_int_equal(http_retry_after_ms("-4", 0), -1);
  assert_int_equal(http_retry_after_ms("3x", 0), -1);
  /* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480. */
  assert_int_equal(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470LL), 10000);
  assert_int_equal(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490LL), 0);
}

static void test_backoff_doubles_with_jitter_and_cap(void **state)
{
  (void)state;
  for (unsigned int r = 0; r < 2000; r += 7) {
    long first = http_backoff_ms(500, 32000, 1, r);
    assert_true(first >= 250 && first <= 500);
    long third = http_backoff_ms(500, 32000, 3, r);
    assert_true(third >= 1000 && third <= 2000);
    long capped = http_backoff_ms(500, 32000, 30, r);
    assert_true(capped >= 16000 && capped <= 32000);
  }
  assert_int_not_equal(http_backoff_ms(1000, 32000, 2, 1), http_backoff_ms(1000, 32000, 2, 700));
}

static void test_escape(void **state)
{
  (void)state;
  char *text = http_escape("Entries!A1 +é/~");
  assert_string_equal(text, "Entries%21A1%20%2B%C3%A9%2F~");
  free(text);
}

static void test_header_lookup(void **state)
{
  (void)state;
  char headers[] = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nretry-after:  7 \r\n\r\n";
  struct http_response response = { .status = 429, .headers = headers };
  char value[32];
  assert_int_equal(http_response_header(&response, "Retry-After", value, sizeof value), 0);
  assert_string_equal(value, "7");
  assert_int_equal(http_response_header(&response, "Retry", value, sizeof value), -1);
}

static enum http_verdict say_rate_limited(const struct http_response *response, void *context)
{
  (void)context;
  return response->status == 403 ? HTTP_VERDICT_RATE_LIMITED : HTTP_VERDICT_DEFAULT;
}

static void test_outcome_rules(void **state)
{
  (void)state;
  struct http_request request = { .method = HTTP_POST, .url = "http://x/y?key=1", .what = "t" };
  struct http_response response = { .headers = "", .body = "" };
  struct http_outcome outcome;

  http_outcome_judge(&request, CURLE_COULDNT_CONNECT, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);
  http_outcome_judge(&request, CURLE_OPERATION_TIMEDOUT, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_FAIL);
  assert_int_equal(outcome.code, ERR_TIMEOUT);
  assert_true(outcome.retryable);
  http_outcome_judge(&request, CURLE_OPERATION_TIMEDOUT, "", &response, 1, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);

  response.status = 500;
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_FAIL);
  assert_true(outcome.retryable);
  http_outcome_judge(&request, CURLE_OK, "", &response, 1, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);

  response.status = 429;
  response.headers = "HTTP/1.1 429 x\r\nRetry-After: 2\r\n\r\n";
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);
  assert_int_equal(outcome.code, ERR_RATE_LIMITED);
  assert_int_equal(outcome.retry_after_ms, 2000);

  response.status = 403;
  response.headers = "";
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_FAIL);
  assert_int_equal(outcome.code, ERR_FORBIDDEN);
  request.classify = say_rate_limited;
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);
  assert_int_equal(outcome.code, ERR_RATE_LIMITED);
}

static long wait_from_headers(const struct http_response *response, void *context)
{
  (void)response;
  return *(long *)context;
}

static void test_retry_delay_applies_without_retry_after(void **state)
{
  (void)state;
  long advised = 1500;
  struct http_request request = { .method = HTTP_POST, .url = "http://x/y", .what = "t",
                                  .retry_delay = wait_from_headers, .classify_context = &advised };
  struct http_response response = { .status = 429, .headers = "HTTP/1.1 429 x\r\n\r\n", .body = "" };
  struct http_outcome outcome;
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.kind, HTTP_OUTCOME_RETRY);
  assert_int_equal(outcome.retry_after_ms, 1500);

  response.headers = "HTTP/1.1 429 x\r\nRetry-After: 3\r\n\r\n";   /* Retry-After wins */
  http_outcome_judge(&request, CURLE_OK, "", &response, 0, &outcome);
  assert_int_equal(outcome.retry_after_ms, 3000);

  response.status = 500;                                           /* only rate limits ask it */
  response.headers = "HTTP/1.1 500 x\r\n\r\n";
  http_outcome_judge(&request, CURLE_OK, "", &response, 1, &outcome);
  assert_int_equal(outcome.retry_after_ms, -1);
}

static void test_error_message_quotes_upstream_reason_not_query(void **state)
{
  (void)state;
  struct http_request request = { .method = HTTP_GET, .url = "http://h/v4/x?key=secret", .what = "sheets.read" };
  char body[] = "{\"error\":{\"code\":403,\"message\":\"Rate Limit Exceeded\","
                "\"errors\":[{\"reason\":\"rateLimitExceeded\"}]}}";
  struct http_response response = { .status = 403, .body = body, .body_size = strlen(body), .headers = "",
                                     .attempts = 2 };
  struct http_outcome outcome = { HTTP_OUTCOME_FAIL, ERR_FORBIDDEN, 0, -1, "refused" };
  struct growth_error err = { 0 };
  http_outcome_error(&request, &response, CURLE_OK, "", &outcome, &err);
  assert_string_equal(err.message, "sheets.read: GET http://h/v4/x answered 403 after 2 attempts: "
                                   "Rate Limit Exceeded (rateLimitExceeded)");
  assert_int_equal(err.status, 403);
  char oauth[] = "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}";
  response.body = oauth;
  response.body_size = strlen(oauth);
  response.attempts = 1;
  http_outcome_error(&request, &response, CURLE_OK, "", &outcome, &err);
  assert_non_null(strstr(err.message, "answered 403: Invalid JWT Signature. (invalid_grant)"));
}

static void test_multipart_related(void **state)
{
  (void)state;
  struct http_part parts[] = { { NULL, NULL, "application/json; charset=UTF-8", "{}", 2 },
                               { NULL, NULL, "application/pdf", "%PDF\0\r\n--x", 11 } };
  struct multipart_body body;
  struct growth_error err = { 0 };
  assert_int_equal(multipart_build_related(parts, 2, &body, &err), 0);
  const char *boundary = strstr(body.content_type, "boundary=") + 9;
  char expected[512];
  int length = snprintf(expected, sizeof expected,
                        "--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{}\r\n"
                        "--%s\r\nContent-Type: application/pdf\r\n\r\n",
                        boundary, boundary);
  assert_memory_equal(body.data, expected, (size_t)length);
  assert_memory_equal(body.data + length, "%PDF\0\r\n--x", 11);
  length += 11;
  char tail[128];
  int tail_length = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", boundary);
  assert_int_equal(body.size, (size_t)(length + tail_length));
  assert_memory_equal(body.data + length, tail, (size_t)tail_length);
  multipart_free(&body);
  assert_int_equal(multipart_build_related(parts, 0, &body, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_retry_after),
    cmocka_unit_test(test_backoff_doubles_with_jitter_and_cap),
    cmocka_unit_test(test_escape),
    cmocka_unit_test(test_header_lookup),
    cmocka_unit_test(test_outcome_rules),
    cmocka_unit_test(test_retry_delay_applies_without_retry_after),
    cmocka_unit_test(test_error_message_quotes_upstream_reason_not_query),
    cmocka_unit_test(test_multipart_related),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
