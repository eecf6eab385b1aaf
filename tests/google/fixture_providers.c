/*
 * fixture_providers.c — google_fixture's rate-limit and provider commands (see fixture.c).
 *
 *   google_fixture ratelimit NAME COUNT PERIOD_MS TIMES [--local]
 *   google_fixture key                         checks GOOGLE_SERVICE_ACCOUNT_JSON_B64
 *   google_fixture token [TIMES [THREADS]]     fetches (cached) access tokens, TIMES per thread
 *   google_fixture google METHOD URL [JSON]    one authorised Google call
 *   google_fixture sheets create SPEC_JSON | append ID RANGE ROWS_JSON | read ID RANGE
 *                         | ensure_sheet ID SPEC_JSON   [--times N]
 *   google_fixture calendar events ID FROM TO | insert ID EVENT_JSON
 *   google_fixture drive upload NAME MIME FILE [--folder ID] [--share EMAIL]   ("nil" leaves NAME/MIME unset)
 *
 * FIXTURE_REDIS=1 makes the rate limiter use REDIS_URL (else it is in-process).
 */
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/rate_limit.h"
#include "providers/google_providers.h"
#include "providers/local_files.h"
#include "redis/redis_pool.h"

static struct redis_pool *pool_from_config(const struct config *cfg, struct growth_error *err)
{
  struct redis_pool_options options = { .url = cfg->redis, .size = 2,
                                        .connect_timeout_ms = cfg->redis_connect_timeout_ms,
                                        .command_timeout_ms = cfg->redis_command_timeout_ms };
  return redis_pool_new(&options, err);
}

static int command_ratelimit(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 4) {
    fprintf(stderr, "usage: google_fixture ratelimit NAME COUNT PERIOD_MS TIMES [--local]\n");
    return 2;
  }
  int local = argc > 4 && strcmp(argv[4], "--local") == 0;
  struct redis_pool *pool = local ? NULL : pool_from_config(cfg, &err);
  if (!local && !pool)
    return fixture_print_error(&err);
  struct rate_limiter *limiter = rate_limiter_new(pool, NULL, cfg->rate_wait_max_ms, &err);
  if (!limiter) {
    redis_pool_free(pool);
    return fixture_print_error(&err);
  }
  struct rate_limit limit = { argv[0], atol(argv[1]), atol(argv[2]) };
  int times = atoi(argv[3]);
  int status = 0;
  for (int i = 0; i < times; i++)
    status = rate_limiter_acquire(limiter, &limit, 1, &err) == 0 ? fixture_print_result(json_integer(i))
                                                                : fixture_print_error(&err);
  rate_limiter_free(limiter);
  redis_pool_free(pool);
  return status;
}

static int command_key(const struct config *cfg)
{
  struct growth_error err = { 0 };
  struct google_key *key = NULL;
  if (google_key_from_base64(cfg->google_service_account_json_b64, &key, &err) != 0)
    return fixture_print_error(&err);
  json_t *result = json_pack("{s:s, s:s, s:s?}", "client_email", key->client_email, "token_uri", key->token_uri,
                             "private_key_id", key->private_key_id);
  google_key_free(key);
  return fixture_print_result(result);
}

/* The HTTP client, the limiter and the Google providers, from the environment, as a host opens them. */
struct google_stack {
  struct redis_pool *pool;
  struct rate_limiter *limiter;
  struct http_client *client;
  struct google_providers providers;
};

static void stack_close(struct google_stack *stack)
{
  google_providers_close(&stack->providers);
  http_client_free(stack->client);
  rate_limiter_free(stack->limiter);
  redis_pool_free(stack->pool);
}

static int stack_open(const struct config *cfg, struct google_stack *stack, struct growth_error *err)
{
  memset(stack, 0, sizeof *stack);
  struct http_client_options options;
  http_client_options_from_config(cfg, &options);
  if (getenv("FIXTURE_REDIS") && !(stack->pool = pool_from_config(cfg, err)))
    return -1;
  if (!(stack->limiter = rate_limiter_new(stack->pool, NULL, cfg->rate_wait_max_ms, err)) ||
      !(stack->client = http_client_new(&options, err)) ||
      google_providers_open(cfg, stack->client, stack->limiter, &stack->providers, err) != 0) {
    stack_close(stack);
    return -1;
  }
  return 0;
}

