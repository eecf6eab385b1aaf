/*
 * server.h — the HTTP server: libmicrohttpd with a thread pool, a route table,
 * a body-size cap and a graceful stop.
 *
 * Every request goes through the same steps: a head that breaks the HTTP
 * rules of request_rules.h is refused (400 or 501) and the connection closed;
 * a target in absolute-form is routed by its path; a body over the cap is refused
 * with 413 (from Content-Length before anything is read, or as soon as a
 * streamed body passes the cap); the guard may answer first (feature flags,
 * auth); then the router gives 404, 405 with Allow, or the handler; a JSON body
 * that does not parse is 400 naming the line and column. One access-log line
 * is written per request.
 */
#ifndef GROWTH_HTTP_SERVER_H
#define GROWTH_HTTP_SERVER_H

#include <stddef.h>

#include "base/error.h"
#include "http/handler.h"
#include "http/router.h"

/* Answers the request itself and returns 1, or returns 0 to let routing go on. */
typedef int (*http_guard)(struct http_request *request, struct http_response *response);

struct http_server_options {
  const char *bind_address;
  int port;
  unsigned threads;
  size_t max_body_bytes;
  const struct router *router;   /* handlers are http_handler */
  http_guard guard;              /* may be NULL */
  void *context;                 /* given to handlers as request->context */
};

struct http_server;

/* Binds and starts serving. A port in use is ERR_CONFLICT with a message saying so. */
struct http_server *http_server_start(const struct http_server_options *options, struct growth_error *err);

/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *server);

/* Stops accepting, waits up to drain_ms for requests in flight, then stops and frees. */
void http_server_stop(struct http_server *server, long drain_ms);

#endif
