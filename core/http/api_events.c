/*
 * api_events.c — GET /api/orchestrator/monitor (newest events first, from Redis) and GET
 * /api/orchestrator/events (the same events live as Server-Sent Events), and the /metrics collector of
 * queue depth.
 *
 * The monitor reads the stream backwards in pages: with no agent filter one page of `limit` is enough;
 * with one, pages of MONITOR_PAGE go on until `limit` events of that agent are found, the stream (or
 * `since`) is reached, or MONITOR_PAGES pages were read, so a rare agent costs a bounded scan.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "http/api_handlers.h"
#include "http/orchestrator_events.h"
#include "http/orchestrator_internal.h"
#include "http/sse_broadcaster.h"

#define MONITOR_PAGE 500
#define MONITOR_PAGES 20
#define MONITOR_LIMIT_DEFAULT 100

static int parse_limit(const char *text, long max, long *out)
{
  if (!text) {
    *out = MONITOR_LIMIT_DEFAULT < max ? MONITOR_LIMIT_DEFAULT : max;
    return 0;
  }
  char *end = NULL;
  long value = strtol(text, &end, 10);
  if (!*text || *end || value < 1 || value > max)
    return -1;
  *out = value;
  return 0;
}

static int valid_agent(const char *name)
{
  size_t length = strlen(name);
  return length > 0 && length < 64 && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                                          length;
}

void api_orchestrator_monitor(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  long limit = 0;
  const char *since = http_request_query(request, "since");
  const char *agent = http_request_query(request, "agent");
  if (parse_limit(http_request_query(request, "limit"), context->config->monitor_limit_max, &limit) != 0) {
    http_respond_error(response, 400, "bad_request", "limit must be a whole number from 1 to %ld",
                       context->config->monitor_limit_max);
    return;
  }
  if (since && !orchestrator_event_id_valid(since)) {
    http_respond_error(response, 400, "bad_request", "since must be an event id such as 1732000000000-0");
    return;
  }
  if (agent && !valid_agent(agent)) {
    http_respond_error(response, 400, "bad_request", "agent must be an agent name (letters, digits, '-', '_')");
    return;
  }
  struct growth_error err = { 0 };
  json_t *found = json_array();
  char before[ORCHESTRATOR_EVENT_ID_MAX] = "";
  int reached_end = 0;
  for (int page = 0; found && page < (agent ? MONITOR_PAGES : 1) && (long)json_array_size(found) < limit; page++) {
    json_t *events = NULL;
    long count = agent ? MONITOR_PAGE : limit;
    if (orchestrator_events_read(context->queue, before[0] ? before : NULL, since, count, &events, &err) != 0) {
      json_decref(found);
      http_respond_growth_error(response, &err);
      return;
    }
    size_t index;
    json_t *event;
    json_array_foreach(events, index, event) {
      const char *event_agent = json_string_value(json_object_get(event, "agent"));
      if ((long)json_array_size(found) < limit && (!agent || (event_agent && strcmp(event_agent, agent) == 0)))
        json_array_append(found, event);
      snprintf(before, sizeof before, "%s", json_string_value(json_object_get(event, "id")));
    }
    reached_end = (long)json_array_size(events) < count;
    json_decref(events);
    if (reached_end)
      break;
  }
  http_respond_json(response, 200,
                    json_pack("{s:I, s:o, s:s?, s:b}", "count", (json_int_t)json_array_size(found), "events", found,
                              "oldestId", json_array_size(found) ? before : NULL, "more", !reached_end));
}

void api_orchestrator_events(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  if (!context->events) {
    http_respond_error(response, 503, "unavailable", "the event stream is not running in this process");
    return;
  }
  struct sse_stream *stream = orchestrator_events_subscribe(context->events, http_request_last_event_id(request),
                                                            (long)context->config->monitor_limit_max, &err);
  if (!stream) {
    http_respond_growth_error(response, &err);
    return;
  }
  http_respond_event_stream(response, stream);
}

json_t *orchestrator_stream_json(const struct api_context *context)
{
  if (!context->broadcaster)
    return NULL;
  return json_pack("{s:I, s:I}", "clients", (json_int_t)sse_broadcaster_clients(context->broadcaster), "dropped",
                   (json_int_t)sse_broadcaster_dropped(context->broadcaster));
}

static struct metric *depth_gauge;

static void collect_depth(void *arg)
{
  struct api_context *context = arg;
  struct queue_counts counts;
  struct growth_error err = { 0 };
  if (queue_counts(context->queue, &counts, &err) != 0)
    return;
  for (int state = 0; state < QUEUE_STATE_COUNT; state++)
    metric_set(depth_gauge, (const char *[]){ context->config->queue_name, queue_state_name(state) },
               (double)counts.counts[state]);
}

int orchestrator_metrics_attach(struct api_context *context, struct growth_error *err)
{
  depth_gauge = metrics_gauge(metrics_global(), "growth_queue_jobs", "Jobs in the queue by state", "queue,state", err);
  if (!depth_gauge)
    return -1;
  return metrics_add_collector(metrics_global(), collect_depth, context, err);
}

void orchestrator_metrics_detach(struct api_context *context)
{
  metrics_remove_collector(metrics_global(), collect_depth, context);
}
