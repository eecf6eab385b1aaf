/*
 * auth.c — the access rules (see auth.h).
 *
 * The order of checks is fixed: the area of the path (open paths skip
 * everything), then credentials — a Bearer key wins over a cookie, since a
 * client that sends one means it — then CSRF for cookie-borne state changes,
 * then the allowlist of the agents area. Every refusal counts in
 * growth_auth_failures_total{reason} so a flood of bad keys shows on a graph;
 * nothing a client sent is ever logged or counted as a label.
 */
#include "http/auth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/metrics.h"

#define CHALLENGE "Bearer realm=\"growthd\""
#define CHALLENGE_INVALID "Bearer realm=\"growthd\", error=\"invalid_token\""

struct auth {
  bool required;
  bool secure_cookie;
  long ttl_s;
  struct api_keys keys;
  struct session_store *sessions;
  struct metric *failures;
};

static int parse_mode(const char *mode, int *out, struct growth_error *err)
{
  if (!mode || !*mode)
    *out = -1;
  else if (strcasecmp(mode, "on") == 0)
    *out = 1;
  else if (strcasecmp(mode, "off") == 0)
    *out = 0;
  else
    return error_set(err, ERR_BAD_CONFIG, "GROWTH_AUTH: '%.32s' is not a known value; expected on or off", mode);
  return 0;
}

struct auth *auth_new(const struct config *config, struct growth_error *err)
{
  int mode = -1;
  if (parse_mode(config->auth_mode, &mode, err) != 0)
    return NULL;
  struct auth *auth = calloc(1, sizeof *auth);
  if (!auth) {
    error_set(err, ERR_NO_MEMORY, "access control: out of memory");
    return NULL;
  }
  auth->ttl_s = config->session_ttl_s;
  auth->secure_cookie = config->environment == ENV_PRODUCTION;
  auth->failures = metrics_counter(metrics_global(), "growth_auth_failures_total",
                                   "Requests refused by access control, by reason", "reason", NULL);
  if (mode == 0) {
    log_warn("Auth", "access control is off (GROWTH_AUTH=off): every endpoint is open%s",
             config->api_keys ? "; GROWTH_API_KEYS is ignored" : "");
    return auth;
  }
  if (api_keys_parse(config->api_keys, &auth->keys, err) != 0)
    goto fail;
  if (auth->keys.count == 0) {
    if (mode == 1) {
      error_set(err, ERR_BAD_CONFIG, "GROWTH_AUTH: 'on' needs at least one key in GROWTH_API_KEYS");
      goto fail;
    }
    if (config->environment == ENV_PRODUCTION) {
      error_set(err, ERR_BAD_CONFIG, "GROWTH_API_KEYS: no API key is set in production; set keys "
                "(name:sha256hex) or GROWTH_AUTH=off to run without access control on purpose");
      goto fail;
    }
    log_warn("Auth", "no API keys (GROWTH_API_KEYS): every endpoint is open in %s",
             config_environment_name(config->environment));
    return auth;
  }
  if (api_keys_apply_allowlist(&auth->keys, config->agents_allowlist, err) != 0)
    goto fail;
  auth->sessions = session_store_new((int64_t)config->session_ttl_s * 1000, AUTH_MAX_SESSIONS, err);
  if (!auth->sessions)
    goto fail;
  auth->required = true;
  size_t allowed = 0;
  for (size_t i = 0; i < auth->keys.count; i++)
    allowed += auth->keys.keys[i].agents_allowed;
  log_info("Auth", "access control on: %zu API keys, %zu allowed on the growth endpoints", auth->keys.count, allowed);
  return auth;

fail:
  auth_free(auth);
  return NULL;
}

void auth_free(struct auth *auth)
{
  if (!auth)
    return;
  session_store_free(auth->sessions);
  api_keys_free(&auth->keys);
  free(auth);
}

bool auth_required(const struct auth *auth)
{
  return auth->required;
}

/* path equals prefix, or prefix + "/", or (when below) prefix + "/" + more. */
static bool path_under(const char *path, const char *prefix, bool below)
{
  size_t length = strlen(prefix);
  if (strncmp(path, prefix, length) != 0)
    return false;
  const char *rest = path + length;
  if (rest[0] == '\0' || (rest[0] == '/' && rest[1] == '\0'))
    return true;
  return below && rest[0] == '/';
}

enum auth_area auth_area_of(const char *path)
{
  if (path_under(path, "/health", false) || path_under(path, "/agents", false) ||
      path_under(path, "/api/auth/session", false))
    return AUTH_AREA_OPEN;
  if (strncmp(path, "/agents/", 8) == 0 && !strchr(path + 8, '/'))
    return AUTH_AREA_OPEN;   /* one dashboard file */
  if (path_under(path, "/api/orchestrator", true) || path_under(path, "/api/artifacts", true))
    return AUTH_AREA_AGENTS;
  return AUTH_AREA_PROTECTED;
}

