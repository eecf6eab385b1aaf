/*
 * test_config.c — configuration: defaults, every kind of bad value, secrets
 * kept out of error messages, dotenv syntax and REDIS_URL parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/dotenv.h"
#include "base/redis_url.h"

#include "support/unit_support.h"

/* A fake environment: pairs of name, value, ending with NULL. */
static int load(const char **pairs, struct config *cfg, struct growth_error *err)
{
  return config_load(cfg, unit_lookup_pairs, pairs, err);
}

static void test_defaults(void **state)
{
  (void)state;
  const char *pairs[] = { NULL };
  struct config cfg;
  struct growth_error err = { 0 };
  assert_int_equal(load(pairs, &cfg, &err), 0);
  assert_int_equal(cfg.port, 3000);
  assert_string_equal(cfg.redis.host, "127.0.0.1");
  assert_int_equal(cfg.redis.port, 6379);
  assert_int_equal(cfg.redis.db, 0);
  assert_int_equal(cfg.environment, ENV_DEVELOPMENT);
  assert_false(cfg.enable_agents);
  assert_false(cfg.enable_dashboard);
  assert_string_equal(cfg.queue_name, "growth-agents");
  assert_int_equal(cfg.max_body_bytes, 1048576);
  assert_null(cfg.openai_api_key);
  assert_int_equal(cfg.smtp_port, 465);
  config_free(&cfg);
}

static void test_values_are_read(void **state)
{
  (void)state;
  const char *pairs[] = { "PORT", "8080", "ENABLE_GROWTH_AGENTS", "YES", "ENABLE_GROWTH_DASHBOARD", "1",
                          "GROWTH_QUEUE_NAME", "growth-agents-staging", "NODE_ENV", "production",
                          "TWILIO_AUTH_TOKEN", "tok", "REDIS_URL", "redis://:pw@redis.internal:6380/2", NULL };
  struct config cfg;
  struct growth_error err = { 0 };
  assert_int_equal(load(pairs, &cfg, &err), 0);
  assert_int_equal(cfg.port, 8080);
  assert_true(cfg.enable_agents);
  assert_true(cfg.enable_dashboard);
  assert_string_equal(cfg.queue_name, "growth-agents-staging");
  assert_int_equal(cfg.environment, ENV_PRODUCTION);
  assert_string_equal(cfg.twilio_auth_token, "tok");
  assert_string_equal(cfg.redis.host, "redis.internal");
  assert_int_equal(cfg.redis.port, 6380);
  assert_int_equal(cfg.redis.db, 2);
  assert_string_equal(cfg.redis.password, "pw");
  config_free(&cfg);
}

static void test_growth_env_wins_over_node_env(void **state)
{
  (void)state;
  const char *pairs[] = { "NODE_ENV", "production", "GROWTH_ENV", "Staging", NULL };
  struct config cfg;
  struct growth_error err = { 0 };
  assert_int_equal(load(pairs, &cfg, &err), 0);
  assert_int_equal(cfg.environment, ENV_STAGING);
  config_free(&cfg);
}

static void test_booleans_in_any_case(void **state)
{
  (void)state;
  const char *truthy[] = { "true", "TRUE", "1", "yes", "Yes" };
  const char *falsy[] = { "false", "False", "0", "no", "NO" };
  for (size_t i = 0; i < 5; i++) {
    bool value = false;
    assert_int_equal(config_parse_bool(truthy[i], &value), 0);
    assert_true(value);
    assert_int_equal(config_parse_bool(falsy[i], &value), 0);
    assert_false(value);
  }
  bool value;
  assert_int_equal(config_parse_bool("on", &value), -1);
  assert_int_equal(config_parse_bool("", &value), -1);
}

/* Each case: one variable, a bad value, and words the one-line error must contain. */
struct bad_case {
  const char *name;
  const char *value;
  const char *expect_a;
  const char *expect_b;
};

