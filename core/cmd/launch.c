/*
 * launch.c — `growthd launch [--agents a,b]`: enqueues agents (all scripts in GROWTH_SCRIPTS_DIR/agents
 * when --agents is absent) for the profile in GROWTH_PROFILE, and prints {"jobIds":[...],"skipped":[...]}.
 * Disabled agents (the kill switch, `growthd agents disable`) are skipped and listed under "skipped" with
 * who disabled them, when and why; when every agent asked for is disabled nothing is added and the command
 * exits 1 with the reasons on stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/kill_switch.h"
#include "agents/launcher.h"
#include "base/log.h"
#include "cmd/command.h"
#include "queue/queue.h"
#include "redis/redis_pool.h"

/* Splits "a,b,c" into names (pointers into text, which is modified). */
static size_t split_names(char *text, const char **names, size_t max)
{
  size_t count = 0;
  for (char *save = NULL, *name = strtok_r(text, ",", &save); name && count < max; name = strtok_r(NULL, ",", &save))
    if (*name)
      names[count++] = name;
  return count;
}

static int print_ids(char **ids, size_t count, const struct kill_switch_filter *filter)
{
  json_t *list = json_array();
  for (size_t i = 0; list && i < count; i++)
    json_array_append_new(list, json_string(ids[i]));
  json_t *root = list ? json_pack("{s:o, s:o}", "jobIds", list, "skipped", kill_switch_skipped_json(filter)) : NULL;
  char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
  if (text)
    printf("%s\n", text);
  free(text);
  json_decref(root);
  return text ? 0 : -1;
}

int command_launch(const struct config *config, int argc, char **argv)
{
  char *agents_text = NULL;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--agents") == 0 && i + 1 < argc)
      agents_text = argv[++i];
    else if (strncmp(argv[i], "--agents=", 9) == 0)
      agents_text = argv[i] + 9;
    else {
      fprintf(stderr, "growthd launch: unknown option '%s'; expected --agents a,b\n", argv[i]);
      return EXIT_USAGE;
    }
  }
  const char *names[256];
  size_t count = 0;
  char *copy = agents_text ? strdup(agents_text) : NULL;
  if (agents_text && (!copy || (count = split_names(copy, names, 256)) == 0)) {
    fprintf(stderr, "growthd launch: --agents needs agent names separated by commas\n");
    free(copy);
    return EXIT_USAGE;
  }
  int status = 1;
  struct growth_error err = { 0 };
  struct redis_pool *pool = NULL;
  struct queue *queue = NULL;
  struct kill_switch *kill_switch = NULL;
  struct kill_switch_filter filter = { 0 };
  char **ids = NULL;
  size_t id_count = 0;
  json_t *profile = launcher_read_profile(config->profile_path, &err);
  if (!profile) {
    status = EXIT_USAGE;
    goto done;
  }
  struct redis_pool_options options = { .url = config->redis, .size = 1,
                                        .connect_timeout_ms = config->redis_connect_timeout_ms,
                                        .command_timeout_ms = config->redis_command_timeout_ms };
  pool = redis_pool_new(&options, &err);
  queue = pool ? queue_new(pool, config->queue_prefix, config->queue_name, &err) : NULL;
  kill_switch = queue ? kill_switch_new(pool, config->queue_prefix, config->queue_name, &err) : NULL;
  if (!kill_switch)
    goto done;
  /* 0 in the settings keeps every job: no count in the job's options */
  queue_set_retention(queue, config->keep_completed > 0 ? config->keep_completed : -1,
                      config->keep_failed > 0 ? config->keep_failed : -1);
  queue_set_job_defaults(queue, config->job_attempts, config->job_backoff_ms);
  if (kill_switch_launch(kill_switch, queue, config->scripts_dir, names, count, profile, &ids, &id_count,
                         &filter, &err) != 0) {
    status = err.code == ERR_NOT_FOUND || err.code == ERR_BAD_ARGUMENT ? EXIT_USAGE : 1;
    goto done;
  }
  for (size_t i = 0; i < id_count; i++)
    log_info("Orchestrator", "[BullMQ] Job %s added to queue", ids[i]);
  status = print_ids(ids, id_count, &filter) == 0 ? 0 : 1;
done:
  if (status != 0)
    fprintf(stderr, "growthd launch: %s\n", err.message);
  queue_free_strings(ids, id_count);
  kill_switch_filter_free(&filter);
  kill_switch_free(kill_switch);
  queue_free(queue);
  redis_pool_free(pool);
  json_decref(profile);
  free(copy);
  return status;
}
