/*
 * google_auth.c — the token cache and the JWT bearer exchange (see google_auth.h).
 *
 * The cache is one token and its expiry under a mutex. The mutex is held
 * during a fetch on purpose: concurrent callers then wait for the one fetch
 * rather than each sending a grant (which would multiply token requests under
 * load). Token endpoint failures are classified for the caller: 400/401
 * (invalid_grant, unauthorized_client, invalid_scope) are a refused credential,
 * unauthorized and not retryable; transport failures, 429 and 5xx stay retryable.
 */
#include "net/google_auth.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "net/google_jwt.h"

struct google_auth {
  struct google_key *key;
  char *scope;
  char *subject;
  struct http_client *client;
  pthread_mutex_t lock;
  char token[GOOGLE_TOKEN_MAX];
  long long expires_at;       /* Unix seconds; 0 when no token */
};

struct google_auth *google_auth_new(struct google_key *key, const char *scope, const char *subject,
                                    struct http_client *client, struct growth_error *err)
{
  struct google_auth *auth = calloc(1, sizeof *auth);
  if (!auth)
    goto fail;
  auth->scope = strdup(scope);
  auth->subject = subject && *subject ? strdup(subject) : NULL;
  if (!auth->scope || (subject && *subject && !auth->subject))
    goto fail;
  auth->key = key;
  auth->client = client;
  pthread_mutex_init(&auth->lock, NULL);
  return auth;

fail:
  if (auth) {
    free(auth->scope);
    free(auth->subject);
    free(auth);
  }
  google_key_free(key);
  error_set(err, ERR_NO_MEMORY, "google auth: out of memory");
  return NULL;
}

void google_auth_free(struct google_auth *auth)
{
  if (!auth)
    return;
  pthread_mutex_destroy(&auth->lock);
  google_key_free(auth->key);
  free(auth->scope);
  free(auth->subject);
  memset(auth->token, 0, sizeof auth->token);
  free(auth);
}

const char *google_auth_client_email(const struct google_auth *auth)
{
  return auth->key->client_email;
}

/* Reads access_token and expires_in from a 200 answer. */
static int read_token(struct google_auth *auth, const struct http_response *response, long long now,
                      struct growth_error *err)
{
  json_t *root = http_response_json(response, "google token", err);
  if (!root)
    return -1;
  const char *token = json_string_value(json_object_get(root, "access_token"));
  json_t *expires_in = json_object_get(root, "expires_in");
  const char *type = json_string_value(json_object_get(root, "token_type"));
  int result = 0;
  if (!token || !*token || strlen(token) >= sizeof auth->token) {
    result = error_set(err, ERR_UPSTREAM, "google token: the answer from %s has no usable \"access_token\"",
                       auth->key->token_uri);
  } else if (expires_in && !json_is_integer(expires_in)) {
    result = error_set(err, ERR_UPSTREAM, "google token: \"expires_in\" in the answer from %s is not a number",
                       auth->key->token_uri);
  } else if (type && strcasecmp(type, "Bearer") != 0) {
    result = error_set(err, ERR_UPSTREAM, "google token: \"token_type\" is '%.20s'; expected Bearer", type);
  } else {
    snprintf(auth->token, sizeof auth->token, "%s", token);
    auth->expires_at = now + (expires_in ? json_integer_value(expires_in) : 3600);
  }
  if (result != 0)
    err->status = (int)response->status;
  json_decref(root);
  return result;
}

static int fetch_token(struct google_auth *auth, long long now, struct growth_error *err)
{
  char *assertion = NULL;
  if (google_jwt_sign(auth->key, auth->scope, auth->subject, now, &assertion, err) != 0)
    return -1;
  struct http_form_field form[] = { { "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer" },
                                    { "assertion", assertion } };
  struct http_request request = { .method = HTTP_POST, .url = auth->key->token_uri, .form = form, .form_count = 2,
                                  .repeat = HTTP_REPEAT_SAFE, .what = "google token" };
  struct http_response response;
  int result = http_client_send(auth->client, &request, &response, err);
  free(assertion);
  if (result != 0 && (response.status == 400 || response.status == 401 || response.status == 403)) {
    err->code = ERR_UNAUTHORIZED;
    err->retryable = 0;
    error_prefix(err, "google token: the service account %s was refused", auth->key->client_email);
  } else if (result == 0) {
    result = read_token(auth, &response, now, err);
  }
  http_response_free(&response);
  if (result == 0)
    log_debug("GoogleAuth", "new access token for %s, valid %lld s", auth->key->client_email, auth->expires_at - now);
  return result;
}

int google_auth_token(struct google_auth *auth, char *out, size_t size, struct growth_error *err)
{
  pthread_mutex_lock(&auth->lock);
  long long now = (long long)time(NULL);
  int result = 0;
  if (auth->expires_at - GOOGLE_TOKEN_MARGIN_S <= now) {
    auth->expires_at = 0;
    result = fetch_token(auth, now, err);
  }
  if (result == 0)
    snprintf(out, size, "%s", auth->token);
  pthread_mutex_unlock(&auth->lock);
  return result;
}

void google_auth_invalidate(struct google_auth *auth, const char *token)
{
  pthread_mutex_lock(&auth->lock);
  if (strcmp(auth->token, token) == 0)
    auth->expires_at = 0;
  pthread_mutex_unlock(&auth->lock);
}
