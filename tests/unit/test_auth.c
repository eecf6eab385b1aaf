/*
 * test_auth.c — access control without a socket: parsing GROWTH_API_KEYS
 * (pairs and @file), the allowlist, the constant-time key check, sessions
 * (expiry, eviction, CSRF tokens), the start-up rules (production without
 * keys, GROWTH_AUTH) and the request rules (areas, 401 vs 403, Bearer over
 * cookie, CSRF on state changes, cookie attributes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/api_keys.h"
#include "http/auth.h"
#include "http/sessions.h"


static void hash_hex(const char *key, char out[65])
{
  unsigned char hash[API_KEY_HASH_BYTES];
  api_keys_sha256(key, strlen(key), hash);
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", hash[i]);
}

static char *pairs(const char *separator)
{
  static char text[512];
  char a[65], b[65], c[65];
  hash_hex("alice-key", a);
  hash_hex("bob-key", b);
  hash_hex("ci-key", c);
  snprintf(text, sizeof text, "alice:%s%sbob:%s%sci:%s", a, separator, b, separator, c);
  return text;
}

static void test_sha256_known_value(void **state)
{
  (void)state;
  char hex[65];
  hash_hex("abc", hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_parse_and_verify(void **state)
{
  (void)state;
  struct api_keys keys;
  struct growth_error err = { 0 };
  assert_int_equal(api_keys_parse(pairs(", "), &keys, &err), 0);
  assert_int_equal(keys.count, 3);
  assert_string_equal(keys.keys[0].name, "alice");
  assert_true(keys.keys[2].agents_allowed);
  /* Each position is found; near misses are not. */
  assert_string_equal(api_keys_verify(&keys, "alice-key", 9)->name, "alice");
  assert_string_equal(api_keys_verify(&keys, "bob-key", 7)->name, "bob");
  assert_string_equal(api_keys_verify(&keys, "ci-key", 6)->name, "ci");
  assert_null(api_keys_verify(&keys, "ci-kez", 6));
  assert_null(api_keys_verify(&keys, "ci-key ", 7));
  assert_null(api_keys_verify(&keys, "ci-ke", 5));
  assert_null(api_keys_verify(&keys, "", 0));
  char *huge = malloc(API_KEY_MAX_LENGTH + 2);
  memset(huge, 'k', API_KEY_MAX_LENGTH + 1);
  huge[API_KEY_MAX_LENGTH + 1] = '\0';
  assert_null(api_keys_verify(&keys, huge, API_KEY_MAX_LENGTH + 1));
  free(huge);
  api_keys_free(&keys);

  /* Newlines and upper-case hex work too; empty means no keys. */
  char *text = strdup(pairs("\n"));
  for (char *p = text; *p; p++)
    if (*p >= 'a' && *p <= 'f' && p > strchr(text, ':'))
      *p = (char)(*p - 32);
  assert_int_equal(api_keys_parse(text, &keys, &err), 0);
  assert_int_equal(keys.count, 3);
  assert_non_null(api_keys_verify(&keys, "bob-key", 7));
  api_keys_free(&keys);
  free(text);
  assert_int_equal(api_keys_parse("", &keys, &err), 0);
  assert_int_equal(keys.count, 0);
  assert_null(api_keys_verify(&keys, "x", 1));
}

static void expect_parse_error(const char *spec, const char *fragment)
{
  struct api_keys keys;
  struct growth_error err = { 0 };
  assert_int_equal(api_keys_parse(spec, &keys, &err), -1);
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  if (!strstr(err.message, fragment))
    fail_msg("expected '%s' in '%s'", fragment, err.message);
  assert_non_null(strstr(err.message, "GROWTH_API_KEYS"));
  assert_null(keys.keys);
}

