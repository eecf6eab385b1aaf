/*
 * http_outcome.c — retry rules and error text of the HTTP client (see http_outcome.h).
 *
 * Rules, in order:
 *   - no connection made (refused, unresolved): retry any request, it was never sent;
 *   - timeout, reset, empty answer: retry only requests safe to repeat;
 *   - 429, or the caller's classifier says "rate limited": retry any request (the
 *     server did not process it), honouring Retry-After, else the caller's retry_delay;
 *   - 5xx, or the classifier says "retry": retry requests safe to repeat; a 503's
 *     Retry-After is honoured too;
 *   - any other non-2xx: fail at once, with a code from the status.
 * The error message quotes the upstream's own reason from the usual JSON error
 * shapes (Google, OAuth, OpenAI, Twilio) or the start of a text body.
 */
#include "net/http_outcome.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void transport(const struct http_request *request, int code, int safe, struct http_outcome *out)
{
  (void)request;
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
    *out = (struct http_outcome){ HTTP_OUTCOME_RETRY, ERR_UNAVAILABLE, 1, -1, "cannot connect" };
    return;
  case CURLE_OPERATION_TIMEDOUT:
    *out = (struct http_outcome){ safe ? HTTP_OUTCOME_RETRY : HTTP_OUTCOME_FAIL, ERR_TIMEOUT, 1, -1, "timed out" };
    return;
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    *out = (struct http_outcome){ safe ? HTTP_OUTCOME_RETRY : HTTP_OUTCOME_FAIL, ERR_UNAVAILABLE, 1, -1,
                                  "connection dropped" };
    return;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, ERR_BAD_ARGUMENT, 0, -1, "bad URL" };
    return;
  case CURLE_OUT_OF_MEMORY:
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, ERR_NO_MEMORY, 0, -1, "out of memory" };
    return;
  case CURLE_WRITE_ERROR:
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, ERR_UPSTREAM, 0, -1, "answer too large" };
    return;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, ERR_UNAVAILABLE, 0, -1, "TLS failure" };
    return;
  default:
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, ERR_UNAVAILABLE, 1, -1, "transport failure" };
    return;
  }
}

static enum error_code code_for_status(long status)
{
  switch (status) {
  case 400: case 422: return ERR_BAD_ARGUMENT;
  case 401: return ERR_UNAUTHORIZED;
  case 403: return ERR_FORBIDDEN;
  case 404: case 410: return ERR_NOT_FOUND;
  case 409: return ERR_CONFLICT;
  case 413: return ERR_TOO_LARGE;
  case 429: return ERR_RATE_LIMITED;
  case 502: case 503: case 504: return ERR_UNAVAILABLE;
  default: return ERR_UPSTREAM;
  }
}

static long retry_after(const struct http_response *response)
{
  char value[128];
  if (http_response_header(response, "Retry-After", value, sizeof value) != 0)
    return -1;
  return http_retry_after_ms(value, (long long)time(NULL));
}

void http_outcome_judge(const struct http_request *request, int curl_code, const char *curl_error,
                        const struct http_response *response, int safe, struct http_outcome *out)
{
  (void)curl_error;
  if (curl_code != CURLE_OK) {
    transport(request, curl_code, safe, out);
    return;
  }
  long status = response->status;
  enum http_verdict verdict = request->classify ? request->classify(response, request->classify_context)
                                                : HTTP_VERDICT_DEFAULT;
  if (verdict == HTTP_VERDICT_FAIL) {
    *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, status >= 200 && status < 300 ? ERR_UPSTREAM
                                                                                  : code_for_status(status),
                                  0, -1, "refused" };
    return;
  }
  if (verdict == HTTP_VERDICT_DEFAULT && status >= 200 && status < 300) {
    *out = (struct http_outcome){ HTTP_OUTCOME_SUCCESS, ERR_NONE, 0, -1, "ok" };
    return;
  }
  if (verdict == HTTP_VERDICT_RATE_LIMITED || status == 429) {
    long wait = retry_after(response);
    if (wait < 0 && request->retry_delay)
      wait = request->retry_delay(response, request->classify_context);
    *out = (struct http_outcome){ HTTP_OUTCOME_RETRY, ERR_RATE_LIMITED, 1, wait, "rate limited" };
    return;
  }
  if (verdict == HTTP_VERDICT_RETRY || status >= 500) {
    enum error_code code = status >= 500 ? code_for_status(status) : ERR_UPSTREAM;
    int again = verdict == HTTP_VERDICT_RETRY || safe;
    *out = (struct http_outcome){ again ? HTTP_OUTCOME_RETRY : HTTP_OUTCOME_FAIL, code, 1,
                                  status == 503 ? retry_after(response) : -1, "server error" };
    return;
  }
  *out = (struct http_outcome){ HTTP_OUTCOME_FAIL, code_for_status(status), 0, -1, "refused" };
}

