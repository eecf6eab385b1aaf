/*
 * reload.c — one pass of loading scripts/agents into the registry (see reload.h).
 *
 * Every version compiled is counted on /metrics as growth_agent_script_loads_total{agent,result}, result
 * "loaded" (it became current: at start or by a hot reload) or "refused" (a reload error: the last good
 * version stays). A file whose version is unchanged, or was already refused, is not compiled or counted.
 */
#include "agents/reload.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"

#define AGENT_FILES_MAX 256

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric *loads_counter;   /* registered under reload_lock on first use */

struct agent_file {
  char name[AGENT_NAME_MAX];
  char path[AGENT_FILE_MAX + 512];
};

static int compare_files(const void *a, const void *b)
{
  return strcmp(((const struct agent_file *)a)->name, ((const struct agent_file *)b)->name);
}

/* Lists agents/<name>.lua (regular names, no hidden or editor files), sorted. */
static int list_agent_files(const char *scripts_dir, struct agent_file *files, size_t *count,
                            struct growth_error *err)
{
  char dir_path[AGENT_FILE_MAX + 256];
  snprintf(dir_path, sizeof dir_path, "%s/agents", scripts_dir);
  *count = 0;
  DIR *dir = opendir(dir_path);
  if (!dir) {
    if (errno == ENOENT)
      return 0;
    return error_set(err, ERR_IO, "cannot read the agents folder %s: %s", dir_path, strerror(errno));
  }
  struct dirent *entry;
  while ((entry = readdir(dir)) && *count < AGENT_FILES_MAX) {
    size_t length = strlen(entry->d_name);
    if (entry->d_name[0] == '.' || length < 5 || strcmp(entry->d_name + length - 4, ".lua") != 0 ||
        length - 4 >= AGENT_NAME_MAX)
      continue;
    struct agent_file *file = &files[(*count)++];
    snprintf(file->name, sizeof file->name, "%.*s", (int)(length - 4), entry->d_name);
    snprintf(file->path, sizeof file->path, "%s/%s", dir_path, entry->d_name);
  }
  closedir(dir);
  qsort(files, *count, sizeof *files, compare_files);
  return 0;
}

static const struct agent_summary *find_summary(const struct agent_summary *agents, size_t count, const char *name)
{
  for (size_t i = 0; i < count; i++)
    if (strcmp(agents[i].name, name) == 0)
      return &agents[i];
  return NULL;
}

static int load_one(struct agent_registry *registry, const struct loader_options *options,
                    const struct agent_file *file, const struct agent_summary *known, struct reload_report *report,
                    json_t *problems, struct growth_error *err)
{
  char version[AGENT_VERSION_MAX];
  struct growth_error step = { 0 };
  if (loader_version(options, file->path, version, &step) == 0 && known) {
    if (strcmp(version, known->version) == 0 && !known->error[0]) {
      report->unchanged++;
      return 0;
    }
    if (strcmp(version, known->refused_version) == 0) {
      report->refused++;
      if (problems)
        json_array_append_new(problems, json_string(known->error));
      return 0;
    }
  }
  struct agent_script *script = NULL;
  json_t *warnings = json_array();
  if (loader_load(options, file->path, &script, problems, warnings, &step) == 0) {
    int installed = registry_install(registry, script, err);
    if (installed == 0) {
      log_info("Registry", "Loaded %s (%s, version %.12s)", script->name, script->file, script->version);
      metric_inc(loads_counter, (const char *[]){ file->name, "loaded" });
    }
    agent_script_release(script);
    report->loaded += installed == 0;
    size_t index;
    json_t *message;
    json_array_foreach(warnings, index, message)
      log_warn("Registry", "%s", json_string_value(message));
    json_decref(warnings);
    return installed;
  }
  json_decref(warnings);
  if (step.code == ERR_NO_MEMORY)
    return error_set(err, ERR_NO_MEMORY, "%s", step.message);
  report->refused++;
  metric_inc(loads_counter, (const char *[]){ file->name, "refused" });
  log_error("Registry", "Refused %s: %s%s", file->name, step.message,
            known && known->loaded ? " (the last good version stays current)" : "");
  char display[AGENT_NAME_MAX + 16];
  snprintf(display, sizeof display, "agents/%s.lua", file->name);
  return registry_refuse(registry, file->name, display, version, step.message, err);
}

int reload_scripts(struct agent_registry *registry, const struct loader_options *options,
                   struct reload_report *report, json_t *problems, struct growth_error *err)
{
  struct agent_file *files = calloc(AGENT_FILES_MAX, sizeof *files);
  struct agent_summary *agents = NULL;
  size_t file_count = 0, agent_count = 0;
  int status = -1;
  memset(report, 0, sizeof *report);
  if (!files)
    return error_set(err, ERR_NO_MEMORY, "reload: out of memory");
  pthread_mutex_lock(&reload_lock);
  if (!loads_counter) {
    struct growth_error metrics_err = { 0 };
    loads_counter = metrics_counter(metrics_global(), "growth_agent_script_loads_total",
                                    "Agent script versions compiled, by agent and result (loaded, refused)",
                                    "agent,result", &metrics_err);
    if (!loads_counter)
      log_warn("Registry", "metrics: %s", metrics_err.message);
  }
  if (list_agent_files(options->scripts_dir, files, &file_count, err) != 0)
    goto done;
  if (registry_snapshot(registry, &agents, &agent_count, err) != 0)
    goto done;
  for (size_t i = 0; i < file_count; i++)
    if (load_one(registry, options, &files[i], find_summary(agents, agent_count, files[i].name), report, problems,
                 err) != 0)
      goto done;
  for (size_t i = 0; i < agent_count; i++) {
    int present = 0;
    for (size_t j = 0; j < file_count && !present; j++)
      present = strcmp(files[j].name, agents[i].name) == 0;
    if (!present) {
      registry_remove(registry, agents[i].name);
      log_info("Registry", "Removed %s: its file is gone", agents[i].name);
      report->removed++;
    }
  }
  status = 0;

done:
  pthread_mutex_unlock(&reload_lock);
  free(agents);
  free(files);
  return status;
}

int reload_and_log(struct agent_registry *registry, const struct loader_options *options, const char *reason,
                   struct growth_error *err)
{
  struct reload_report report;
  if (reload_scripts(registry, options, &report, NULL, err) != 0) {
    log_error("Registry", "%s: cannot load the scripts: %s", reason, err->message);
    return -1;
  }
  log_info("Registry", "%s: %zu agents loaded, %zu refused, %zu unchanged, %zu removed (scripts in %s)", reason,
           report.loaded, report.refused, report.unchanged, report.removed, options->scripts_dir);
  return 0;
}