static void test_parse_errors(void **state)
{
  (void)state;
  char hash[65], text[300];
  hash_hex("alice-key", hash);
  expect_parse_error("alice", "entry 1 has no ':'");
  expect_parse_error("alice:abc", "the hash has 3 characters; expected 64 hex digits");
  snprintf(text, sizeof text, "alice:%s,bob:alice-key-in-clear", hash);
  expect_parse_error(text, "entry 2 (key 'bob'): the hash has 18 characters");
  snprintf(text, sizeof text, ":%s", hash);
  expect_parse_error(text, "a name of 0 characters");
  snprintf(text, sizeof text, "al ice:%s", hash);
  expect_parse_error(text, "entry 1 has no ':'");
  snprintf(text, sizeof text, "al/ice:%s", hash);
  expect_parse_error(text, "the name has the character '/'");
  snprintf(text, sizeof text, "alice:%.63sg", hash);
  expect_parse_error(text, "not hexadecimal");
  snprintf(text, sizeof text, "alice:%s,alice:%064d", hash, 0);
  expect_parse_error(text, "the name 'alice' is used twice");
  snprintf(text, sizeof text, "alice:%s,bob:%s", hash, hash);
  expect_parse_error(text, "keys 'alice' and 'bob' have the same hash");
  expect_parse_error("@/nonexistent/keys.txt", "cannot open the key file /nonexistent/keys.txt");
  /* The hash never appears in a message. */
  struct api_keys keys;
  struct growth_error err = { 0 };
  snprintf(text, sizeof text, "alice:%s,bob:%s", hash, hash);
  api_keys_parse(text, &keys, &err);
  assert_null(strstr(err.message, hash));
}

static void test_key_file(void **state)
{
  (void)state;
  char path[] = "/tmp/growth-keys-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  char a[65], b[65], text[400];
  hash_hex("alice-key", a);
  hash_hex("bob-key", b);
  int length = snprintf(text, sizeof text, "# team keys\n\nalice:%s   # Alice's laptop\n  bob:%s\n", a, b);
  assert_int_equal(write(fd, text, (size_t)length), length);
  close(fd);
  char spec[64];
  snprintf(spec, sizeof spec, "@%s", path);
  struct api_keys keys;
  struct growth_error err = { 0 };
  assert_int_equal(api_keys_parse(spec, &keys, &err), 0);
  assert_int_equal(keys.count, 2);
  assert_string_equal(api_keys_verify(&keys, "bob-key", 7)->name, "bob");
  api_keys_free(&keys);

  fd = open(path, O_WRONLY | O_TRUNC);
  length = snprintf(text, sizeof text, "alice:%s\n# next line is wrong\nbob\n", a);
  assert_int_equal(write(fd, text, (size_t)length), length);
  close(fd);
  assert_int_equal(api_keys_parse(spec, &keys, &err), -1);
  char where[64];
  snprintf(where, sizeof where, "%s:3 has no ':'", path);
  assert_non_null(strstr(err.message, where));
  unlink(path);
}

static void test_allowlist(void **state)
{
  (void)state;
  struct api_keys keys;
  struct growth_error err = { 0 };
  assert_int_equal(api_keys_parse(pairs(","), &keys, &err), 0);
  assert_int_equal(api_keys_apply_allowlist(&keys, NULL, &err), 0);
  assert_true(keys.keys[1].agents_allowed);
  assert_int_equal(api_keys_apply_allowlist(&keys, "alice, ci", &err), 0);
  assert_true(keys.keys[0].agents_allowed);
  assert_false(keys.keys[1].agents_allowed);
  assert_true(keys.keys[2].agents_allowed);
  assert_int_equal(api_keys_apply_allowlist(&keys, "alice,mallory", &err), -1);
  assert_non_null(strstr(err.message, "GROWTH_AGENTS_ALLOWLIST: 'mallory' is not the name of a key"));
  api_keys_free(&keys);
}

