/*
 * google_key.c — decoding and checking a service-account key (see google_key.h).
 *
 * The decoded bytes and the PEM text hold the private key, so they are wiped
 * (OPENSSL_cleanse) before being freed. OpenSSL's own error strings are not
 * quoted either: they can name offsets into the key but say nothing a person
 * can act on, so each message says instead what the field should look like.
 */
#include "net/google_key.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define VARIABLE "GOOGLE_SERVICE_ACCOUNT_JSON_B64"

void google_key_free(struct google_key *key)
{
  if (!key)
    return;
  EVP_PKEY_free(key->pkey);
  free(key->client_email);
  free(key->private_key_id);
  free(key->token_uri);
  free(key->project_id);
  free(key);
}

/* Strips blanks and adds missing '=' padding; returns a new string or NULL. */
static char *normalise_base64(const char *text, size_t *length)
{
  size_t size = strlen(text);
  char *out = malloc(size + 4);
  if (!out)
    return NULL;
  size_t used = 0;
  for (size_t i = 0; i < size; i++)
    if (!isspace((unsigned char)text[i]))
      out[used++] = text[i];
  while (used % 4 != 0)
    out[used++] = '=';
  out[used] = '\0';
  *length = used;
  return out;
}

static int decode_base64(const char *text, unsigned char **out, size_t *out_size, struct growth_error *err)
{
  size_t length = 0;
  char *clean = normalise_base64(text, &length);
  if (!clean)
    return error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory decoding the key");
  if (length == 0) {
    free(clean);
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the value is empty; expected the base64 of the key's JSON file");
  }
  unsigned char *decoded = malloc(length / 4 * 3 + 3);
  EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
  int ok = decoded && ctx;
  int part = 0, last = 0;
  if (ok) {
    EVP_DecodeInit(ctx);
    ok = EVP_DecodeUpdate(ctx, decoded, &part, (const unsigned char *)clean, (int)length) >= 0 &&
         EVP_DecodeFinal(ctx, decoded + part, &last) == 1;
  }
  EVP_ENCODE_CTX_free(ctx);
  OPENSSL_cleanse(clean, length);
  free(clean);
  if (!ok) {
    if (decoded)
      OPENSSL_cleanse(decoded, length / 4 * 3 + 3);
    free(decoded);
    ERR_clear_error();
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the value is not valid base64; expected the base64 of the "
                                          "key's JSON file (for example `base64 -w0 key.json`)");
  }
  *out = decoded;
  *out_size = (size_t)(part + last);
  return 0;
}

int google_key_from_base64(const char *text, struct google_key **out, struct growth_error *err)
{
  unsigned char *json = NULL;
  size_t size = 0;
  *out = NULL;
  if (!text)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE " is not set; expected the base64 of the key's JSON file");
  if (decode_base64(text, &json, &size, err) != 0)
    return -1;
  int result = google_key_from_json((const char *)json, size, out, err);
  OPENSSL_cleanse(json, size);
  free(json);
  return result;
}

/* A required, non-empty string field; copied into *out. */
static int take_string(json_t *root, const char *name, int required, char **out, struct growth_error *err)
{
  json_t *value = json_object_get(root, name);
  *out = NULL;
  if (!value || json_is_null(value)) {
    if (required)
      return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key has no \"%s\"; expected a service account key file "
                                            "as downloaded from the Google Cloud console", name);
    return 0;
  }
  if (!json_is_string(value) || json_string_length(value) == 0)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"%s\" is %s; expected a non-empty string", name,
                     json_is_string(value) ? "empty" : "not a string");
  *out = strdup(json_string_value(value));
  if (!*out)
    return error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory");
  return 0;
}

/* https, or plain http to a loopback host (tests and local proxies): the assertion must not cross a network in clear. */
static int check_token_uri(const char *uri, struct growth_error *err)
{
  static const char *const loopback[] = { "http://127.0.0.1", "http://localhost", "http://[::1]" };
  if (strncmp(uri, "https://", 8) == 0)
    return 0;
  for (size_t i = 0; i < 3; i++) {
    size_t length = strlen(loopback[i]);
    if (strncmp(uri, loopback[i], length) == 0 && (uri[length] == ':' || uri[length] == '/' || !uri[length]))
      return 0;
  }
  return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"token_uri\" '%.120s' is not an https URL; expected "
                                        "https://oauth2.googleapis.com/token (plain http only to a loopback host)", uri);
}

static int no_passphrase(char *buffer, int size, int writing, void *context)
{
  (void)buffer;
  (void)size;
  (void)writing;
  (void)context;
  return 0;
}

static int load_pem(struct google_key *key, const char *pem, struct growth_error *err)
{
  if (!strstr(pem, "-----BEGIN "))
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"private_key\" is not PEM text; expected "
                                          "\"-----BEGIN PRIVATE KEY-----\\n...\"");
  BIO *bio = BIO_new_mem_buf(pem, -1);
  if (!bio)
    return error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory reading the private key");
  key->pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
  BIO_free(bio);
  ERR_clear_error();
  if (!key->pkey)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"private_key\" does not parse as an unencrypted PEM "
                                          "private key; expected the PKCS#8 RSA key of the downloaded file");
  if (EVP_PKEY_base_id(key->pkey) != EVP_PKEY_RSA)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"private_key\" is not an RSA key; expected the "
                                          "2048-bit RSA key of a service account (JWT RS256)");
  return 0;
}

int google_key_from_json(const char *json, size_t size, struct google_key **out, struct growth_error *err)
{
  json_error_t parse_error;
  char *pem = NULL, *type = NULL;
  *out = NULL;
  json_t *root = json_loadb(json, size, 0, &parse_error);
  if (!root)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": the decoded value is not JSON (line %d, column %d); expected "
                                          "the key file's JSON object", parse_error.line, parse_error.column);
  struct google_key *key = calloc(1, sizeof *key);
  if (!key) {
    error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory");
    goto fail;
  }
  if (!json_is_object(root)) {
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": the decoded JSON is not an object; expected the key file's object");
    goto fail;
  }
  if (take_string(root, "type", 1, &type, err) != 0)
    goto fail;
  if (strcmp(type, "service_account") != 0) {
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"type\" is '%.40s'; expected \"service_account\"", type);
    goto fail;
  }
  if (take_string(root, "client_email", 1, &key->client_email, err) != 0 ||
      take_string(root, "private_key", 1, &pem, err) != 0 ||
      take_string(root, "token_uri", 1, &key->token_uri, err) != 0 ||
      take_string(root, "private_key_id", 0, &key->private_key_id, err) != 0 ||
      take_string(root, "project_id", 0, &key->project_id, err) != 0)
    goto fail;
  if (!strchr(key->client_email, '@')) {
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key's \"client_email\" '%.120s' is not an e-mail address",
              key->client_email);
    goto fail;
  }
  if (check_token_uri(key->token_uri, err) != 0 || load_pem(key, pem, err) != 0)
    goto fail;
  OPENSSL_cleanse(pem, strlen(pem));
  free(pem);
  free(type);
  json_decref(root);
  *out = key;
  return 0;

fail:
  if (pem)
    OPENSSL_cleanse(pem, strlen(pem));
  free(pem);
  free(type);
  google_key_free(key);
  json_decref(root);
  return -1;
}