struct token_caller {
  struct google_auth *auth;
  int times;
  int failures;
  char last[GOOGLE_TOKEN_MAX];
  struct growth_error err;
};

static void *token_caller(void *context)
{
  struct token_caller *caller = context;
  for (int i = 0; i < caller->times; i++)
    if (google_auth_token(caller->auth, caller->last, sizeof caller->last, &caller->err) != 0)
      caller->failures++;
  return NULL;
}

/* Each thread prints its last token (or error), so a test sees whether the threads shared one. */
static int command_token(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  struct google_stack stack;
  if (stack_open(cfg, &stack, &err) != 0)
    return fixture_print_error(&err);
  struct google_key *key = NULL;
  struct google_auth *auth = NULL;
  if (google_key_from_base64(cfg->google_service_account_json_b64, &key, &err) != 0 ||
      !(auth = google_auth_new(key, GOOGLE_SCOPES, cfg->google_impersonate_subject, stack.client, &err))) {
    stack_close(&stack);
    return fixture_print_error(&err);
  }
  int times = argc > 0 ? atoi(argv[0]) : 1;
  int threads = argc > 1 ? atoi(argv[1]) : 0;
  int status = 0;
  if (threads <= 0) {
    for (int i = 0; i < times; i++) {
      char token[GOOGLE_TOKEN_MAX];
      status = google_auth_token(auth, token, sizeof token, &err) == 0 ? fixture_print_result(json_string(token))
                                                                       : fixture_print_error(&err);
    }
  } else {
    struct token_caller callers[64];
    pthread_t ids[64];
    if (threads > 64)
      threads = 64;
    for (int i = 0; i < threads; i++) {
      callers[i] = (struct token_caller){ .auth = auth, .times = times };
      pthread_create(&ids[i], NULL, token_caller, &callers[i]);
    }
    for (int i = 0; i < threads; i++) {
      pthread_join(ids[i], NULL);
      status = callers[i].failures ? fixture_print_error(&callers[i].err)
                                   : fixture_print_result(json_string(callers[i].last));
    }
  }
  google_auth_free(auth);
  stack_close(&stack);
  return status;
}

static int command_google(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 2)
    return 2;
  struct google_stack stack;
  if (stack_open(cfg, &stack, &err) != 0)
    return fixture_print_error(&err);
  if (!stack.providers.api) {
    stack_close(&stack);
    fprintf(stderr, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set\n");
    return 2;
  }
  json_t *body = argc > 2 ? json_loads(argv[2], 0, NULL) : NULL;
  struct http_request request = { .method = strcmp(argv[0], "POST") == 0 ? HTTP_POST : HTTP_GET, .url = argv[1],
                                  .json = body, .what = "fixture.google" };
  json_t *answer = google_api_call(stack.providers.api, NULL, 0, &request, &err);
  json_decref(body);
  stack_close(&stack);
  return answer ? fixture_print_result(answer) : fixture_print_error(&err);
}

/* Trailing "--times N" sets how often the call is made. */
static int take_times(int *argc, char **argv)
{
  if (*argc >= 2 && strcmp(argv[*argc - 2], "--times") == 0) {
    *argc -= 2;
    return atoi(argv[*argc + 1]);
  }
  return 1;
}

static json_t *parse_json_argument(const char *text)
{
  return strcmp(text, "nil") == 0 ? NULL : json_loads(text, JSON_DECODE_ANY, NULL);
}

