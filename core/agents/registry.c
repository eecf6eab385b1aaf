/*
 * registry.c — a sorted array of agent summaries under a mutex (see registry.h).
 */
#include "agents/registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct agent_registry {
  pthread_mutex_t lock;
  struct agent_summary *agents;
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
  pthread_mutex_destroy(&registry->lock);
  free(registry->agents);
  free(registry);
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(((const struct agent_summary *)a)->name, ((const struct agent_summary *)b)->name);
}

static int insert_sorted(struct agent_registry *registry, const struct agent_summary *summary)
{
  for (size_t i = 0; i < registry->count; i++) {
    if (strcmp(registry->agents[i].name, summary->name) == 0) {
      registry->agents[i] = *summary;
      return 0;
    }
  }
  if (registry->count == registry->capacity) {
    size_t capacity = registry->capacity ? registry->capacity * 2 : 8;
    struct agent_summary *grown = realloc(registry->agents, capacity * sizeof *grown);
    if (!grown)
      return -1;
    registry->agents = grown;
    registry->capacity = capacity;
  }
  registry->agents[registry->count++] = *summary;
  qsort(registry->agents, registry->count, sizeof *registry->agents, compare_names);
  return 0;
}

int registry_put(struct agent_registry *registry, const struct agent_summary *summary, struct growth_error *err)
{
  if (!summary->name[0])
    return error_set(err, ERR_BAD_ARGUMENT, "agent registry: an agent needs a name");
  pthread_mutex_lock(&registry->lock);
  int result = insert_sorted(registry, summary);
  pthread_mutex_unlock(&registry->lock);
  if (result != 0)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory adding %s", summary->name);
  return 0;
}

int registry_snapshot(struct agent_registry *registry, struct agent_summary **out, size_t *count,
                      struct growth_error *err)
{
  *out = NULL;
  *count = 0;
  pthread_mutex_lock(&registry->lock);
  if (registry->count > 0) {
    *out = malloc(registry->count * sizeof **out);
    if (*out) {
      memcpy(*out, registry->agents, registry->count * sizeof **out);
      *count = registry->count;
    }
  }
  size_t wanted = registry->count;
  pthread_mutex_unlock(&registry->lock);
  if (wanted > 0 && !*out)
    return error_set(err, ERR_NO_MEMORY, "agent registry: out of memory copying %zu agents", wanted);
  return 0;
}
