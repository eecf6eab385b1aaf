/*
 * api_metrics.c — GET /metrics: the process-wide metrics registry in the
 * Prometheus text format 0.0.4 (see base/metrics.h for how a layer adds its
 * own families).
 */
#include "base/metrics.h"
#include "http/api_handlers.h"

void api_metrics(struct http_request *request, struct http_response *response)
{
  (void)request;
  char *text = NULL;
  size_t length = 0;
  struct growth_error err = { 0 };
  if (metrics_render(metrics_global(), &text, &length, &err) != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  http_respond_bytes(response, 200, METRICS_CONTENT_TYPE, text, length);
  http_response_add_header(response, "Cache-Control", "no-store");
}
