/*
 * sessions.h — dashboard sessions: the server side of the session cookie.
 *
 * Signing in with an API key creates a session: a random id (32 bytes from
 * RAND_bytes, sent to the browser in an HttpOnly cookie) and a random CSRF
 * token (sent in the sign-in answer; the page echoes it in X-CSRF-Token on
 * every state-changing request). The store keeps only SHA-256 of each id, in
 * memory, with an expiry; a restart signs everyone out. Lookups compare the
 * hashes with CRYPTO_memcmp. Times are passed in (monotonic ms) so expiry can
 * be tested without waiting.
 */
#ifndef GROWTH_HTTP_SESSIONS_H
#define GROWTH_HTTP_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "http/api_keys.h"

#define SESSION_TOKEN_CHARS 64

struct session_store;

struct session_info {
  char name[API_KEY_NAME_MAX + 1];            /* the key the session was opened with */
  char csrf_token[SESSION_TOKEN_CHARS + 1];
  int64_t expires_ms;                         /* monotonic */
};

/* At most max_sessions live at once; opening one more closes the one that expires first. */
struct session_store *session_store_new(int64_t ttl_ms, size_t max_sessions, struct growth_error *err);
void session_store_free(struct session_store *store);

/* Opens a session for the key name; writes its id (64 hex characters) and info. -1 with err when the random
 * source fails or memory runs out. */
int session_create(struct session_store *store, const char *name, int64_t now_ms, char id[SESSION_TOKEN_CHARS + 1],
                   struct session_info *info, struct growth_error *err);

/* 0 and info when id names a live session; -1 when it is unknown, malformed or expired. */
int session_find(struct session_store *store, const char *id, int64_t now_ms, struct session_info *info);

/* Closes the session; 0 when there was one. */
int session_delete(struct session_store *store, const char *id);

/* The number of live sessions at now_ms. */
size_t session_count(struct session_store *store, int64_t now_ms);

/* Whether header equals the session's CSRF token (constant time; NULL or a wrong length is false). */
bool session_csrf_matches(const struct session_info *info, const char *header);

#endif