static const struct bad_case bad_cases[] = {
  { "PORT", "abc", "PORT: 'abc' is not a whole number", "expected an integer from 1 to 65535" },
  { "PORT", "0", "PORT: '0' is out of range", "1 to 65535" },
  { "PORT", "65536", "PORT: '65536' is out of range", "1 to 65535" },
  { "PORT", "-1", "PORT", "not a whole number" },
  { "PORT", "80x", "PORT: '80x'", "not a whole number" },
  { "PORT", "99999999999999999999999", "PORT", "not a whole number" },
  { "PORT", "", "PORT: the value is empty", "expected" },
  { "ENABLE_GROWTH_AGENTS", "maybe", "ENABLE_GROWTH_AGENTS: 'maybe' is not a boolean",
    "expected true, false, 1, 0, yes or no" },
  { "ENABLE_GROWTH_DASHBOARD", "on", "ENABLE_GROWTH_DASHBOARD: 'on' is not a boolean", "expected" },
  { "NODE_ENV", "test", "NODE_ENV: 'test' is not a known value", "development, staging, production" },
  { "GROWTH_ENV", "prod", "GROWTH_ENV: 'prod' is not a known value", "development, staging, production" },
  { "GROWTH_LOG_FORMAT", "xml", "GROWTH_LOG_FORMAT: 'xml'", "text, json" },
  { "GROWTH_LOG_LEVEL", "loud", "GROWTH_LOG_LEVEL: 'loud'", "debug, info, warn, error" },
  { "GROWTH_MAX_BODY_BYTES", "1MB", "GROWTH_MAX_BODY_BYTES: '1MB' is not a whole number", "expected" },
  { "GROWTH_QUEUE_NAME", "bad:name", "GROWTH_QUEUE_NAME", "the character ':'" },
  { "SMTP_PORT", "smtp", "SMTP_PORT: 'smtp' is not a whole number", "1 to 65535" },
  { "REDIS_URL", "http://localhost:6379", "REDIS_URL: the scheme is not redis://", "expected" },
  { "REDIS_URL", "redis://", "REDIS_URL: the host is empty", "expected" },
  { "REDIS_URL", "redis://localhost:port", "REDIS_URL: the port is not a number", "1-65535" },
  { "REDIS_URL", "redis://localhost:70000", "REDIS_URL: the port is not a number", "1-65535" },
  { "REDIS_URL", "redis://localhost:6379/x", "REDIS_URL: the database '/x' is not a number", "expected" },
  { "REDIS_URL", "redis://localhost:6379/0?tls=1", "REDIS_URL: query strings", "expected" },
  { "REDIS_URL", "rediss://localhost", "REDIS_URL: rediss:// (TLS) is not supported", "expected" },
  { "REDIS_URL", "redis://[::1", "REDIS_URL: the IPv6 host has no closing", "expected" },
  { "REDIS_URL", "redis://:p%zz@localhost", "REDIS_URL: the password has a bad", "expected" },
  { "REDIS_URL", "redis://local host", "REDIS_URL: the host has a character ' '", "expected" },
};

static void test_bad_values_are_refused_with_one_clear_line(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const struct bad_case *c = &bad_cases[i];
    const char *pairs[] = { c->name, c->value, NULL };
    struct config cfg;
    struct growth_error err = { 0 };
    int result = load(pairs, &cfg, &err);
    if (result != -1 || !strstr(err.message, c->expect_a) || !strstr(err.message, c->expect_b) ||
        strchr(err.message, '\n'))
      fail_msg("%s=%s: got %d '%s'; wanted '%s' and '%s'", c->name, c->value, result, err.message, c->expect_a,
               c->expect_b);
    assert_int_equal(err.code, ERR_BAD_CONFIG);
  }
}

static void test_secrets_never_reach_errors(void **state)
{
  (void)state;
  /* REDIS_URL is secret (it may carry a password): none of its text may appear in the error. */
  const char *pairs[] = { "REDIS_URL", "redis://:hunter2secret@localhost:notaport", NULL };
  struct config cfg;
  struct growth_error err = { 0 };
  assert_int_equal(load(pairs, &cfg, &err), -1);
  assert_null(strstr(err.message, "hunter2secret"));
  assert_non_null(strstr(err.message, "REDIS_URL"));
  const char *pairs2[] = { "REDIS_URL", "redis://user:s3cr%zzet@localhost", NULL };
  assert_int_equal(load(pairs2, &cfg, &err), -1);
  assert_null(strstr(err.message, "s3cr"));
}

