/*
 * fixture.c — google_fixture: runs one outbound call through growthcore and prints
 * the outcome as one JSON line, so the Python tests can drive the C code against
 * the stand-ins and check both the answer and what the stand-in received.
 *
 *   google_fixture http METHOD URL [--json TEXT] [--form NAME=VALUE]... [--header "N: V"]...
 *                  [--bearer TOKEN] [--basic USER:PASS] [--part NAME:TYPE:DATA]... [--related TYPE:DATA]...
 *                  [--safe|--unsafe] [--repeat N]
 *   google_fixture http-load URL CALLERS SECONDS   GETs from CALLERS threads sharing one client (bench/http-client)
 *   google_fixture sheets|calendar|drive|ratelimit ...   (fixture_providers.c)
 *
 * Settings come from the environment through the real config table.
 */
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

#include "base/log.h"
#include "net/http_client.h"

int fixture_print_result(json_t *value)
{
  json_t *out = json_pack("{s:b, s:o}", "ok", 1, "result", value ? value : json_null());
  char *text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
  printf("%s\n", text ? text : "{\"ok\":false}");
  free(text);
  json_decref(out);
  return 0;
}

int fixture_print_error(const struct growth_error *err)
{
  json_t *out = json_pack("{s:b, s:{s:s, s:s, s:i, s:b}}", "ok", 0, "error", "code", error_code_name(err->code),
                          "message", err->message, "status", err->status, "retryable", err->retryable);
  char *text = json_dumps(out, JSON_COMPACT);
  printf("%s\n", text ? text : "{\"ok\":false}");
  free(text);
  json_decref(out);
  return 1;
}

static const char *environment_lookup(const char *name, void *context)
{
  (void)context;
  return getenv(name);
}

static int parse_method(const char *text, enum http_method *out)
{
  static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
  for (int i = 0; i < 5; i++)
    if (strcmp(text, names[i]) == 0) {
      *out = (enum http_method)i;
      return 0;
    }
  return -1;
}

#define MAX_ITEMS 16

/* Splits "A:B:C" in place into three parts; -1 when a colon is missing. */
static int split3(char *text, char **a, char **b, char **c)
{
  char *first = strchr(text, ':');
  char *second = first ? strchr(first + 1, ':') : NULL;
  if (!second)
    return -1;
  *first = *second = '\0';
  *a = text;
  *b = first + 1;
  *c = second + 1;
  return 0;
}

static int command_http(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  struct http_request request = { .what = "fixture.http" };
  struct http_header headers[MAX_ITEMS];
  struct http_form_field form[MAX_ITEMS];
  struct http_part parts[MAX_ITEMS];
  char basic[512];
  json_t *json = NULL;
  int repeat = 1;
  if (argc < 2 || parse_method(argv[0], &request.method) != 0) {
    fprintf(stderr, "usage: google_fixture http METHOD URL [options]\n");
    return 2;
  }
  request.url = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *option = argv[i];
    char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(option, "--safe") == 0) {
      request.repeat = HTTP_REPEAT_SAFE;
      continue;
    }
    if (strcmp(option, "--unsafe") == 0) {
      request.repeat = HTTP_REPEAT_UNSAFE;
      continue;
    }
    if (!value) {
      fprintf(stderr, "%s needs a value\n", option);
      return 2;
    }
    i++;
    if (strcmp(option, "--json") == 0) {
      json = json_loads(value, JSON_DECODE_ANY, NULL);
      request.json = json;
    } else if (strcmp(option, "--form") == 0 && request.form_count < MAX_ITEMS) {
      char *equals = strchr(value, '=');
      if (equals)
        *equals = '\0';
      form[request.form_count++] = (struct http_form_field){ value, equals ? equals + 1 : "" };
      request.form = form;
    } else if (strcmp(option, "--header") == 0 && request.header_count < MAX_ITEMS) {
      char *colon = strchr(value, ':');
      if (!colon)
        return 2;
      *colon = '\0';
      headers[request.header_count++] = (struct http_header){ value, colon + 1 + (colon[1] == ' ') };
      request.headers = headers;
    } else if (strcmp(option, "--bearer") == 0) {
      request.auth = HTTP_AUTH_BEARER;
      request.bearer_token = value;
    } else if (strcmp(option, "--basic") == 0) {
      snprintf(basic, sizeof basic, "%s", value);
      char *colon = strchr(basic, ':');
      if (!colon)
        return 2;
      *colon = '\0';
      request.auth = HTTP_AUTH_BASIC;
      request.username = basic;
      request.password = colon + 1;
    } else if ((strcmp(option, "--part") == 0 || strcmp(option, "--related") == 0) && request.part_count < MAX_ITEMS) {
      char *name = NULL, *type = NULL, *data = NULL;
      if (strcmp(option, "--part") == 0) {
        if (split3(value, &name, &type, &data) != 0)
          return 2;
      } else {
        char *colon = strchr(value, ':');
        if (!colon)
          return 2;
        *colon = '\0';
        type = value;
        data = colon + 1;
        request.multipart = HTTP_MULTIPART_RELATED;
      }
      parts[request.part_count++] = (struct http_part){ name, NULL, type, data, strlen(data) };
      request.parts = parts;
    } else if (strcmp(option, "--repeat") == 0) {
      repeat = atoi(value);
    } else {
      fprintf(stderr, "unknown option %s\n", option);
      return 2;
    }
  }
  struct http_client_options options;
  http_client_options_from_config(cfg, &options);
  struct http_client *client = http_client_new(&options, &err);
  if (!client) {
    json_decref(json);
    return fixture_print_error(&err);
  }
  int status = 0;
  for (int round = 0; round < repeat; round++) {
    struct http_response response;
    if (http_client_send(client, &request, &response, &err) != 0) {
      status = fixture_print_error(&err);
    } else {
      json_t *body = json_loadb(response.body, response.body_size, 0, NULL);
      status = fixture_print_result(json_pack("{s:i, s:i, s:o}", "status", (int)response.status, "attempts",
                                              response.attempts, "body", body ? body : json_string(response.body)));
    }
    http_response_free(&response);
  }
  http_client_free(client);
  json_decref(json);
  return status;
}