/* Copies text into out, printable characters only, at most max bytes. */
static void copy_printable(const char *text, size_t length, char *out, size_t size)
{
  size_t used = 0;
  for (size_t i = 0; i < length && used + 1 < size; i++) {
    unsigned char c = (unsigned char)text[i];
    out[used++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : (isprint(c) || c >= 0x80 ? (char)c : '?');
  }
  out[used] = '\0';
}

/* The upstream's reason from the common JSON error shapes, or the start of the body. */
static void upstream_reason(const struct http_response *response, char *out, size_t size)
{
  out[0] = '\0';
  if (!response->body || response->body_size == 0)
    return;
  json_t *root = json_loadb(response->body, response->body_size, 0, NULL);
  if (root) {
    json_t *error = json_object_get(root, "error");
    const char *message = json_string_value(json_object_get(error, "message"));
    const char *reason = json_string_value(json_object_get(json_array_get(json_object_get(error, "errors"), 0),
                                                           "reason"));
    if (!reason)
      reason = json_string_value(json_object_get(error, "status"));
    if (json_is_string(error)) {   /* OAuth: {"error": "...", "error_description": "..."} */
      reason = json_string_value(error);
      message = json_string_value(json_object_get(root, "error_description"));
    }
    if (!message)
      message = json_string_value(json_object_get(root, "message"));
    if (message || reason) {
      char text[300];
      snprintf(text, sizeof text, "%s%s%s%s", message ? message : "", reason ? " (" : "", reason ? reason : "",
               reason ? ")" : "");
      copy_printable(text, strlen(text), out, size);
      json_decref(root);
      return;
    }
    json_decref(root);
  }
  copy_printable(response->body, response->body_size < 200 ? response->body_size : 200, out, size);
}

/* The URL without its query, which may carry keys. */
static void url_for_message(const char *url, char *out, size_t size)
{
  size_t length = strcspn(url, "?#");
  snprintf(out, size, "%.*s", (int)length, url);
}

static const char *method_text(enum http_method method)
{
  static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
  return method <= HTTP_DELETE ? names[method] : "GET";
}

void http_outcome_error(const struct http_request *request, const struct http_response *response, int curl_code,
                        const char *curl_error, const struct http_outcome *outcome, struct growth_error *err)
{
  char url[300];
  url_for_message(request->url, url, sizeof url);
  char attempts[48] = "";
  if (response->attempts > 1)
    snprintf(attempts, sizeof attempts, " after %d attempts", response->attempts);
  if (curl_code != CURLE_OK) {
    error_set(err, outcome->code, "%s: %s %s: %s%s (%s)", request->what, method_text(request->method), url,
              outcome->reason, attempts, curl_error && *curl_error ? curl_error : curl_easy_strerror(curl_code));
  } else {
    char reason[300];
    upstream_reason(response, reason, sizeof reason);
    error_set(err, outcome->code, "%s: %s %s answered %ld%s%s%s", request->what, method_text(request->method), url,
              response->status, attempts, reason[0] ? ": " : "", reason);
  }
  err->retryable = outcome->retryable;
  err->status = (int)response->status;
}
