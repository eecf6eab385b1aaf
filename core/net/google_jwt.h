/*
 * google_jwt.h — the signed JWT a service account trades for an access token.
 *
 * Header {"alg":"RS256","typ":"JWT","kid":<private_key_id>}, claims iss (the
 * client_email), scope, aud (the key's token_uri), iat, exp = iat + 3600 and,
 * for domain-wide delegation, sub. Both parts are base64url without padding;
 * the signature is RSASSA-PKCS1-v1_5 with SHA-256 through OpenSSL's EVP.
 */
#ifndef GROWTH_NET_GOOGLE_JWT_H
#define GROWTH_NET_GOOGLE_JWT_H

#include <stddef.h>

#include "base/error.h"
#include "net/google_key.h"

#define GOOGLE_JWT_LIFETIME_S 3600

/* base64url without padding of data. Caller frees. NULL when out of memory. */
char *google_jwt_base64url(const unsigned char *data, size_t size);

/* The signed assertion for scope (space-separated), subject may be NULL. Caller frees *out. */
int google_jwt_sign(const struct google_key *key, const char *scope, const char *subject, long long now_s, char **out,
                    struct growth_error *err);

#endif
