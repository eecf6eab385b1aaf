/*
 * live_fixture.c — drives the live llm backend through the services object, as a
 * growthd process does, adds each call's usage to a tally as growth.llm does
 * for a job, reports it as a job's end does (job_usage_count, agent
 * "live_fixture"), and prints one JSON line with the outcome, the tally and the
 * growth_llm_tokens_total series that /metrics would show afterwards:
 *
 *   live_fixture chat TEXT [TEXT...]   one chat call per TEXT (a user message each)
 *   live_fixture embed TEXT [TEXT...]  one embed call for all the TEXTs
 *
 *   {"ok":true,"result":[...],"usage":{llmUsage},"metrics":{"<model>|<kind>":tokens,...}}
 *   {"ok":false,"error":{code,message,retryable,status},"usage":{...},"metrics":{...}}
 *
 * Settings come from the environment through the real config table. A test
 * driver, not part of growthd: Lua jobs cannot see /metrics, and `growthd run`
 * serves none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "agents/job_usage.h"
#include "base/metrics.h"
#include "providers/llm/llm.h"
#include "providers/services.h"

static const char *environment_lookup(const char *name, void *context)
{
  (void)context;
  return getenv(name);
}

/* The growth_llm_tokens_total lines of the rendered registry as {"model|kind": value}. */
static json_t *token_series(void)
{
  json_t *out = json_object();
  char *text = NULL;
  size_t length = 0;
  struct growth_error err = { 0 };
  if (!out || metrics_render(metrics_global(), &text, &length, &err) != 0)
    return out;
  static const char prefix[] = "growth_llm_tokens_total{agent=\"live_fixture\",model=\"";
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char model[128], kind[32];
    double value;
    if (strncmp(line, prefix, sizeof prefix - 1) == 0 &&
        sscanf(line + sizeof prefix - 1, "%127[^\"]\",kind=\"%31[^\"]\"} %lf", model, kind, &value) == 3) {
      char key[192];
      snprintf(key, sizeof key, "%s|%s", model, kind);
      json_object_set_new(out, key, json_real(value));
    }
  }
  free(text);
  return out;
}

static struct llm_tally tally;

static int print(json_t *line)
{
  job_usage_count("live_fixture", &tally);
  json_object_set_new(line, "usage", llm_tally_json(&tally));
  json_object_set_new(line, "metrics", token_series());
  char *text = json_dumps(line, JSON_COMPACT);
  printf("%s\n", text ? text : "{\"ok\":false}");
  free(text);
  int ok = json_is_true(json_object_get(line, "ok"));
  json_decref(line);
  return ok ? 0 : 1;
}

static int fail(const struct growth_error *err)
{
  return print(json_pack("{s:b, s:{s:s, s:s, s:b, s:i}}", "ok", 0, "error", "code", error_code_name(err->code),
                         "message", err->message, "retryable", err->retryable, "status", err->status));
}

static int run(const struct config *cfg, struct services *services, int argc, char **argv)
{
  struct growth_error err = { 0 };
  json_t *results = json_array();
  if (strcmp(argv[0], "chat") == 0) {
    for (int i = 1; i < argc; i++) {
      struct llm_message message = { "user", argv[i] };
      struct llm_chat_request request = { .messages = &message, .message_count = 1, .temperature = -1 };
      char *text = NULL;
      json_t *value = NULL;
      struct llm_call_usage usage;
      int status = llm_chat(cfg, services_http(services), &request, &text, &value, &usage, &err);
      llm_tally_add(&tally, &usage);
      if (status != 0) {
        json_decref(results);
        return fail(&err);
      }
      json_array_append_new(results, json_string(text));
      free(text);
    }
  } else {
    float *vectors = NULL;
    size_t dim = 0;
    struct llm_call_usage usage;
    int status = llm_embed(cfg, services_http(services), (const char *const *)argv + 1, (size_t)argc - 1, &vectors,
                           &dim, &usage, &err);
    llm_tally_add(&tally, &usage);
    if (status != 0) {
      json_decref(results);
      return fail(&err);
    }
    for (int i = 0; i < argc - 1; i++)
      json_array_append_new(results, json_real(vectors[(size_t)i * dim]));
    free(vectors);
  }
  return print(json_pack("{s:b, s:o}", "ok", 1, "result", results));
}

int main(int argc, char **argv)
{
  if (argc < 3 || (strcmp(argv[1], "chat") != 0 && strcmp(argv[1], "embed") != 0)) {
    fprintf(stderr, "usage: live_fixture chat|embed TEXT...\n");
    return 2;
  }
  struct config cfg;
  struct growth_error err = { 0 };
  if (config_load(&cfg, environment_lookup, NULL, &err) != 0) {
    fprintf(stderr, "%s\n", err.message);
    return 2;
  }
  log_configure(LOG_FORMAT_TEXT, (enum log_level)cfg.log_level);
  int status = 2;
  struct services *services = services_new(&cfg, NULL, &err);
  if (services)
    status = run(&cfg, services, argc - 1, argv + 1);
  else
    fprintf(stderr, "%s\n", err.message);
  services_free(services);
  config_free(&cfg);
  return status;
}
