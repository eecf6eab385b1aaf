/*
 * google_api.c — the shared Google call path (see google_api.h).
 */
#include "net/google_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct google_api {
  struct google_auth *auth;
  struct http_client *client;
  struct rate_limiter *limiter;
};

struct google_api *google_api_new(struct google_auth *auth, struct http_client *client, struct rate_limiter *limiter,
                                  struct growth_error *err)
{
  struct google_api *api = calloc(1, sizeof *api);
  if (!api) {
    google_auth_free(auth);
    error_set(err, ERR_NO_MEMORY, "google api: out of memory");
    return NULL;
  }
  api->auth = auth;
  api->client = client;
  api->limiter = limiter;
  return api;
}

void google_api_free(struct google_api *api)
{
  if (!api)
    return;
  google_auth_free(api->auth);
  free(api);
}

const char *google_api_client_email(const struct google_api *api)
{
  return google_auth_client_email(api->auth);
}

int google_api_open(const struct config *cfg, struct http_client *client, struct rate_limiter *limiter,
                    struct google_api **out, struct growth_error *err)
{
  struct google_key *key = NULL;
  *out = NULL;
  if (!cfg->google_service_account_json_b64)
    return 0;
  if (google_key_from_base64(cfg->google_service_account_json_b64, &key, err) != 0)
    return -1;
  struct google_auth *auth = google_auth_new(key, GOOGLE_SCOPES, cfg->google_impersonate_subject, client, err);
  if (!auth)
    return -1;
  *out = google_api_new(auth, client, limiter, err);
  return *out ? 0 : -1;
}

static int is_rate_reason(const char *reason)
{
  static const char *const reasons[] = { "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded",
                                         "RATE_LIMIT_EXCEEDED" };
  for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
    if (strcmp(reason, reasons[i]) == 0)
      return 1;
  return 0;
}

/* Google signals "slow down" with 429 or with a 403 of the usageLimits kind. */
static enum http_verdict classify(const struct http_response *response, void *context)
{
  (void)context;
  if (response->status != 403)
    return HTTP_VERDICT_DEFAULT;
  json_t *root = json_loadb(response->body, response->body_size, 0, NULL);
  json_t *error = json_object_get(root, "error");
  int limited = 0;
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(error, "errors"), i, item)
    limited |= is_rate_reason(json_string_value(json_object_get(item, "reason")));
  json_array_foreach(json_object_get(error, "details"), i, item)
    limited |= is_rate_reason(json_string_value(json_object_get(item, "reason")));
  json_decref(root);
  return limited ? HTTP_VERDICT_RATE_LIMITED : HTTP_VERDICT_DEFAULT;
}

/* Google counts quotas per project and per user, and a service account is one user: the budget is the
 * account's, so every limit is kept under "<name>:<client_email>" and deployments with different
 * accounts sharing one Redis do not share budgets. */
static int acquire(struct google_api *api, const struct rate_limit *limits, size_t count, struct growth_error *err)
{
  struct rate_limit named[GOOGLE_API_MAX_LIMITS];
  char names[GOOGLE_API_MAX_LIMITS][192];
  if (count > GOOGLE_API_MAX_LIMITS)
    return error_set(err, ERR_INTERNAL, "google api: more than %d limits for one call", GOOGLE_API_MAX_LIMITS);
  for (size_t i = 0; i < count; i++) {
    snprintf(names[i], sizeof names[i], "%s:%s", limits[i].name, google_auth_client_email(api->auth));
    named[i] = limits[i];
    named[i].name = names[i];
  }
  return rate_limiter_acquire(api->limiter, named, count, err);
}

json_t *google_api_call(struct google_api *api, const struct rate_limit *limits, size_t limit_count,
                        const struct http_request *request, struct growth_error *err)
{
  if (acquire(api, limits, limit_count, err) != 0)
    return NULL;
  struct http_request authorised = *request;
  authorised.auth = HTTP_AUTH_BEARER;
  authorised.classify = classify;
  char token[GOOGLE_TOKEN_MAX];
  struct http_response response;
  for (int round = 0;; round++) {
    if (google_auth_token(api->auth, token, sizeof token, err) != 0)
      return NULL;
    authorised.bearer_token = token;
    int sent = http_client_send(api->client, &authorised, &response, err);
    if (sent != 0 && response.status == 401 && round == 0) {
      google_auth_invalidate(api->auth, token);
      http_response_free(&response);
      continue;
    }
    if (sent != 0) {
      http_response_free(&response);
      return NULL;
    }
    break;
  }
  json_t *root = http_response_json(&response, request->what, err);
  http_response_free(&response);
  return root;
}
