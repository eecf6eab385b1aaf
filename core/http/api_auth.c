/*
 * api_auth.c — the dashboard's session endpoint, /api/auth/session, and the
 * shape of access-control refusals.
 *
 *   POST   sign in: {"key":"..."} (or Authorization: Bearer) → 200 with the
 *          session cookie (HttpOnly, SameSite=Strict) and {"csrfToken":...}
 *   GET    who am I: 200 {"authRequired":..., "name":..., "csrfToken":...} or 401
 *   DELETE sign out: 204, the cookie cleared; with a cookie it needs X-CSRF-Token
 *
 * The path is open in the guard, so these handlers apply the rules
 * themselves. Sign-in only reads a key from a JSON body: a cross-site form
 * cannot send one without a CORS preflight, which growthd never grants.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/api_handlers.h"

void api_respond_refusal(struct http_response *response, const struct auth_decision *decision)
{
  if (decision->status == 401 && decision->challenge)
    http_response_add_header(response, "WWW-Authenticate", decision->challenge);
  http_respond_error(response, decision->status, decision->code, "%s", decision->message);
}

static void read_credentials(struct http_request *request, struct auth_request *in)
{
  *in = (struct auth_request){
    .method = request->method,
    .path = request->path,
    .authorization = http_request_header(request, "Authorization"),
    .session_cookie = http_request_cookie(request, AUTH_SESSION_COOKIE),
    .csrf_token = http_request_header(request, AUTH_CSRF_HEADER),
  };
}

static json_t *open_answer(void)
{
  return json_pack("{s:b}", "authRequired", 0);
}

void api_auth_session_get(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  if (!context->auth || !auth_required(context->auth)) {
    http_respond_json(response, 200, open_answer());
    return;
  }
  struct auth_request in;
  read_credentials(request, &in);
  struct auth_decision decision;
  int64_t now_ms = clock_monotonic_ms();
  auth_authenticate(context->auth, &in, now_ms, &decision);
  if (decision.status != 0) {
    api_respond_refusal(response, &decision);
    return;
  }
  json_t *body = json_pack("{s:b, s:s, s:s}", "authRequired", 1, "name", decision.principal, "via",
                           decision.via_session ? "session" : "key");
  if (body && decision.via_session) {
    json_object_set_new(body, "csrfToken", json_string(decision.session.csrf_token));
    json_object_set_new(body, "expiresInSeconds", json_integer((decision.session.expires_ms - now_ms) / 1000));
  }
  http_respond_json(response, 200, body);
  http_response_add_header(response, "Cache-Control", "no-store");
}

/* The key from {"key":"..."}, else from Authorization: Bearer; NULL when neither is there. */
static const char *presented_key(struct http_request *request, size_t *length)
{
  json_t *key = request->json ? json_object_get(request->json, "key") : NULL;
  if (json_is_string(key)) {
    *length = json_string_length(key);
    return json_string_value(key);
  }
  const char *authorization = http_request_header(request, "Authorization");
  if (!request->body_length && authorization && strncasecmp(authorization, "Bearer ", 7) == 0) {
    *length = strlen(authorization + 7);
    return authorization + 7;
  }
  return NULL;
}

void api_auth_sign_in(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  if (!context->auth || !auth_required(context->auth)) {
    http_respond_json(response, 200, open_answer());
    return;
  }
  size_t length = 0;
  const char *key = presented_key(request, &length);
  if (!key) {
    http_respond_error(response, 400, "bad_argument",
                       "sign-in expects a JSON body {\"key\":\"<API key>\"} sent as application/json");
    return;
  }
  struct auth_grant grant;
  struct growth_error err = { 0 };
  if (auth_sign_in(context->auth, key, length, clock_monotonic_ms(), &grant, &err) != 0) {
    if (err.code == ERR_UNAUTHORIZED) {
      http_response_add_header(response, "WWW-Authenticate", "Bearer realm=\"growthd\", error=\"invalid_token\"");
      http_respond_error(response, 401, "invalid_key", "%s", err.message);
      log_info("Auth", "refused a dashboard sign-in: invalid key");
    } else {
      http_respond_growth_error(response, &err);
    }
    return;
  }
  log_info("Auth", "dashboard sign-in with the key '%s'", grant.name);
  http_respond_json(response, 200,
                    json_pack("{s:b, s:s, s:s, s:I}", "authRequired", 1, "name", grant.name, "csrfToken",
                              grant.csrf_token, "expiresInSeconds", (json_int_t)grant.max_age_s));
  http_response_add_header(response, "Set-Cookie", grant.set_cookie);
  http_response_add_header(response, "Cache-Control", "no-store");
}

void api_auth_sign_out(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  if (!context->auth || !auth_required(context->auth)) {
    http_respond_bytes(response, 204, NULL, NULL, 0);
    return;
  }
  struct auth_request in;
  read_credentials(request, &in);
  struct auth_decision decision;
  auth_authenticate(context->auth, &in, clock_monotonic_ms(), &decision);
  if (decision.status != 0) {
    api_respond_refusal(response, &decision);
    return;
  }
  char set_cookie[256];
  auth_sign_out(context->auth, decision.via_session ? in.session_cookie : NULL, set_cookie, sizeof set_cookie);
  http_respond_bytes(response, 204, NULL, NULL, 0);
  if (decision.via_session)
    http_response_add_header(response, "Set-Cookie", set_cookie);
}