static void test_sessions(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct session_store *store = session_store_new(1000, 2, &err);
  char id1[65], id2[65], id3[65];
  struct session_info info, found;
  assert_int_equal(session_create(store, "alice", 0, id1, &info, &err), 0);
  assert_int_equal(strlen(id1), 64);
  assert_int_equal(strlen(info.csrf_token), 64);
  assert_string_not_equal(id1, info.csrf_token);
  assert_int_equal(info.expires_ms, 1000);
  assert_int_equal(session_find(store, id1, 999, &found), 0);
  assert_string_equal(found.name, "alice");
  assert_string_equal(found.csrf_token, info.csrf_token);
  assert_true(session_csrf_matches(&found, info.csrf_token));
  char wrong[65];
  snprintf(wrong, sizeof wrong, "%s", info.csrf_token);
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  assert_false(session_csrf_matches(&found, wrong));
  assert_false(session_csrf_matches(&found, NULL));
  assert_false(session_csrf_matches(&found, ""));
  /* Expiry is exact; malformed ids are refused before any lookup. */
  assert_int_equal(session_find(store, id1, 1000, &found), -1);
  assert_int_equal(session_count(store, 1000), 0);
  assert_int_equal(session_find(store, "short", 0, &found), -1);
  assert_int_equal(session_find(store, NULL, 0, &found), -1);
  char upper[65];
  assert_int_equal(session_create(store, "bob", 10, id2, &info, &err), 0);
  snprintf(upper, sizeof upper, "%s", id2);
  for (char *p = upper; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = (char)(*p - 32);
  if (strcmp(upper, id2) != 0)
    assert_int_equal(session_find(store, upper, 10, &found), -1);
  /* A third session evicts the one that expires first. */
  assert_int_equal(session_create(store, "alice", 20, id1, &info, &err), 0);
  assert_int_equal(session_create(store, "ci", 30, id3, &info, &err), 0);
  assert_int_equal(session_count(store, 30), 2);
  assert_int_equal(session_find(store, id2, 30, &found), -1);
  assert_int_equal(session_find(store, id3, 30, &found), 0);
  assert_int_equal(session_delete(store, id3), 0);
  assert_int_equal(session_delete(store, id3), -1);
  assert_int_equal(session_find(store, id3, 30, &found), -1);
  session_store_free(store);
}

static struct config make_config(enum growth_environment environment, char *keys, char *allowlist, char *mode)
{
  struct config config;
  memset(&config, 0, sizeof config);
  config.environment = environment;
  config.api_keys = keys;
  config.agents_allowlist = allowlist;
  config.auth_mode = mode;
  config.session_ttl_s = 60;
  return config;
}

static void test_startup_rules(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct config config = make_config(ENV_DEVELOPMENT, NULL, NULL, NULL);
  struct auth *auth = auth_new(&config, &err);
  assert_non_null(auth);
  assert_false(auth_required(auth));
  auth_free(auth);

  config = make_config(ENV_STAGING, NULL, NULL, NULL);
  auth = auth_new(&config, &err);
  assert_false(auth_required(auth));
  auth_free(auth);

  config = make_config(ENV_PRODUCTION, NULL, NULL, NULL);
  assert_null(auth_new(&config, &err));
  assert_int_equal(err.code, ERR_BAD_CONFIG);
  assert_non_null(strstr(err.message, "GROWTH_AUTH=off"));

  config = make_config(ENV_PRODUCTION, NULL, NULL, "off");
  auth = auth_new(&config, &err);
  assert_false(auth_required(auth));
  auth_free(auth);

  config = make_config(ENV_PRODUCTION, pairs(","), "alice", "OFF");
  auth = auth_new(&config, &err);
  assert_false(auth_required(auth));
  auth_free(auth);

  config = make_config(ENV_DEVELOPMENT, NULL, NULL, "on");
  assert_null(auth_new(&config, &err));
  assert_non_null(strstr(err.message, "GROWTH_AUTH: 'on' needs at least one key"));

  config = make_config(ENV_DEVELOPMENT, NULL, NULL, "maybe");
  assert_null(auth_new(&config, &err));
  assert_string_equal(err.message, "GROWTH_AUTH: 'maybe' is not a known value; expected on or off");

  config = make_config(ENV_PRODUCTION, pairs(","), "nobody", NULL);
  assert_null(auth_new(&config, &err));
  assert_int_equal(err.code, ERR_BAD_CONFIG);

  config = make_config(ENV_PRODUCTION, pairs(","), NULL, NULL);
  auth = auth_new(&config, &err);
  assert_true(auth_required(auth));
  auth_free(auth);
}

static void test_areas(void **state)
{
  (void)state;
  assert_int_equal(auth_area_of("/health"), AUTH_AREA_OPEN);
  assert_int_equal(auth_area_of("/health/"), AUTH_AREA_OPEN);
  assert_int_equal(auth_area_of("/agents"), AUTH_AREA_OPEN);
  assert_int_equal(auth_area_of("/agents/app.js"), AUTH_AREA_OPEN);
  assert_int_equal(auth_area_of("/api/auth/session"), AUTH_AREA_OPEN);
  assert_int_equal(auth_area_of("/healthz"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/health/x"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/agents/x/../../metrics"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/metrics"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/api/agents"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/api/orchestratorx"), AUTH_AREA_PROTECTED);
  assert_int_equal(auth_area_of("/api/orchestrator"), AUTH_AREA_AGENTS);
  assert_int_equal(auth_area_of("/api/orchestrator/launch"), AUTH_AREA_AGENTS);
  assert_int_equal(auth_area_of("/api/artifacts/job-1/report.pdf"), AUTH_AREA_AGENTS);
}

static struct auth *keyed_auth(enum growth_environment environment)
{
  struct growth_error err = { 0 };
  struct config config = make_config(environment, pairs(","), "alice,ci", NULL);
  struct auth *auth = auth_new(&config, &err);
  assert_non_null(auth);
  return auth;
}

static void check(struct auth *auth, const char *method, const char *path, const char *authorization,
                  const char *cookie, const char *csrf, int64_t now, struct auth_decision *out)
{
  struct auth_request request = { method, path, authorization, cookie, csrf };
  auth_check(auth, &request, now, out);
}

static void test_bearer_rules(void **state)
{
  (void)state;
  struct auth *auth = keyed_auth(ENV_DEVELOPMENT);
  struct auth_decision d;
  check(auth, "GET", "/health", NULL, NULL, NULL, 0, &d);
  assert_int_equal(d.status, 0);
  check(auth, "GET", "/api/agents", NULL, NULL, NULL, 0, &d);
  assert_int_equal(d.status, 401);
  assert_string_equal(d.code, "unauthorized");
  assert_string_equal(d.challenge, "Bearer realm=\"growthd\"");
  check(auth, "GET", "/api/agents", "Basic YWxpY2U6eA==", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 401);
  assert_non_null(strstr(d.message, "Bearer scheme"));
  check(auth, "GET", "/api/agents", "Bearer wrong-key", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 401);
  assert_string_equal(d.code, "invalid_key");
  assert_string_equal(d.challenge, "Bearer realm=\"growthd\", error=\"invalid_token\"");
  assert_null(strstr(d.message, "wrong-key"));
  check(auth, "GET", "/api/agents", "bearer bob-key", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 0);
  assert_string_equal(d.principal, "bob");
  /* bob is a valid key but not on the allowlist: 403, not 401. */
  check(auth, "POST", "/api/orchestrator/launch", "Bearer bob-key", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 403);
  assert_string_equal(d.code, "forbidden");
  assert_null(d.challenge);
  assert_non_null(strstr(d.message, "'bob'"));
  check(auth, "POST", "/api/orchestrator/launch", "Bearer ci-key", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 0);
  assert_string_equal(d.principal, "ci");
  /* A bad key on a growth path is still 401 (who you are comes before what you may do). */
  check(auth, "GET", "/api/orchestrator/health", "Bearer nope", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 401);
  auth_free(auth);
}

static void test_session_and_csrf_rules(void **state)
{
  (void)state;
  struct auth *auth = keyed_auth(ENV_DEVELOPMENT);
  struct growth_error err = { 0 };
  struct auth_grant grant;
  assert_int_equal(auth_sign_in(auth, "nope", 4, 0, &grant, &err), -1);
  assert_int_equal(err.code, ERR_UNAUTHORIZED);
  assert_int_equal(auth_sign_in(auth, "alice-key", 9, 0, &grant, &err), 0);
  assert_string_equal(grant.name, "alice");
  assert_int_equal(grant.max_age_s, 60);
  assert_non_null(strstr(grant.set_cookie, "; Path=/; Max-Age=60; HttpOnly; SameSite=Strict"));
  assert_null(strstr(grant.set_cookie, "Secure"));
  char id[65];
  assert_int_equal(sscanf(grant.set_cookie, AUTH_SESSION_COOKIE "=%64[0-9a-f];", id), 1);

  struct auth_decision d;
  check(auth, "GET", "/api/orchestrator/health", NULL, id, NULL, 1000, &d);
  assert_int_equal(d.status, 0);
  assert_true(d.via_session);
  assert_string_equal(d.principal, "alice");
  check(auth, "HEAD", "/api/agents", NULL, id, NULL, 1000, &d);
  assert_int_equal(d.status, 0);
  /* State changes with the cookie need the CSRF token. */
  check(auth, "POST", "/api/orchestrator/launch", NULL, id, NULL, 1000, &d);
  assert_int_equal(d.status, 403);
  assert_string_equal(d.code, "csrf_failed");
  check(auth, "DELETE", "/api/orchestrator/jobs/1", NULL, id, "0000", 1000, &d);
  assert_int_equal(d.status, 403);
  check(auth, "POST", "/api/orchestrator/launch", NULL, id, grant.csrf_token, 1000, &d);
  assert_int_equal(d.status, 0);
  /* A Bearer key needs no CSRF token and wins over the cookie. */
  check(auth, "POST", "/api/orchestrator/launch", "Bearer ci-key", id, NULL, 1000, &d);
  assert_int_equal(d.status, 0);
  assert_string_equal(d.principal, "ci");
  assert_false(d.via_session);
  /* Unknown or expired sessions are 401. */
  check(auth, "GET", "/api/agents", NULL, "deadbeef", NULL, 1000, &d);
  assert_int_equal(d.status, 401);
  assert_string_equal(d.code, "session_expired");
  check(auth, "GET", "/api/agents", NULL, id, NULL, 60000, &d);
  assert_int_equal(d.status, 401);
  /* Sign-out ends the session and clears the cookie. */
  assert_int_equal(auth_sign_in(auth, "bob-key", 7, 0, &grant, &err), 0);
  assert_int_equal(sscanf(grant.set_cookie, AUTH_SESSION_COOKIE "=%64[0-9a-f];", id), 1);
  check(auth, "GET", "/api/agents", NULL, id, NULL, 1, &d);
  assert_int_equal(d.status, 0);
  /* bob's session is a valid identity, but bob is not allowlisted. */
  check(auth, "GET", "/api/orchestrator/health", NULL, id, NULL, 1, &d);
  assert_int_equal(d.status, 403);
  char cleared[256];
  auth_sign_out(auth, id, cleared, sizeof cleared);
  assert_string_equal(cleared, "growth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  check(auth, "GET", "/api/agents", NULL, id, NULL, 2, &d);
  assert_int_equal(d.status, 401);
  auth_free(auth);

  auth = keyed_auth(ENV_PRODUCTION);
  assert_int_equal(auth_sign_in(auth, "alice-key", 9, 0, &grant, &err), 0);
  assert_non_null(strstr(grant.set_cookie, "; HttpOnly; SameSite=Strict; Secure"));
  auth_free(auth);
}

static void test_open_mode_allows_everything(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct config config = make_config(ENV_DEVELOPMENT, NULL, NULL, NULL);
  struct auth *auth = auth_new(&config, &err);
  struct auth_decision d;
  check(auth, "POST", "/api/orchestrator/launch", NULL, NULL, NULL, 0, &d);
  assert_int_equal(d.status, 0);
  assert_string_equal(d.principal, "");
  check(auth, "GET", "/metrics", "Bearer anything", NULL, NULL, 0, &d);
  assert_int_equal(d.status, 0);
  struct auth_grant grant;
  assert_int_equal(auth_sign_in(auth, "x", 1, 0, &grant, &err), -1);
  auth_free(auth);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sha256_known_value),
    cmocka_unit_test(test_parse_and_verify),
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_key_file),
    cmocka_unit_test(test_allowlist),
    cmocka_unit_test(test_sessions),
    cmocka_unit_test(test_startup_rules),
    cmocka_unit_test(test_areas),
    cmocka_unit_test(test_bearer_rules),
    cmocka_unit_test(test_session_and_csrf_rules),
    cmocka_unit_test(test_open_mode_allows_everything),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
