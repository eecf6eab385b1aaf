/*
 * google_auth.h — access tokens of a Google service account, cached for all threads.
 *
 * A token is fetched by signing a JWT (google_jwt.h) and posting it to the
 * key's token_uri (the JWT bearer grant). It is kept until 60 s before it
 * expires and handed to every thread; one thread refreshes while the others
 * wait for its result instead of signing their own. A caller whose token was
 * refused with 401 invalidates exactly that token, so the next call fetches a
 * new one once, however many threads saw the 401.
 */
#ifndef GROWTH_NET_GOOGLE_AUTH_H
#define GROWTH_NET_GOOGLE_AUTH_H

#include <stddef.h>

#include "base/error.h"
#include "net/google_key.h"
#include "net/http_client.h"

#define GOOGLE_TOKEN_MAX 2048
#define GOOGLE_TOKEN_MARGIN_S 60

struct google_auth;

/* Takes ownership of key; borrows client. scope is space-separated; subject may be NULL. */
struct google_auth *google_auth_new(struct google_key *key, const char *scope, const char *subject,
                                    struct http_client *client, struct growth_error *err);
void google_auth_free(struct google_auth *auth);

/* Copies a valid access token into out (GOOGLE_TOKEN_MAX bytes), fetching one when needed. */
int google_auth_token(struct google_auth *auth, char *out, size_t size, struct growth_error *err);

/* Forgets token if it is still the cached one (after a 401). */
void google_auth_invalidate(struct google_auth *auth, const char *token);

/* The key's client_email (for logs and readiness). */
const char *google_auth_client_email(const struct google_auth *auth);

#endif
