/*
 * agents.c — `growthd agents disable NAME --reason "..." [--by WHO]`, `growthd agents enable NAME [--by WHO]`
 * and `growthd agents list [--json]`: the kill switch (agents/kill_switch.h) from a shell, for the operator
 * of a partial rollback. The change is in Redis, so every API and worker process on every host sees it
 * within KILL_SWITCH_REFRESH_MS; no process needs a signal or a restart.
 *
 * Who made the change: --by, else "cli:<login name>". Only an agent with a script in
 * GROWTH_SCRIPTS_DIR/agents can be disabled (a typo must not look like a rollback that worked); any name
 * can be enabled, so an agent whose script was removed can still be cleared.
 */
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/kill_switch.h"
#include "agents/launcher.h"
#include "base/clock.h"
#include "cmd/command.h"
#include "queue/queue.h"
#include "redis/redis_pool.h"

struct agents_options {
  const char *action;
  const char *name;
  const char *reason;
  const char *by;
  int json;
};

static int usage(const char *problem)
{
  fprintf(stderr, "growthd agents: %s\nusage: growthd agents disable NAME --reason \"...\" [--by WHO]\n"
                  "       growthd agents enable NAME [--by WHO]\n       growthd agents list [--json]\n", problem);
  return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct agents_options *options)
{
  if (argc < 1)
    return usage("a subcommand is needed: disable, enable or list");
  options->action = argv[0];
  for (int i = 1; i < argc; i++) {
    if ((strcmp(argv[i], "--reason") == 0 || strcmp(argv[i], "--by") == 0) && i + 1 < argc) {
      *(argv[i][2] == 'r' ? &options->reason : &options->by) = argv[i + 1];
      i++;
    } else if (strncmp(argv[i], "--reason=", 9) == 0) {
      options->reason = argv[i] + 9;
    } else if (strncmp(argv[i], "--by=", 5) == 0) {
      options->by = argv[i] + 5;
    } else if (strcmp(argv[i], "--json") == 0) {
      options->json = 1;
    } else if (argv[i][0] != '-' && !options->name) {
      options->name = argv[i];
    } else {
      fprintf(stderr, "growthd agents: unexpected argument '%s'\n", argv[i]);
      return EXIT_USAGE;
    }
  }
  int is_list = strcmp(options->action, "list") == 0;
  if (!is_list && strcmp(options->action, "disable") != 0 && strcmp(options->action, "enable") != 0)
    return usage("unknown subcommand; expected disable, enable or list");
  if (!is_list && !options->name)
    return usage("the agent's name is missing");
  if (strcmp(options->action, "disable") == 0 && (!options->reason || !*options->reason))
    return usage("disable needs --reason \"...\" saying why (it is shown wherever the agent appears disabled)");
  return 0;
}

static int agent_script_exists(const char *scripts_dir, const char *name, struct growth_error *err)
{
  char **names = NULL;
  size_t count = 0;
  if (launcher_list_agents(scripts_dir, &names, &count, err) != 0)
    return -1;
  int found = 0;
  for (size_t i = 0; i < count && !found; i++)
    found = strcmp(names[i], name) == 0;
  queue_free_strings(names, count);
  if (!found)
    return error_set(err, ERR_NOT_FOUND, "no agent '%.64s': %s/agents/%.64s.lua does not exist", name, scripts_dir,
                     name);
  return 0;
}

static void print_state(const struct kill_switch_state *state)
{
  char at[32];
  clock_format_iso(state->at_ms, at, sizeof at);
  printf("%-16s disabled by %s at %s: %s\n", state->agent, state->by[0] ? state->by : "(unknown)", at,
         state->reason);
}

static int list_disabled(struct kill_switch *kill_switch, int as_json, struct growth_error *err)
{
  struct kill_switch_state *states = NULL;
  size_t count = 0;
  if (kill_switch_list(kill_switch, &states, &count, err) != 0)
    return -1;
  if (as_json) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
      json_array_append_new(list, kill_switch_state_json(&states[i]));
    json_t *root = json_pack("{s:I, s:o}", "count", (json_int_t)count, "agents", list ? list : json_array());
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    if (text)
      printf("%s\n", text);
    free(text);
    json_decref(root);
  } else if (count == 0) {
    printf("no agent is disabled\n");
  }
  for (size_t i = 0; !as_json && i < count; i++)
    print_state(&states[i]);
  free(states);
  return 0;
}

static void default_author(char *out, size_t size)
{
  struct passwd *user = getpwuid(geteuid());
  snprintf(out, size, "cli:%s", user && user->pw_name ? user->pw_name : "unknown");
}

int command_agents(const struct config *config, int argc, char **argv)
{
  struct agents_options options = { 0 };
  int parsed = parse_options(argc, argv, &options);
  if (parsed != 0)
    return parsed;
  char by[KILL_SWITCH_BY_MAX];
  if (options.by)
    snprintf(by, sizeof by, "%s", options.by);
  else
    default_author(by, sizeof by);

  int status = 1;
  struct growth_error err = { 0 };
  struct redis_pool_options pool_options = { .url = config->redis, .size = 1,
                                             .connect_timeout_ms = config->redis_connect_timeout_ms,
                                             .command_timeout_ms = config->redis_command_timeout_ms };
  struct redis_pool *pool = redis_pool_new(&pool_options, &err);
  struct kill_switch *kill_switch = pool ? kill_switch_new(pool, config->queue_prefix, config->queue_name, &err)
                                         : NULL;
  if (!kill_switch)
    goto done;
  if (strcmp(options.action, "list") == 0) {
    status = list_disabled(kill_switch, options.json, &err) == 0 ? 0 : 1;
  } else if (strcmp(options.action, "disable") == 0) {
    struct kill_switch_state state;
    if (agent_script_exists(config->scripts_dir, options.name, &err) != 0) {
      status = EXIT_USAGE;
      goto done;
    }
    if (kill_switch_disable(kill_switch, options.name, by, options.reason, &state, &err) != 0) {
      status = err.code == ERR_BAD_ARGUMENT ? EXIT_USAGE : 1;
      goto done;
    }
    print_state(&state);
    status = 0;
  } else {
    int changed = kill_switch_enable(kill_switch, options.name, by, NULL, &err);
    if (changed < 0) {
      status = err.code == ERR_BAD_ARGUMENT ? EXIT_USAGE : 1;
      goto done;
    }
    printf("%s enabled%s\n", options.name, changed ? "" : " (it was not disabled)");
    status = 0;
  }
done:
  if (status != 0)
    fprintf(stderr, "growthd agents %s: %s\n", options.action, err.message);
  kill_switch_free(kill_switch);
  redis_pool_free(pool);
  return status;
}
