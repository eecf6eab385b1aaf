/*
 * sse_test_server.c — growthd's HTTP server and event broadcaster behind four
 * test routes, for tests/sse/test_sse.py:
 *
 *   GET  /events                        subscribe (Last-Event-ID or ?lastEventId= resumes)
 *   POST /publish?count=N&size=S        publish N events with ids 1, 2, ... and S bytes of data each
 *   GET  /stats                         {"clients":N,"dropped":N,"published":N}
 *   GET  /metrics                       the metrics registry, as growthd serves it
 *
 *   sse_test_server CLIENT_BUFFER_BYTES HEARTBEAT_MS HISTORY
 *
 * It listens on a free loopback port, prints "port N" on stdout, and stops on
 * SIGTERM the way `growthd serve` does (http_server_stop with a 10 s drain).
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/api_handlers.h"
#include "http/server.h"
#include "http/sse_broadcaster.h"

#define MAX_EVENT_BYTES (1024 * 1024)

static struct sse_broadcaster *events;
static atomic_long next_id = 1;

static void subscribe(struct http_request *request, struct http_response *response)
{
  struct growth_error err = { 0 };
  bool resumed = false;
  struct sse_stream *stream = sse_broadcaster_subscribe(events, http_request_last_event_id(request), &resumed, &err);
  if (!stream) {
    http_respond_growth_error(response, &err);
    return;
  }
  http_respond_event_stream(response, stream);
  http_response_add_header(response, "X-Resumed", resumed ? "true" : "false");
}

static long query_number(struct http_request *request, const char *name, long fallback)
{
  const char *text = http_request_query(request, name);
  return text ? strtol(text, NULL, 10) : fallback;
}

static void publish(struct http_request *request, struct http_response *response)
{
  long count = query_number(request, "count", 1);
  long size = query_number(request, "size", 16);
  if (count < 1 || size < 1 || size > MAX_EVENT_BYTES) {
    http_respond_error(response, 400, "bad_argument", "count >= 1 and 1 <= size <= %d", MAX_EVENT_BYTES);
    return;
  }
  char *data = malloc((size_t)size);
  if (!data) {
    http_respond_error(response, 500, "no_memory", "out of memory");
    return;
  }
  long first = atomic_fetch_add(&next_id, count);
  for (long i = 0; i < count; i++) {
    char id[32];
    snprintf(id, sizeof id, "%ld", first + i);
    /* The data names its event, then repeats a letter: a client can check it arrived whole. */
    int head = snprintf(data, (size_t)size, "%s:", id);
    for (long at = head < size ? head : size; at < size; at++)
      data[at] = (char)('a' + (first + i) % 26);
    struct growth_error err = { 0 };
    if (sse_broadcaster_publish(events, id, "tick", data, (size_t)size, &err) != 0) {
      free(data);
      http_respond_growth_error(response, &err);
      return;
    }
  }
  free(data);
  http_respond_json(response, 200, json_pack("{s:I, s:I}", "first", (json_int_t)first, "count", (json_int_t)count));
}

static void stats(struct http_request *request, struct http_response *response)
{
  (void)request;
  http_respond_json(response, 200,
                    json_pack("{s:I, s:I, s:I}", "clients", (json_int_t)sse_broadcaster_clients(events), "dropped",
                              (json_int_t)sse_broadcaster_dropped(events), "published",
                              (json_int_t)(atomic_load(&next_id) - 1)));
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: sse_test_server CLIENT_BUFFER_BYTES HEARTBEAT_MS HISTORY\n");
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct growth_error err = { 0 };
  struct sse_broadcaster_options options = {
    .client_buffer_bytes = strtoul(argv[1], NULL, 10),
    .heartbeat_ms = strtol(argv[2], NULL, 10),
    .history = strtoul(argv[3], NULL, 10),
  };
  events = sse_broadcaster_new(&options, &err);
  struct router *router = router_new();
  if (!events || !router || router_add(router, "GET", "/events", (void *)subscribe) != 0 ||
      router_add(router, "POST", "/publish", (void *)publish) != 0 ||
      router_add(router, "GET", "/stats", (void *)stats) != 0 ||
      router_add(router, "GET", "/metrics", (void *)api_metrics) != 0) {
    fprintf(stderr, "sse_test_server: cannot start: %s\n", err.message);
    return 1;
  }
  struct http_server_options server_options = {
    .bind_address = "127.0.0.1", .port = 0, .threads = 2, .max_body_bytes = 1024, .router = router,
  };
  struct http_server *server = http_server_start(&server_options, &err);
  if (!server) {
    fprintf(stderr, "sse_test_server: %s\n", err.message);
    return 1;
  }
  printf("port %d\n", http_server_port(server));
  fflush(stdout);
  int signal_number = 0;
  while (sigwait(&stop, &signal_number) != 0)
    ;
  log_info("Server", "%s received: stopping", strsignal(signal_number));
  http_server_stop(server, 10000);
  sse_broadcaster_free(events);
  router_free(router);
  log_info("Server", "stopped");
  return 0;
}
