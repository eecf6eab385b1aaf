/*
 * kill_switch_report.c — what the kill switch tells others (see kill_switch.h): the split of a launch into
 * agents launched and skipped, the JSON every answer uses for a disabled agent, and the gauge
 * growth_agent_disabled{agent} on /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "agents/kill_switch_internal.h"

int kill_switch_filter(struct kill_switch *kill_switch, const char *const *names, size_t count,
                       struct kill_switch_filter *out, struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < count; i++)
    if (strlen(names[i]) >= KILL_SWITCH_NAME_MAX)
      return error_set(err, ERR_BAD_ARGUMENT, "agent name '%.64s...' is too long; expected at most %d characters",
                       names[i], KILL_SWITCH_NAME_MAX - 1);
  if (kill_switch_refresh(kill_switch, 1, err) != 0)
    return error_prefix(err, "launch: cannot tell which agents are disabled");
  out->launch = calloc(count ? count : 1, sizeof *out->launch);
  out->names = calloc(count ? count : 1, sizeof *out->names);
  out->skipped = calloc(count ? count : 1, sizeof *out->skipped);
  if (!out->launch || !out->names || !out->skipped) {
    kill_switch_filter_free(out);
    return error_set(err, ERR_NO_MEMORY, "launch: out of memory");
  }
  for (size_t i = 0; i < count; i++) {
    struct kill_switch_state state;
    int disabled = kill_switch_check(kill_switch, names[i], &state, err);
    if (disabled < 0) {
      kill_switch_filter_free(out);
      return -1;
    }
    if (!disabled) {
      snprintf(out->names[out->launch_count], sizeof out->names[0], "%s", names[i]);
      out->launch[out->launch_count] = out->names[out->launch_count];
      out->launch_count++;
      continue;
    }
    out->skipped[out->skipped_count++] = state;
    log_warn("Orchestrator", "Skipping %s: disabled by %s: %s", state.agent, state.by[0] ? state.by : "(unknown)",
             state.reason);
  }
  return 0;
}

void kill_switch_filter_free(struct kill_switch_filter *filter)
{
  free(filter->launch);
  free(filter->names);
  free(filter->skipped);
  memset(filter, 0, sizeof *filter);
}

void kill_switch_filter_message(const struct kill_switch_filter *filter, char *out, size_t size)
{
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < filter->skipped_count && used < size; i++) {
    const struct kill_switch_state *state = &filter->skipped[i];
    char at[32];
    clock_format_iso(state->at_ms, at, sizeof at);
    int written = snprintf(out + used, size - used, "%s%s is disabled by %s at %s: %s", i ? "; " : "", state->agent,
                           state->by[0] ? state->by : "(unknown)", at, state->reason);
    if (written < 0)
      break;
    used += (size_t)written;
  }
}

json_t *kill_switch_state_json(const struct kill_switch_state *state)
{
  char at[32];
  clock_format_iso(state->at_ms, at, sizeof at);
  return json_pack("{s:s, s:b, s:s?, s:s, s:I, s:s}", "agent", state->agent, "disabled", 1, "disabledBy",
                   state->by[0] ? state->by : NULL, "disabledAt", at, "disabledAtMs", (json_int_t)state->at_ms,
                   "reason", state->reason);
}

json_t *kill_switch_skipped_json(const struct kill_switch_filter *filter)
{
  json_t *list = json_array();
  for (size_t i = 0; list && i < filter->skipped_count; i++)
    json_array_append_new(list, kill_switch_state_json(&filter->skipped[i]));
  return list;
}

/* Before each render: 1 for every disabled agent, 0 for every other agent of the registry and for every
 * agent shown disabled last time that no longer is. */
static void collect(void *context)
{
  struct kill_switch *kill_switch = context;
  struct growth_error err = { 0 };
  struct kill_switch_state *states = NULL;
  size_t count = 0;
  if (kill_switch_refresh(kill_switch, 0, &err) != 0)
    log_warn("Orchestrator", "metrics: %s", err.message);
  pthread_mutex_lock(&kill_switch->lock);
  if (kill_switch->count && (states = malloc(kill_switch->count * sizeof *states))) {
    memcpy(states, kill_switch->states, kill_switch->count * sizeof *states);
    count = kill_switch->count;
  }
  pthread_mutex_unlock(&kill_switch->lock);

  struct agent_summary *agents = NULL;
  size_t agent_count = 0;
  if (kill_switch->registry && registry_snapshot(kill_switch->registry, &agents, &agent_count, &err) != 0)
    agent_count = 0;
  for (size_t i = 0; i < agent_count; i++)
    metric_set(kill_switch->gauge, (const char *[]){ agents[i].name }, 0);
  for (size_t i = 0; i < kill_switch->shown_count; i++)
    metric_set(kill_switch->gauge, (const char *[]){ kill_switch->shown[i] }, 0);
  for (size_t i = 0; i < count; i++)
    metric_set(kill_switch->gauge, (const char *[]){ states[i].agent }, 1);
  free(agents);
  char (*shown)[KILL_SWITCH_NAME_MAX] = count ? calloc(count, sizeof *shown) : NULL;
  for (size_t i = 0; shown && i < count; i++)
    memcpy(shown[i], states[i].agent, sizeof shown[i]);
  if (shown || count == 0) {
    free(kill_switch->shown);
    kill_switch->shown = shown;
    kill_switch->shown_count = count;
  }
  free(states);
}

int kill_switch_add_metrics(struct kill_switch *kill_switch, struct agent_registry *registry,
                            struct growth_error *err)
{
  kill_switch->gauge = metrics_gauge(metrics_global(), "growth_agent_disabled",
                                     "1 while the agent's kill switch is on (launches skip it, its jobs wait)",
                                     "agent", err);
  if (!kill_switch->gauge)
    return -1;
  kill_switch->registry = registry;
  return metrics_add_collector(metrics_global(), collect, kill_switch, err);
}

void kill_switch_remove_metrics(struct kill_switch *kill_switch)
{
  if (!kill_switch || !kill_switch->gauge)
    return;
  metrics_remove_collector(metrics_global(), collect, kill_switch);
  free(kill_switch->shown);
  kill_switch->shown = NULL;
  kill_switch->shown_count = 0;
}