static void test_redis_url_forms(void **state)
{
  (void)state;
  struct redis_url url;
  struct growth_error err = { 0 };
  assert_int_equal(redis_url_parse("redis://localhost", &url, &err), 0);
  assert_string_equal(url.host, "localhost");
  assert_int_equal(url.port, 6379);
  assert_int_equal(redis_url_parse("redis://admin:p%40ss@10.0.0.1:7000/15", &url, &err), 0);
  assert_string_equal(url.username, "admin");
  assert_string_equal(url.password, "p@ss");
  assert_int_equal(url.port, 7000);
  assert_int_equal(url.db, 15);
  assert_int_equal(redis_url_parse("redis://[::1]:6400/", &url, &err), 0);
  assert_string_equal(url.host, "::1");
  assert_int_equal(url.port, 6400);
  char described[64];
  redis_url_describe(&url, described, sizeof described);
  assert_string_equal(described, "[::1]:6400/0");
}

static void test_dotenv_syntax(void **state)
{
  (void)state;
  const char *text = "# a comment\n"
                     "\n"
                     "PORT=4000\n"
                     "export ENABLE_GROWTH_AGENTS=true\n"
                     "PLAIN = spaced value   # trailing comment\n"
                     "HASH=abc#def\n"
                     "SINGLE='keep $this \\n as is'\n"
                     "DOUBLE=\"line1\\nline2 \\\"q\\\"\"\n"
                     "MULTI=\"-----BEGIN\nKEY\n-----END\"\n"
                     "EMPTY=\n"
                     "CRLF=yes\r\n"
                     "PORT=4001\n";
  struct growth_error err = { 0 };
  struct dotenv *env = dotenv_parse(text, "test.env", &err);
  assert_non_null(env);
  assert_string_equal(dotenv_get(env, "PORT"), "4001");
  assert_string_equal(dotenv_get(env, "ENABLE_GROWTH_AGENTS"), "true");
  assert_string_equal(dotenv_get(env, "PLAIN"), "spaced value");
  assert_string_equal(dotenv_get(env, "HASH"), "abc#def");
  assert_string_equal(dotenv_get(env, "SINGLE"), "keep $this \\n as is");
  assert_string_equal(dotenv_get(env, "DOUBLE"), "line1\nline2 \"q\"");
  assert_string_equal(dotenv_get(env, "MULTI"), "-----BEGIN\nKEY\n-----END");
  assert_string_equal(dotenv_get(env, "EMPTY"), "");
  assert_string_equal(dotenv_get(env, "CRLF"), "yes");
  assert_null(dotenv_get(env, "MISSING"));
  dotenv_free(env);
}

static void test_dotenv_errors_name_file_and_line(void **state)
{
  (void)state;
  struct { const char *text; const char *expect; } cases[] = {
    { "OK=1\nnot an assignment\n", "bad.env:2: expected '=' after not" },
    { "A=1\n\n=value\n", "bad.env:3: expected a variable name" },
    { "A=\"never closed\nB=2\n", "bad.env:1: the double-quoted value starting here is never closed" },
    { "A='x' trailing\n", "bad.env:1: unexpected text after the closing quote" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct growth_error err = { 0 };
    struct dotenv *env = dotenv_parse(cases[i].text, "bad.env", &err);
    assert_null(env);
    if (!strstr(err.message, cases[i].expect))
      fail_msg("case %zu: got '%s', wanted '%s'", i, err.message, cases[i].expect);
  }
}

static void test_dotenv_unreadable_file(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  assert_null(dotenv_read_file("/nonexistent/growthd.env", &err));
  assert_non_null(strstr(err.message, "--env-file /nonexistent/growthd.env: cannot open"));
  assert_null(dotenv_read_file("/", &err));
  assert_non_null(strstr(err.message, "--env-file /"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_values_are_read),
    cmocka_unit_test(test_growth_env_wins_over_node_env),
    cmocka_unit_test(test_booleans_in_any_case),
    cmocka_unit_test(test_bad_values_are_refused_with_one_clear_line),
    cmocka_unit_test(test_secrets_never_reach_errors),
    cmocka_unit_test(test_redis_url_forms),
    cmocka_unit_test(test_dotenv_syntax),
    cmocka_unit_test(test_dotenv_errors_name_file_and_line),
    cmocka_unit_test(test_dotenv_unreadable_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
