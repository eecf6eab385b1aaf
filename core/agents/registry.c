/*
 * registry.c — a sorted array of agents under a mutex (see registry.h).
 *
 * Each entry pairs a summary with the current script (a counted reference).
 * Replacing a script drops the registry's reference only; jobs that acquired
 * the old version keep it alive until they release it.
 */
#include "agents/registry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"

struct registry_entry {
  struct agent_summary summary;
  struct agent_script *script;   /* NULL until a good version loaded */
};

struct agent_registry {
  pthread_mutex_t lock;
  struct registry_entry *entries;
  size_t count;
  size_t capacity;
};

struct agent_registry *registry_new(struct growth_error *err)
{
  struct agent_registry *registry = calloc(1, sizeof *registry);
  if (!registry) {
    error_set(err, ERR_NO_MEMORY, "agent registry: out of memory");
    return NULL;
  }
  pthread_mutex_init(&registry->lock, NULL);
  return registry;
}

void registry_free(struct agent_registry *registry)
{
  if (!registry)
    return;
  for (size_t i = 0; i < registry->count; i++)
    agent_script_release(registry->entries[i].script);
  pthread_mutex_destroy(&registry->lock);
  free(registry->entries);
  free(registry);
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(((const struct registry_entry *)a)->summary.name, ((const struct registry_entry *)b)->summary.name);
}

static struct registry_entry *find_entry(struct agent_registry *registry, const char *name)
{
  for (size_t i = 0; i < registry->count; i++)
    if (strcmp(registry->entries[i].summary.name, name) == 0)
      return &registry->entries[i];
  return NULL;
}

/* The entry of name, added (empty) when missing; NULL when out of memory. Call under the lock;
 * the pointer is valid until the next insertion. */
static struct registry_entry *entry_for(struct agent_registry *registry, const char *name)
{
  struct registry_entry *entry = find_entry(registry, name);
  if (entry)
    return entry;
  if (registry->count == registry->capacity) {
    size_t capacity = registry->capacity ? registry->capacity * 2 : 8;
    struct registry_entry *grown = realloc(registry->entries, capacity * sizeof *grown);
    if (!grown)
      return NULL;
    registry->entries = grown;
    registry->capacity = capacity;
  }
  entry = &registry->entries[registry->count++];
  memset(entry, 0, sizeof *entry);
  snprintf(entry->summary.name, sizeof entry->summary.name, "%s", name);
  qsort(registry->entries, registry->count, sizeof *registry->entries, compare_names);
  return find_entry(registry, name);
}

int registry_put(struct agent_registry *registry, const struct agent_summary *summary, struct growth_error *err)
{
  if (!summary->name[0])
    return error_set(err, ERR_BAD_ARGUMENT, "agent registry: an agent needs a name");
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = entry_for(registry, summary->name);
  if (entry)
    entry->summary = *summary;
  pthread_mutex_unlock(&registry->lock);
  if (!entry)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory adding %s", summary->name);
  return 0;
}

static void summarise(struct agent_summary *summary, const struct agent_script *script)
{
  snprintf(summary->title, sizeof summary->title, "%s", script->title);
  snprintf(summary->tier, sizeof summary->tier, "%s", script->tier);
  snprintf(summary->description, sizeof summary->description, "%s", script->description);
  memcpy(summary->needs, script->needs, sizeof summary->needs);
  summary->need_count = script->need_count;
  snprintf(summary->file, sizeof summary->file, "%s", script->file);
  snprintf(summary->version, sizeof summary->version, "%s", script->version);
  summary->loaded = true;
  summary->error[0] = '\0';
  summary->refused_version[0] = '\0';
}

int registry_install(struct agent_registry *registry, struct agent_script *script, struct growth_error *err)
{
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = entry_for(registry, script->name);
  struct agent_script *old = NULL;
  if (entry) {
    old = entry->script;
    entry->script = agent_script_retain(script);
    summarise(&entry->summary, script);
  }
  pthread_mutex_unlock(&registry->lock);
  agent_script_release(old);
  if (!entry)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory adding %s", script->name);
  return 0;
}

int registry_refuse(struct agent_registry *registry, const char *name, const char *file, const char *version,
                    const char *message, struct growth_error *err)
{
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = entry_for(registry, name);
  if (entry) {
    snprintf(entry->summary.error, sizeof entry->summary.error, "%s", message);
    snprintf(entry->summary.refused_version, sizeof entry->summary.refused_version, "%s", version);
    if (!entry->script)
      snprintf(entry->summary.file, sizeof entry->summary.file, "%s", file);
  }
  pthread_mutex_unlock(&registry->lock);
  if (!entry)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory adding %s", name);
  return 0;
}

void registry_remove(struct agent_registry *registry, const char *name)
{
  struct agent_script *old = NULL;
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = find_entry(registry, name);
  if (entry) {
    old = entry->script;
    size_t index = (size_t)(entry - registry->entries);
    memmove(entry, entry + 1, (registry->count - index - 1) * sizeof *entry);
    registry->count--;
  }
  pthread_mutex_unlock(&registry->lock);
  agent_script_release(old);
}

struct agent_script *registry_acquire(struct agent_registry *registry, const char *name)
{
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = find_entry(registry, name);
  struct agent_script *script = entry ? agent_script_retain(entry->script) : NULL;
  pthread_mutex_unlock(&registry->lock);
  return script;
}

int registry_version(struct agent_registry *registry, const char *name, char out[AGENT_VERSION_MAX])
{
  pthread_mutex_lock(&registry->lock);
  struct registry_entry *entry = find_entry(registry, name);
  snprintf(out, AGENT_VERSION_MAX, "%s", entry && entry->script ? entry->script->version : "");
  pthread_mutex_unlock(&registry->lock);
  return entry ? 0 : -1;
}

int registry_snapshot(struct agent_registry *registry, struct agent_summary **out, size_t *count,
                      struct growth_error *err)
{
  *out = NULL;
  *count = 0;
  pthread_mutex_lock(&registry->lock);
  size_t wanted = registry->count;
  if (wanted > 0) {
    *out = malloc(wanted * sizeof **out);
    for (size_t i = 0; *out && i < wanted; i++)
      (*out)[i] = registry->entries[i].summary;
    if (*out)
      *count = wanted;
  }
  pthread_mutex_unlock(&registry->lock);
  if (wanted > 0 && !*out)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory copying %zu agents", wanted);
  return 0;
}
