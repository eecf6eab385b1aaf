/*
 * http_outcome.h — how the HTTP client judges one attempt (internal to core/net).
 *
 * Kept apart from http_client.c so the retry rules read as one table and can
 * be tested without a network: a transport failure or an answer becomes
 * success, "try again" or "give up", with the error code it would carry.
 */
#ifndef GROWTH_NET_HTTP_OUTCOME_H
#define GROWTH_NET_HTTP_OUTCOME_H

#include "base/error.h"
#include "net/http_client.h"

enum http_outcome_kind { HTTP_OUTCOME_SUCCESS, HTTP_OUTCOME_RETRY, HTTP_OUTCOME_FAIL };

struct http_outcome {
  enum http_outcome_kind kind;
  enum error_code code;
  int retryable;          /* whether a later try (e.g. the job's retry) may succeed */
  long retry_after_ms;    /* from Retry-After, -1 when none */
  const char *reason;     /* short text for logs */
};

/* curl_code is a CURLcode; safe says whether the request may be repeated after it may have been processed. */
void http_outcome_judge(const struct http_request *request, int curl_code, const char *curl_error,
                        const struct http_response *response, int safe, struct http_outcome *out);

/* Fills err from the outcome: code, retryable, status, and a message naming the call and the upstream reason. */
void http_outcome_error(const struct http_request *request, const struct http_response *response, int curl_code,
                        const char *curl_error, const struct http_outcome *outcome, struct growth_error *err);

#endif
