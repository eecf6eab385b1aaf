/*
 * google_jwt.c — building and signing the JWT assertion (see google_jwt.h).
 */
#include "net/google_jwt.h"

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *google_jwt_base64url(const unsigned char *data, size_t size)
{
  char *out = malloc(4 * ((size + 2) / 3) + 1);
  if (!out)
    return NULL;
  int length = EVP_EncodeBlock((unsigned char *)out, data, (int)size);
  while (length > 0 && out[length - 1] == '=')
    length--;
  out[length] = '\0';
  for (char *p = out; *p; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  }
  return out;
}

static char *encode_json(json_t *value)
{
  if (!value)
    return NULL;
  char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(value);
  if (!text)
    return NULL;
  char *encoded = google_jwt_base64url((const unsigned char *)text, strlen(text));
  free(text);
  return encoded;
}

static int sign(EVP_PKEY *pkey, const char *input, unsigned char **signature, size_t *size)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
           EVP_DigestSign(ctx, NULL, size, (const unsigned char *)input, strlen(input)) == 1 &&
           (*signature = malloc(*size)) != NULL &&
           EVP_DigestSign(ctx, *signature, size, (const unsigned char *)input, strlen(input)) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok ? 0 : -1;
}

int google_jwt_sign(const struct google_key *key, const char *scope, const char *subject, long long now_s, char **out,
                    struct growth_error *err)
{
  char *header = NULL, *claims = NULL, *input = NULL, *encoded_signature = NULL;
  unsigned char *signature = NULL;
  size_t signature_size = 0;
  *out = NULL;
  json_t *header_json = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
  if (header_json && key->private_key_id)
    json_object_set_new(header_json, "kid", json_string(key->private_key_id));
  json_t *claims_json = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", key->client_email, "scope", scope, "aud",
                                  key->token_uri, "iat", (json_int_t)now_s, "exp",
                                  (json_int_t)(now_s + GOOGLE_JWT_LIFETIME_S));
  if (claims_json && subject && *subject)
    json_object_set_new(claims_json, "sub", json_string(subject));
  header = encode_json(header_json);
  claims = encode_json(claims_json);
  if (!header || !claims)
    goto fail_memory;
  size_t input_size = strlen(header) + strlen(claims) + 2;
  if (!(input = malloc(input_size)))
    goto fail_memory;
  snprintf(input, input_size, "%s.%s", header, claims);
  if (sign(key->pkey, input, &signature, &signature_size) != 0) {
    error_set(err, ERR_INTERNAL, "google token: signing the JWT with the service account's RSA key failed");
    goto fail;
  }
  if (!(encoded_signature = google_jwt_base64url(signature, signature_size)))
    goto fail_memory;
  size_t total = input_size + strlen(encoded_signature) + 1;
  if (!(*out = malloc(total)))
    goto fail_memory;
  snprintf(*out, total, "%s.%s", input, encoded_signature);
  free(encoded_signature);
  free(signature);
  free(input);
  free(claims);
  free(header);
  return 0;

fail_memory:
  error_set(err, ERR_NO_MEMORY, "google token: out of memory building the JWT");
fail:
  free(encoded_signature);
  free(signature);
  free(input);
  free(claims);
  free(header);
  return -1;
}