static int command_sheets(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  int times = take_times(&argc, argv);
  if (argc < 2)
    return 2;
  struct google_stack stack;
  if (stack_open(cfg, &stack, &err) != 0)
    return fixture_print_error(&err);
  struct sheets *sheets = stack.providers.sheets;
  int status = 0;
  for (int i = 0; i < times; i++) {
    json_t *result = NULL, *argument = NULL;
    int failed = 0;
    if (strcmp(argv[0], "create") == 0) {
      argument = parse_json_argument(argv[1]);
      failed = sheets_create(sheets, argument, &result, &err);
    } else if (strcmp(argv[0], "append") == 0 && argc >= 4) {
      argument = parse_json_argument(argv[3]);
      failed = sheets_append(sheets, argv[1], argv[2], argument, &result, &err);
    } else if (strcmp(argv[0], "read") == 0 && argc >= 3) {
      failed = sheets_read(sheets, argv[1], argv[2], &result, &err);
    } else if (strcmp(argv[0], "ensure_sheet") == 0 && argc >= 3) {
      argument = parse_json_argument(argv[2]);
      failed = sheets_ensure_sheet(sheets, argv[1], argument, &result, &err);
    } else {
      status = 2;
      break;
    }
    json_decref(argument);
    status = failed ? fixture_print_error(&err) : fixture_print_result(result);
  }
  stack_close(&stack);
  return status;
}

static int command_calendar(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 3)
    return 2;
  struct google_stack stack;
  if (stack_open(cfg, &stack, &err) != 0)
    return fixture_print_error(&err);
  struct calendar *calendar = stack.providers.calendar;
  json_t *result = NULL, *argument = NULL;
  int failed = 0, status = 0;
  if (strcmp(argv[0], "events") == 0 && argc >= 4) {
    failed = calendar_events(calendar, argv[1], strcmp(argv[2], "nil") ? argv[2] : NULL,
                             strcmp(argv[3], "nil") ? argv[3] : NULL, &result, &err);
  } else if (strcmp(argv[0], "insert") == 0) {
    argument = parse_json_argument(argv[2]);
    failed = calendar_insert(calendar, argv[1], argument, &result, &err);
  } else {
    status = 2;
  }
  json_decref(argument);
  if (status == 0)
    status = failed ? fixture_print_error(&err) : fixture_print_result(result);
  stack_close(&stack);
  return status;
}

static const char *nil_or(const char *text)
{
  return strcmp(text, "nil") == 0 ? NULL : text;
}

static int command_drive(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 4 || strcmp(argv[0], "upload") != 0)
    return 2;
  struct drive_upload upload = { .name = nil_or(argv[1]), .mime = nil_or(argv[2]) };
  for (int i = 4; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--folder") == 0)
      upload.folder = argv[i + 1];
    else if (strcmp(argv[i], "--share") == 0)
      upload.share_with = argv[i + 1];
  }
  char *bytes = NULL;
  size_t size = 0;
  if (local_files_read(argv[3], &bytes, &size, &err) != 0)
    return fixture_print_error(&err);
  upload.bytes = bytes;
  upload.size = size;
  struct google_stack stack;
  if (stack_open(cfg, &stack, &err) != 0) {
    free(bytes);
    return fixture_print_error(&err);
  }
  json_t *result = NULL;
  int status = drive_upload(stack.providers.drive, &upload, &result, &err) != 0 ? fixture_print_error(&err)
                                                                                : fixture_print_result(result);
  stack_close(&stack);
  free(bytes);
  return status;
}

int fixture_providers(const struct config *cfg, int argc, char **argv)
{
  if (argc > 0 && strcmp(argv[0], "drive") == 0)
    return command_drive(cfg, argc - 1, argv + 1);
  if (argc > 0 && strcmp(argv[0], "calendar") == 0)
    return command_calendar(cfg, argc - 1, argv + 1);
  if (argc > 0 && strcmp(argv[0], "sheets") == 0)
    return command_sheets(cfg, argc - 1, argv + 1);
  if (argc > 0 && strcmp(argv[0], "key") == 0)
    return command_key(cfg);
  if (argc > 0 && strcmp(argv[0], "token") == 0)
    return command_token(cfg, argc - 1, argv + 1);
  if (argc > 0 && strcmp(argv[0], "google") == 0)
    return command_google(cfg, argc - 1, argv + 1);
  if (argc > 0 && strcmp(argv[0], "ratelimit") == 0)
    return command_ratelimit(cfg, argc - 1, argv + 1);
  fprintf(stderr, "unknown command %s\n", argc > 0 ? argv[0] : "");
  return 2;
}
