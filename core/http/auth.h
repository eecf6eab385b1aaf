/*
 * auth.h — access control: who may call which endpoint.
 *
 * Three areas of paths:
 *   open       /health, the /agents dashboard files, /api/auth/session (sign-in)
 *   agents     /api/orchestrator/... and /api/artifacts/...: a valid key that
 *              GROWTH_AGENTS_ALLOWLIST names (every key when it is unset)
 *   protected  everything else, /metrics included: any valid key
 *
 * A caller proves a key with `Authorization: Bearer <key>`, or with the
 * dashboard's session cookie (see sessions.h); with the cookie, a request
 * other than GET, HEAD or OPTIONS must also carry X-CSRF-Token. No or bad
 * credentials give 401 with a WWW-Authenticate challenge; good credentials
 * without the right (allowlist, CSRF) give 403.
 *
 * With no keys configured, development and staging are open; production
 * refuses to start unless GROWTH_AUTH=off says so on purpose. GROWTH_AUTH=on
 * without keys is refused everywhere. This module decides; api.c and
 * api_auth.c turn decisions into HTTP answers, so the rules are testable
 * without a socket.
 */
#ifndef GROWTH_HTTP_AUTH_H
#define GROWTH_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "base/error.h"
#include "http/api_keys.h"
#include "http/sessions.h"

#define AUTH_SESSION_COOKIE "growth_session"
#define AUTH_CSRF_HEADER "X-CSRF-Token"
#define AUTH_MAX_SESSIONS 1024

enum auth_area { AUTH_AREA_OPEN, AUTH_AREA_PROTECTED, AUTH_AREA_AGENTS };

struct auth;

/* What the guard reads from a request; any field may be NULL when absent. */
struct auth_request {
  const char *method;
  const char *path;
  const char *authorization;     /* the Authorization header */
  const char *session_cookie;    /* the growth_session cookie */
  const char *csrf_token;        /* the X-CSRF-Token header */
};

struct auth_decision {
  int status;                    /* 0 allowed; 401 or 403 refused */
  const char *code;              /* the JSON error code when refused */
  char message[256];
  const char *challenge;         /* the WWW-Authenticate value of a 401 */
  char principal[API_KEY_NAME_MAX + 1];   /* the key's name; "" while access control is off */
  bool via_session;
  struct session_info session;   /* when via_session */
};

/* Reads GROWTH_AUTH, GROWTH_API_KEYS, GROWTH_AGENTS_ALLOWLIST and GROWTH_SESSION_TTL_S, and applies the
 * production rule. ERR_BAD_CONFIG (one line naming the variable) when they do not allow a start. */
struct auth *auth_new(const struct config *config, struct growth_error *err);
void auth_free(struct auth *auth);

/* Whether keys are checked at all (false: open development, or GROWTH_AUTH=off). */
bool auth_required(const struct auth *auth);

enum auth_area auth_area_of(const char *path);

/* The whole rule for a request: area, credentials, CSRF, allowlist. */
void auth_check(struct auth *auth, const struct auth_request *request, int64_t now_ms, struct auth_decision *out);

/* Credentials and CSRF only, whatever the path (for the session endpoint itself). */
void auth_authenticate(struct auth *auth, const struct auth_request *request, int64_t now_ms,
                       struct auth_decision *out);

struct auth_grant {
  char name[API_KEY_NAME_MAX + 1];
  char csrf_token[SESSION_TOKEN_CHARS + 1];
  long max_age_s;
  char set_cookie[256];          /* the Set-Cookie value that holds the session id */
};

/* Exchanges a key for a session. ERR_UNAUTHORIZED when the key is not valid. */
int auth_sign_in(struct auth *auth, const char *key, size_t length, int64_t now_ms, struct auth_grant *out,
                 struct growth_error *err);

/* Ends the session named by the cookie value (no-op when unknown) and writes the Set-Cookie value that
 * clears the cookie in the browser. */
void auth_sign_out(struct auth *auth, const char *session_cookie, char *set_cookie, size_t size);

#endif
