/*
 * test_google_auth.c — the service-account key checks and the JWT, without a network:
 * base64/JSON/field/PEM errors name the problem and never the key; the JWT has the
 * right header and claims, base64url without padding, and an RS256 signature that
 * verifies with the public half of the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "net/google_jwt.h"
#include "net/google_key.h"

static EVP_PKEY *test_pkey;
static char *test_pem;

static int setup(void **state)
{
  (void)state;
  test_pkey = EVP_RSA_gen(2048);
  if (!test_pkey)
    return -1;
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, test_pkey, NULL, NULL, 0, NULL, NULL);
  char *data = NULL;
  long length = BIO_get_mem_data(bio, &data);
  test_pem = strndup(data, (size_t)length);
  BIO_free(bio);
  return test_pem ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  EVP_PKEY_free(test_pkey);
  free(test_pem);
  return 0;
}

/* The key file's JSON with one field replaced (value NULL removes it). Caller frees. */
static char *key_json(const char *field, const char *value)
{
  json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "service_account", "client_email",
                           "agent@p.iam.gserviceaccount.com", "private_key", test_pem, "token_uri",
                           "https://oauth2.googleapis.com/token", "private_key_id", "kid123");
  if (field && value)
    json_object_set_new(root, field, json_string(value));
  else if (field)
    json_object_del(root, field);
  char *text = json_dumps(root, 0);
  json_decref(root);
  return text;
}

static char *to_base64(const char *text)
{
  size_t length = strlen(text);
  char *out = malloc(4 * ((length + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text, (int)length);
  return out;
}

/* Loads base64 text and expects failure with a message containing expected and no key material. */
static void expect_refusal(const char *base64, const char *expected)
{
  struct google_key *key = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(google_key_from_base64(base64, &key, &err), -1);
  assert_null(key);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  if (!strstr(err.message, expected))
    fail_msg("message '%s' lacks '%s'", err.message, expected);
  assert_null(strstr(err.message, "MII"));
  assert_non_null(strstr(err.message, "GOOGLE_SERVICE_ACCOUNT_JSON_B64: "));
}

static void expect_json_refusal(const char *field, const char *value, const char *expected)
{
  char *json = key_json(field, value);
  char *base64 = to_base64(json);
  expect_refusal(base64, expected);
  free(base64);
  free(json);
}

static void test_key_errors(void **state)
{
  (void)state;
  expect_refusal("", "is empty");
  expect_refusal("%%%", "not valid base64");
  char *not_json = to_base64("{\"type\": ");
  expect_refusal(not_json, "not JSON (line 1");
  free(not_json);
  expect_json_refusal("client_email", NULL, "has no \"client_email\"");
  expect_json_refusal("private_key", NULL, "has no \"private_key\"");
  expect_json_refusal("token_uri", NULL, "has no \"token_uri\"");
  expect_json_refusal("type", "authorized_user", "expected \"service_account\"");
  expect_json_refusal("client_email", "nobody", "is not an e-mail address");
  expect_json_refusal("private_key", "-----BEGIN PRIVATE KEY-----\nMIIBroken\n-----END PRIVATE KEY-----\n",
                      "does not parse");
  expect_json_refusal("token_uri", "http://example.com/token", "not an https URL");
}

static void test_good_key(void **state)
{
  (void)state;
  char *json = key_json(NULL, NULL);
  char *base64 = to_base64(json);
  struct google_key *key = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(google_key_from_base64(base64, &key, &err), 0);
  assert_string_equal(key->client_email, "agent@p.iam.gserviceaccount.com");
  assert_string_equal(key->private_key_id, "kid123");
  assert_null(key->project_id);
  google_key_free(key);
  free(base64);
  free(json);
}

static void test_base64url(void **state)
{
  (void)state;
  const unsigned char data[] = { 0xfb, 0xff, 0xbe, 'a' };
  char *text = google_jwt_base64url(data, sizeof data);
  assert_string_equal(text, "-_--YQ");
  free(text);
}

/* Decodes one base64url part into a NUL-terminated buffer. */
static unsigned char *decode_part(const char *part, size_t length, size_t *out_size)
{
  char *text = malloc(length + 4);
  memcpy(text, part, length);
  for (size_t i = 0; i < length; i++)
    text[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
  while (length % 4)
    text[length++] = '=';
  text[length] = '\0';
  unsigned char *out = calloc(1, length);
  int size = EVP_DecodeBlock(out, (unsigned char *)text, (int)length);
  size -= (int)(strlen(text) - strcspn(text, "="));
  free(text);
  *out_size = (size_t)size;
  return out;
}

static void test_jwt(void **state)
{
  (void)state;
  char *json = key_json(NULL, NULL);
  struct google_key *key = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(google_key_from_json(json, strlen(json), &key, &err), 0);
  char *jwt = NULL;
  assert_int_equal(google_jwt_sign(key, "scope-a scope-b", "alice@example.com", 1700000000LL, &jwt, &err), 0);
  assert_null(strchr(jwt, '='));
  char *first = strchr(jwt, '.');
  char *second = strchr(first + 1, '.');
  assert_non_null(second);
  size_t size = 0;
  unsigned char *header = decode_part(jwt, (size_t)(first - jwt), &size);
  json_t *header_json = json_loadb((char *)header, size, 0, NULL);
  assert_string_equal(json_string_value(json_object_get(header_json, "alg")), "RS256");
  assert_string_equal(json_string_value(json_object_get(header_json, "typ")), "JWT");
  assert_string_equal(json_string_value(json_object_get(header_json, "kid")), "kid123");
  unsigned char *claims = decode_part(first + 1, (size_t)(second - first - 1), &size);
  json_t *claims_json = json_loadb((char *)claims, size, 0, NULL);
  assert_string_equal(json_string_value(json_object_get(claims_json, "iss")), "agent@p.iam.gserviceaccount.com");
  assert_string_equal(json_string_value(json_object_get(claims_json, "aud")), "https://oauth2.googleapis.com/token");
  assert_string_equal(json_string_value(json_object_get(claims_json, "scope")), "scope-a scope-b");
  assert_string_equal(json_string_value(json_object_get(claims_json, "sub")), "alice@example.com");
  assert_int_equal(json_integer_value(json_object_get(claims_json, "iat")), 1700000000);
  assert_int_equal(json_integer_value(json_object_get(claims_json, "exp")), 1700003600);
  unsigned char *signature = decode_part(second + 1, strlen(second + 1), &size);
  assert_int_equal(size, 256);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, test_pkey), 1);
  assert_int_equal(EVP_DigestVerify(ctx, signature, size, (unsigned char *)jwt, (size_t)(second - jwt)), 1);
  EVP_MD_CTX_free(ctx);
  free(signature);
  json_decref(claims_json);
  free(claims);
  json_decref(header_json);
  free(header);
  free(jwt);
  google_key_free(key);
  free(json);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_key_errors),
    cmocka_unit_test(test_good_key),
    cmocka_unit_test(test_base64url),
    cmocka_unit_test(test_jwt),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
