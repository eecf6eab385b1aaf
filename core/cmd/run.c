/*
 * run.c — `growthd run AGENT [--profile FILE] [--input FILE] [--artifacts DIR]`:
 * one job of one agent in the foreground, without Redis.
 *
 * AGENT is a name (scripts/agents/<name>.lua under GROWTH_SCRIPTS_DIR) or the
 * path of a .lua file. The job runs like a queued one (same checks, sandbox
 * limits and runner) over the in-memory host: progress and logs go to stderr,
 * artifacts to the artifacts folder (default var/artifacts/<agent>), and the
 * result JSON to stdout. Exit 0 on success, 1 with the reason (and the Lua
 * traceback) on stderr when the job fails, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/host_memory.h"
#include "agents/loader.h"
#include "agents/runner.h"
#include "base/clock.h"
#include "cmd/command.h"
#include "providers/pdf/pdf_document.h"
#include "providers/services.h"

#define ARTIFACT_DIR_DEFAULT "var/artifacts"

struct run_arguments {
  const char *agent;
  const char *profile;
  const char *input;
  const char *artifacts;
};

static int parse_run_arguments(int argc, char **argv, struct run_arguments *args)
{
  memset(args, 0, sizeof *args);
  for (int i = 0; i < argc; i++) {
    const char **target = NULL;
    if (strcmp(argv[i], "--profile") == 0 || strcmp(argv[i], "--user") == 0)
      target = &args->profile;
    else if (strcmp(argv[i], "--input") == 0)
      target = &args->input;
    else if (strcmp(argv[i], "--artifacts") == 0)
      target = &args->artifacts;
    if (target) {
      if (i + 1 >= argc) {
        fprintf(stderr, "growthd run: %s needs a file name\n", argv[i]);
        return -1;
      }
      *target = argv[++i];
    } else if (argv[i][0] == '-' || args->agent) {
      fprintf(stderr, "growthd run: unexpected argument '%s'\n", argv[i]);
      return -1;
    } else {
      args->agent = argv[i];
    }
  }
  if (!args->agent) {
    fprintf(stderr, "usage: growthd run AGENT [--profile FILE] [--input FILE] [--artifacts DIR]\n");
    return -1;
  }
  return 0;
}

/* Reads a JSON object from path; NULL (after a message) when it cannot. */
static json_t *read_object(const char *path, const char *what)
{
  json_error_t error;
  json_t *value = json_load_file(path, 0, &error);
  if (!value) {
    fprintf(stderr, "growthd run: %s %s: line %d: %s\n", what, path, error.line, error.text);
    return NULL;
  }
  if (!json_is_object(value)) {
    fprintf(stderr, "growthd run: %s %s: expected a JSON object\n", what, path);
    json_decref(value);
    return NULL;
  }
  return value;
}

static void agent_path(const struct config *config, const char *agent, char *out, size_t size)
{
  size_t length = strlen(agent);
  if (strchr(agent, '/') || (length > 4 && strcmp(agent + length - 4, ".lua") == 0))
    snprintf(out, size, "%s", agent);
  else
    snprintf(out, size, "%s/agents/%s.lua", config->scripts_dir, agent);
}

int command_run(const struct config *config, int argc, char **argv)
{
  struct run_arguments args;
  if (parse_run_arguments(argc, argv, &args) != 0)
    return EXIT_USAGE;
  int status = 1;
  struct growth_error err = { 0 };
  json_t *user = NULL, *input = NULL, *problems = json_array();
  struct agent_script *script = NULL;
  struct memory_host *host = NULL;
  struct services *services = NULL;
  if ((args.profile && !(user = read_object(args.profile, "profile"))) ||
      (args.input && !(input = read_object(args.input, "input")))) {
    status = EXIT_USAGE;
    goto done;
  }
  char path[4096];
  agent_path(config, args.agent, path, sizeof path);
  struct loader_options loader_options = loader_options_from_config(config);
  if (loader_load(&loader_options, path, &script, problems, NULL, &err) != 0) {
    size_t index;
    json_t *problem;
    json_array_foreach(problems, index, problem)
      fprintf(stderr, "%s\n", json_string_value(problem));
    if (json_array_size(problems) == 0)
      fprintf(stderr, "growthd run: %s\n", err.message);
    goto done;
  }
  char artifacts[4096];
  if (args.artifacts)
    snprintf(artifacts, sizeof artifacts, "%s", args.artifacts);
  else
    snprintf(artifacts, sizeof artifacts, "%s/%s", ARTIFACT_DIR_DEFAULT, script->name);
  host = memory_host_new(artifacts, &err);
  if (!host) {
    fprintf(stderr, "growthd run: %s\n", err.message);
    goto done;
  }
  services = services_new(config, NULL, &err);   /* rate limits in this process: no Redis here */
  if (!services) {
    fprintf(stderr, "growthd run: %s\n", err.message);
    goto done;
  }
  services_log(services);
  struct agent_host callbacks;
  memory_host_bind(host, &callbacks);
  char job_id[32];
  snprintf(job_id, sizeof job_id, "run-%lld", (long long)clock_wall_ms());
  struct runner_job job = { .id = job_id, .attempt = 1, .user = user, .input = input, .artifact_dir = artifacts };
  struct runner_options runner_options = runner_options_from_config(config, services);
  struct runner_outcome outcome;
  if (runner_run(script, &job, &callbacks, &runner_options, &outcome, &err) != 0) {
    fprintf(stderr, "growthd run: %s failed (%s): %s\n", script->name, error_code_name(err.code), err.message);
    if (outcome.traceback[0])
      fprintf(stderr, "%s\n", outcome.traceback);
    goto done;
  }
  char *text = json_dumps(outcome.result, JSON_INDENT(2) | JSON_ENCODE_ANY);
  if (text) {
    printf("%s\n", text);
    free(text);
    status = 0;
  }
  runner_outcome_clear(&outcome);

done:
  services_free(services);
  pdf_shutdown();   /* the font caches, so a leak checker sees a clean exit; no thread renders now */
  memory_host_free(host);
  agent_script_release(script);
  json_decref(problems);
  json_decref(user);
  json_decref(input);
  return status;
}
