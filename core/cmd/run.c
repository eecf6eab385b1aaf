/*
 * run.c — `growthd run AGENT [--profile FILE] [--input FILE] [--artifacts DIR]`:
 * one job of one agent in the foreground, without Redis.
 *
 * The profile is {"user": {...}, "inputs": {"<agent>": {...}}} (profile.h):
 * the job's user is its user and its input is inputs.<agent>, unless --input
 * names a file of its own. Without --profile, GROWTH_PROFILE is read when set.
 *
 * --state FILE makes the run a retry of the job kept in FILE: its id, the next
 * attempt, the step results and the store are read from FILE when it exists,
 * and written back after the run, whether it passed or failed. Run twice with
 * the same FILE, an agent's ctx.step side effects happen once.
 *
 * --task NAME runs the agent's follow-up task NAME (what ctx.schedule queues)
 * with the --input file as its data, as the queue would when its time comes.
 *
 * AGENT is a name (scripts/agents/<name>.lua under GROWTH_SCRIPTS_DIR) or the
 * path of a .lua file. The job runs like a queued one (same checks, sandbox
 * limits and runner) over the in-memory host: progress and logs go to stderr,
 * artifacts to the artifacts folder (default GROWTH_DATA_DIR/artifacts/<agent>,
 * beside the run's outboxes and local files), and the result JSON to stdout.
 * Exit 0 on success, 1 with the reason (and the Lua traceback) on stderr when
 * the job fails, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/host_memory.h"
#include "agents/loader.h"
#include "agents/profile.h"
#include "agents/runner.h"
#include "base/clock.h"
#include "cmd/command.h"
#include "providers/pdf/pdf_document.h"
#include "providers/services.h"

struct run_arguments {
  const char *agent;
  const char *profile;
  const char *input;
  const char *artifacts;
  const char *state;
  const char *task;
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
    else if (strcmp(argv[i], "--state") == 0)
      target = &args->state;
    else if (strcmp(argv[i], "--task") == 0)
      target = &args->task;
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
    fprintf(stderr, "usage: growthd run AGENT [--profile FILE] [--input FILE] [--artifacts DIR] [--state FILE] [--task NAME]\n");
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

/* The job of a --state file: its id and attempt, with its steps and store put into host. */
static int restore_state(const char *path, struct memory_host *host, char *job_id, size_t size, int *attempt)
{
  if (access(path, F_OK) != 0)
    return 0;
  json_t *state = read_object(path, "state");
  if (!state)
    return -1;
  struct growth_error err = { 0 };
  const char *id = json_string_value(json_object_get(state, "jobId"));
  json_int_t previous = json_integer_value(json_object_get(state, "attempt"));
  int status = memory_host_restore(host, state, &err);
  if (status != 0)
    fprintf(stderr, "growthd run: state %s: %s\n", path, err.message);
  else if (!id || previous < 1 || previous > 1000000) {
    fprintf(stderr, "growthd run: state %s: expected \"jobId\" and \"attempt\" from an earlier run\n", path);
    status = -1;
  } else {
    snprintf(job_id, size, "%s", id);
    *attempt = (int)previous + 1;
  }
  json_decref(state);
  return status;
}

static void save_state(const char *path, const struct memory_host *host, const char *job_id, int attempt)
{
  const json_t *record = memory_host_record(host);
  json_t *state = json_pack("{s:s, s:i, s:O, s:O}", "jobId", job_id, "attempt", attempt, "steps",
                            json_object_get(record, "steps"), "store", json_object_get(record, "store"));
  if (!state || json_dump_file(state, path, JSON_INDENT(2)) != 0)
    fprintf(stderr, "growthd run: cannot write the state file %s\n", path);
  json_decref(state);
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
  if (!args.profile)
    args.profile = config->profile_path;   /* GROWTH_PROFILE, as `growthd launch` uses it */
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
    snprintf(artifacts, sizeof artifacts, "%s/artifacts/%s", config->data_dir, script->name);
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
  char job_id[128];
  int attempt = 1;
  snprintf(job_id, sizeof job_id, "run-%lld", (long long)clock_wall_ms());
  if (args.state && restore_state(args.state, host, job_id, sizeof job_id, &attempt) != 0) {
    status = EXIT_USAGE;
    goto done;
  }
  struct runner_job job = {
    .id = job_id,
    .attempt = attempt,
    .user = user ? profile_user(user) : NULL,
    .input = input ? input : profile_input(user, script->name),
    .artifact_dir = artifacts,
    .task = args.task,
    .task_data = args.task ? input : NULL,
  };
  struct runner_options runner_options = runner_options_from_config(config, services);
  struct runner_outcome outcome;
  int failed = runner_run(script, &job, &callbacks, &runner_options, &outcome, &err);
  if (args.state)
    save_state(args.state, host, job_id, attempt);
  if (failed) {
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