static void refuse(struct auth *auth, struct auth_decision *out, int status, const char *code, const char *reason,
                   const char *challenge, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void refuse(struct auth *auth, struct auth_decision *out, int status, const char *code, const char *reason,
                   const char *challenge, const char *fmt, ...)
{
  out->status = status;
  out->code = code;
  out->challenge = challenge;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
  metric_inc(auth->failures, (const char *[]){ reason });
}

static bool is_safe_method(const char *method)
{
  return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0;
}

static void check_bearer(struct auth *auth, const char *authorization, struct auth_decision *out)
{
  if (strncasecmp(authorization, "Bearer ", 7) != 0) {
    refuse(auth, out, 401, "unauthorized", "bad_scheme", CHALLENGE,
           "the Authorization header must use the Bearer scheme: Authorization: Bearer <key>");
    return;
  }
  const char *key = authorization + 7;
  while (*key == ' ')
    key++;
  size_t length = strlen(key);
  while (length > 0 && key[length - 1] == ' ')
    length--;
  const struct api_key *match = api_keys_verify(&auth->keys, key, length);
  if (!match) {
    refuse(auth, out, 401, "invalid_key", "invalid_key", CHALLENGE_INVALID, "the API key is not valid");
    return;
  }
  snprintf(out->principal, sizeof out->principal, "%s", match->name);
}

static void check_session(struct auth *auth, const struct auth_request *request, int64_t now_ms,
                          struct auth_decision *out)
{
  if (session_find(auth->sessions, request->session_cookie, now_ms, &out->session) != 0) {
    refuse(auth, out, 401, "session_expired", "session_expired", CHALLENGE,
           "the session has expired or was signed out; sign in again");
    return;
  }
  out->via_session = true;
  snprintf(out->principal, sizeof out->principal, "%s", out->session.name);
  if (!is_safe_method(request->method) && !session_csrf_matches(&out->session, request->csrf_token))
    refuse(auth, out, 403, "csrf_failed", "csrf",
           NULL, "a %s request with a session cookie needs the X-CSRF-Token header from sign-in", request->method);
}

void auth_authenticate(struct auth *auth, const struct auth_request *request, int64_t now_ms,
                       struct auth_decision *out)
{
  memset(out, 0, sizeof *out);
  if (!auth->required)
    return;
  if (request->authorization && *request->authorization)
    check_bearer(auth, request->authorization, out);
  else if (request->session_cookie && *request->session_cookie)
    check_session(auth, request, now_ms, out);
  else
    refuse(auth, out, 401, "unauthorized", "missing", CHALLENGE,
           "this endpoint needs an API key: send Authorization: Bearer <key>, or sign in to the dashboard");
}

void auth_check(struct auth *auth, const struct auth_request *request, int64_t now_ms, struct auth_decision *out)
{
  memset(out, 0, sizeof *out);
  enum auth_area area = auth_area_of(request->path);
  if (area == AUTH_AREA_OPEN)
    return;
  auth_authenticate(auth, request, now_ms, out);
  if (out->status != 0 || !auth->required || area != AUTH_AREA_AGENTS)
    return;
  for (size_t i = 0; i < auth->keys.count; i++) {
    if (strcmp(auth->keys.keys[i].name, out->principal) == 0 && !auth->keys.keys[i].agents_allowed) {
      char name[API_KEY_NAME_MAX + 1];
      snprintf(name, sizeof name, "%s", out->principal);
      refuse(auth, out, 403, "forbidden", "not_allowlisted", NULL,
             "the key '%s' may not use the growth agents (it is not in GROWTH_AGENTS_ALLOWLIST)", name);
      return;
    }
  }
}

int auth_sign_in(struct auth *auth, const char *key, size_t length, int64_t now_ms, struct auth_grant *out,
                 struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  const struct api_key *match = auth->required ? api_keys_verify(&auth->keys, key, length) : NULL;
  if (!match) {
    metric_inc(auth->failures, (const char *[]){ "invalid_key" });
    return error_set(err, ERR_UNAUTHORIZED, "the API key is not valid");
  }
  char id[SESSION_TOKEN_CHARS + 1];
  struct session_info info;
  if (session_create(auth->sessions, match->name, now_ms, id, &info, err) != 0)
    return -1;
  snprintf(out->name, sizeof out->name, "%s", info.name);
  snprintf(out->csrf_token, sizeof out->csrf_token, "%s", info.csrf_token);
  out->max_age_s = auth->ttl_s;
  snprintf(out->set_cookie, sizeof out->set_cookie, AUTH_SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; "
           "SameSite=Strict%s", id, auth->ttl_s, auth->secure_cookie ? "; Secure" : "");
  return 0;
}

void auth_sign_out(struct auth *auth, const char *session_cookie, char *set_cookie, size_t size)
{
  if (auth->sessions && session_cookie)
    session_delete(auth->sessions, session_cookie);
  snprintf(set_cookie, size, AUTH_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
           auth->secure_cookie ? "; Secure" : "");
}
