/*
 * google_key.h — a Google service-account key, decoded and checked.
 *
 * GOOGLE_SERVICE_ACCOUNT_JSON_B64 holds the base64 of the JSON key file that
 * the Google Cloud console downloads. Loading decodes it (OpenSSL's EVP base64
 * decoder; blanks and missing padding are tolerated), parses the JSON, checks
 * type, client_email, private_key and token_uri, and reads the PEM into an
 * OpenSSL key. Each failure is one clear message naming the variable and the
 * part that is wrong; no message ever quotes the key or any part of it.
 */
#ifndef GROWTH_NET_GOOGLE_KEY_H
#define GROWTH_NET_GOOGLE_KEY_H

#include <openssl/evp.h>
#include <stddef.h>

#include "base/error.h"

struct google_key {
  char *client_email;
  char *private_key_id;   /* NULL when the file has none */
  char *token_uri;
  char *project_id;       /* NULL when the file has none */
  EVP_PKEY *pkey;         /* RSA */
};

/* Decodes and checks the base64 text. The caller frees *out with google_key_free. */
int google_key_from_base64(const char *text, struct google_key **out, struct growth_error *err);

/* Checks the key file's JSON text (already decoded). */
int google_key_from_json(const char *json, size_t size, struct google_key **out, struct growth_error *err);

void google_key_free(struct google_key *key);

#endif
