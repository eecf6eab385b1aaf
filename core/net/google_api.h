/*
 * google_api.h — authorised, rate-limited calls to Google's REST APIs.
 *
 * What the Sheets, Calendar and Drive providers share: the HTTP client, the
 * service account's token cache and the shared rate limiter. A call takes its
 * rate-limit slots, adds the bearer token, and sends through the HTTP client
 * with Google's retry rules: besides 429 and 5xx, a 403 whose reason is
 * rateLimitExceeded, userRateLimitExceeded or quotaExceeded (or a details[]
 * reason RATE_LIMIT_EXCEEDED) is a rate limit and is retried with backoff.
 * A 401 makes the call fetch a new token and try once more.
 */
#ifndef GROWTH_NET_GOOGLE_API_H
#define GROWTH_NET_GOOGLE_API_H

#include <jansson.h>
#include <stddef.h>

#include "base/config.h"
#include "base/error.h"
#include "net/google_auth.h"
#include "net/http_client.h"
#include "net/rate_limit.h"

/* Scopes of the one token the three providers share. */
#define GOOGLE_SCOPES \
  "https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/calendar " \
  "https://www.googleapis.com/auth/drive.file"

#define GOOGLE_API_MAX_LIMITS 4

struct google_api;

/* Builds the API from GOOGLE_SERVICE_ACCOUNT_JSON_B64 and GOOGLE_IMPERSONATE_SUBJECT; borrows client and
 * limiter (limiter may be NULL). *out is NULL (and 0 returned) when no key is configured. */
int google_api_open(const struct config *cfg, struct http_client *client, struct rate_limiter *limiter,
                    struct google_api **out, struct growth_error *err);

/* Takes ownership of auth. */
struct google_api *google_api_new(struct google_auth *auth, struct http_client *client, struct rate_limiter *limiter,
                                  struct growth_error *err);
void google_api_free(struct google_api *api);

/* The service account's client_email. */
const char *google_api_client_email(const struct google_api *api);

/*
 * Sends request (auth and classifier are set here) after taking the limits (at most
 * GOOGLE_API_MAX_LIMITS; each kept per service account as "<name>:<client_email>").
 * Returns the parsed JSON answer (new reference), or NULL with err. An answer
 * that is not JSON is an upstream_error that is not retryable.
 */
json_t *google_api_call(struct google_api *api, const struct rate_limit *limits, size_t limit_count,
                        const struct http_request *request, struct growth_error *err);

#endif
