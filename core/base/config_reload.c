/*
 * config_reload.c — builds the next configuration snapshot from an edited env file (see config_reload.h).
 */
#include "base/config_reload.h"

#include <stdlib.h>
#include <string.h>

#include "base/dotenv.h"
#include "base/log.h"

static const char *const reloadable[] = {
  "ENABLE_GROWTH_AGENTS", "ENABLE_GROWTH_DASHBOARD", "GROWTH_DASHBOARD_DIR", "GROWTH_PROFILE", "GROWTH_LOG_LEVEL",
};

struct snapshot {
  struct snapshot *older;
  struct config config;
};

struct config_history {
  struct snapshot *newest;
};

struct config_history *config_history_new(struct growth_error *err)
{
  struct config_history *history = calloc(1, sizeof *history);
  if (!history)
    error_set(err, ERR_NO_MEMORY, "configuration history: out of memory");
  return history;
}

void config_history_free(struct config_history *history)
{
  if (!history)
    return;
  while (history->newest) {
    struct snapshot *snapshot = history->newest;
    history->newest = snapshot->older;
    config_free(&snapshot->config);
    free(snapshot);
  }
  free(history);
}

int config_reloadable(const char *name)
{
  for (size_t i = 0; i < sizeof reloadable / sizeof reloadable[0]; i++)
    if (strcmp(name, reloadable[i]) == 0)
      return 1;
  return 0;
}

static const char *lookup_setting(const char *name, void *context)
{
  const char *value = getenv(name);
  return value ? value : dotenv_get(context, name);
}

/* Loads the settings as at start: the real environment, then the file. */
static int load_again(const struct config *current, struct config *loaded, struct growth_error *err)
{
  struct dotenv *dotenv = NULL;
  if (current->env_file && !(dotenv = dotenv_read_file(current->env_file, err)))
    return -1;
  int status = config_load(loaded, lookup_setting, dotenv, err);
  dotenv_free(dotenv);
  return status;
}

int config_reload(struct config_history *history, const struct config *current, const char *reason,
                  const struct config **next_out, struct growth_error *err)
{
  *next_out = current;
  struct config loaded;
  if (load_again(current, &loaded, err) != 0) {
    log_error("Config", "%s: reload refused, the configuration in use stays: %s", reason, err->message);
    return -1;
  }
  struct snapshot *snapshot = calloc(1, sizeof *snapshot);
  if (!snapshot || config_copy(&snapshot->config, current, err) != 0) {
    if (!snapshot)
      error_set(err, ERR_NO_MEMORY, "configuration reload: out of memory");
    free(snapshot);
    config_free(&loaded);
    return -1;
  }
  int changed = 0;
  for (size_t i = 0; i < config_setting_count(); i++) {
    char before[320], after[320];
    config_setting_describe(current, i, before, sizeof before);
    config_setting_describe(&loaded, i, after, sizeof after);
    if (strcmp(before, after) == 0)
      continue;
    const char *name = config_setting_name(i);
    if (!config_reloadable(name)) {
      log_warn("Config", "%s: %s changed (%s -> %s) but takes effect only after a restart; it stays %s", reason, name,
               before, after, before);
      continue;
    }
    if (config_setting_copy(&snapshot->config, &loaded, i, err) != 0) {
      config_free(&snapshot->config);
      free(snapshot);
      config_free(&loaded);
      return -1;
    }
    log_info("Config", "%s: %s %s -> %s", reason, name, before, after);
    changed = 1;
  }
  config_free(&loaded);
  if (!changed) {
    log_info("Config", "%s: reload done, no setting that applies at run time changed", reason);
    config_free(&snapshot->config);
    free(snapshot);
    return 0;
  }
  log_info("Config", "%s: reload done, the new configuration applies from the next request", reason);
  snapshot->older = history->newest;
  history->newest = snapshot;
  *next_out = &snapshot->config;
  return 1;
}
