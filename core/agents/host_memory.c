/*
 * host_memory.c — the in-memory host of `growthd run` and the tests (see host_memory.h).
 */
#include "agents/host_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "providers/local_files.h"

struct memory_host {
  pthread_mutex_t lock;
  char *artifact_dir;
  json_t *record;
};

struct memory_host *memory_host_new(const char *artifact_dir, struct growth_error *err)
{
  struct memory_host *host = calloc(1, sizeof *host);
  if (!host)
    goto fail;
  pthread_mutex_init(&host->lock, NULL);
  host->record = json_pack("{s:{}, s:{}, s:{}, s:[], s:[]}", "steps", "store", "artifacts", "logs", "progress");
  if (!host->record || (artifact_dir && !(host->artifact_dir = strdup(artifact_dir))))
    goto fail;
  return host;

fail:
  memory_host_free(host);
  error_set(err, ERR_NO_MEMORY, "memory host: out of memory");
  return NULL;
}

void memory_host_free(struct memory_host *host)
{
  if (!host)
    return;
  json_decref(host->record);
  free(host->artifact_dir);
  pthread_mutex_destroy(&host->lock);
  free(host);
}

const json_t *memory_host_record(const struct memory_host *host)
{
  return host->record;
}

static int host_progress(void *context, const char *agent, double percent, const char *message,
                         struct growth_error *err)
{
  (void)err;
  struct memory_host *host = context;
  pthread_mutex_lock(&host->lock);
  json_array_append_new(json_object_get(host->record, "progress"),
                        json_pack("{s:f, s:s?}", "percent", percent, "message", message));
  pthread_mutex_unlock(&host->lock);
  log_info("Progress", "%s %3.0f%%%s%s", agent, percent, message ? " " : "", message ? message : "");
  return 0;
}

static void host_log(void *context, const char *component, const char *message)
{
  struct memory_host *host = context;
  char line[1200];
  snprintf(line, sizeof line, "[%s] %s", component, message);
  pthread_mutex_lock(&host->lock);
  json_array_append_new(json_object_get(host->record, "logs"), json_string(line));
  pthread_mutex_unlock(&host->lock);
  log_info(component, "%s", message);
}

/* Copies the string at record[section][key] into *out (malloc'd) or NULL. */
static int load_text(struct memory_host *host, const char *section, const char *key, char **out,
                     struct growth_error *err)
{
  pthread_mutex_lock(&host->lock);
  const char *value = json_string_value(json_object_get(json_object_get(host->record, section), key));
  *out = value ? strdup(value) : NULL;
  pthread_mutex_unlock(&host->lock);
  if (value && !*out)
    return error_set(err, ERR_NO_MEMORY, "memory host: out of memory reading %s '%s'", section, key);
  return 0;
}

static int save_text(struct memory_host *host, const char *section, const char *key, const char *json,
                     struct growth_error *err)
{
  pthread_mutex_lock(&host->lock);
  json_t *table = json_object_get(host->record, section);
  int status = json ? json_object_set_new(table, key, json_string(json)) : (json_object_del(table, key), 0);
  pthread_mutex_unlock(&host->lock);
  if (status != 0)
    return error_set(err, ERR_NO_MEMORY, "memory host: out of memory saving %s '%s'", section, key);
  return 0;
}

static int host_step_load(void *context, const char *step, char **json, struct growth_error *err)
{
  return load_text(context, "steps", step, json, err);
}

static int host_step_save(void *context, const char *step, const char *json, struct growth_error *err)
{
  return save_text(context, "steps", step, json, err);
}

static int host_store_get(void *context, const char *key, char **json, struct growth_error *err)
{
  return load_text(context, "store", key, json, err);
}

static int host_store_set(void *context, const char *key, const char *json, struct growth_error *err)
{
  return save_text(context, "store", key, json, err);
}

static int write_artifact(const char *dir, const char *name, const void *bytes, size_t length, char *path,
                          size_t size, struct growth_error *err)
{
  snprintf(path, size, "%s/%s", dir, name);
  if (local_files_mkdirs(dir, err) != 0 || local_files_write(path, bytes, length, err) != 0)
    return error_prefix(err, "artifact %s", name);
  return 0;
}

static int host_artifact(void *context, const char *name, const void *bytes, size_t length, char **location,
                         struct growth_error *err)
{
  struct memory_host *host = context;
  char path[4096];
  snprintf(path, sizeof path, "memory:%s", name);
  if (host->artifact_dir && write_artifact(host->artifact_dir, name, bytes, length, path, sizeof path, err) != 0)
    return -1;
  *location = strdup(path);
  pthread_mutex_lock(&host->lock);
  json_object_set_new(json_object_get(host->record, "artifacts"), name,
                      json_pack("{s:I, s:s}", "bytes", (json_int_t)length, "location", path));
  pthread_mutex_unlock(&host->lock);
  log_info("Artifact", "%s: %zu bytes at %s", name, length, path);
  if (!*location)
    return error_set(err, ERR_NO_MEMORY, "memory host: out of memory");
  return 0;
}

void memory_host_bind(struct memory_host *host, struct agent_host *callbacks)
{
  memset(callbacks, 0, sizeof *callbacks);
  callbacks->context = host;
  callbacks->progress = host_progress;
  callbacks->log = host_log;
  callbacks->step_load = host_step_load;
  callbacks->step_save = host_step_save;
  callbacks->store_get = host_store_get;
  callbacks->store_set = host_store_set;
  callbacks->artifact = host_artifact;
}