struct load {
  struct http_client *client;
  const char *url;
  int64_t deadline;
  long calls;
  long errors;
};

static void *load_caller(void *context)
{
  struct load *load = context;
  struct http_request request = { .method = HTTP_GET, .url = load->url, .what = "load" };
  while (clock_monotonic_ms() < load->deadline) {
    struct growth_error err = { 0 };
    struct http_response response;
    int failed = http_client_send(load->client, &request, &response, &err);
    http_response_free(&response);
    if (failed)
      load->errors++;
    else
      load->calls++;
  }
  return NULL;
}

static int command_http_load(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 3)
    return 2;
  int callers = atoi(argv[1]);
  double seconds = atof(argv[2]);
  if (callers < 1 || callers > 1024 || seconds <= 0)
    return 2;
  struct http_client_options options;
  http_client_options_from_config(cfg, &options);
  struct http_client *client = http_client_new(&options, &err);
  if (!client)
    return fixture_print_error(&err);
  struct load *loads = calloc((size_t)callers, sizeof *loads);
  pthread_t *threads = calloc((size_t)callers, sizeof *threads);
  if (!loads || !threads) {
    free(loads);
    free(threads);
    http_client_free(client);
    return 2;
  }
  double started = clock_monotonic_ms_precise();
  int64_t deadline = clock_monotonic_ms() + (int64_t)(seconds * 1000);
  int made = 0;
  for (; made < callers; made++) {
    loads[made] = (struct load){ client, argv[0], deadline, 0, 0 };
    if (pthread_create(&threads[made], NULL, load_caller, &loads[made]) != 0)
      break;
  }
  long calls = 0, errors = 0;
  for (int i = 0; i < made; i++) {
    pthread_join(threads[i], NULL);
    calls += loads[i].calls;
    errors += loads[i].errors;
  }
  double elapsed = (clock_monotonic_ms_precise() - started) / 1000.0;
  free(threads);
  free(loads);
  http_client_free(client);
  return fixture_print_result(json_pack("{s:i, s:I, s:I, s:f, s:f}", "callers", made, "calls", (json_int_t)calls,
                                        "errors", (json_int_t)errors, "seconds", elapsed, "calls_per_s",
                                        calls / elapsed));
}

int main(int argc, char **argv)
{
  struct config cfg;
  struct growth_error err = { 0 };
  if (argc < 2) {
    fprintf(stderr, "usage: google_fixture http|sheets|calendar|drive|ratelimit ...\n");
    return 2;
  }
  if (config_load(&cfg, environment_lookup, NULL, &err) != 0) {
    fprintf(stderr, "%s\n", err.message);
    return 2;
  }
  log_configure(LOG_FORMAT_TEXT, (enum log_level)cfg.log_level);
  int status = strcmp(argv[1], "http") == 0        ? command_http(&cfg, argc - 2, argv + 2)
               : strcmp(argv[1], "http-load") == 0 ? command_http_load(&cfg, argc - 2, argv + 2)
                                                   : fixture_providers(&cfg, argc - 1, argv + 1);
  config_free(&cfg);
  return status;
}
