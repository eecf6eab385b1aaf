/*
 * server.c — libmicrohttpd glue (see server.h).
 *
 * MHD calls the access handler several times per request: once with the
 * headers, then once per chunk of body, then once more with no data. A
 * per-request `struct exchange` lives across those calls. It is made by the
 * URI log callback as soon as the request line has arrived (see on_target),
 * and freed in the completion callback, which MHD calls for every request it
 * started, however it ended. The in-flight counter, which is what the
 * graceful stop waits on, counts requests whose head has arrived: it moves up
 * on the first access-handler call and down on completion.
 *
 * On that first call the head is checked against request_rules.h; a request
 * that breaks them is answered there, before its body is read.
 *
 * The listening socket is made here rather than by MHD so that "port in use"
 * is reported as such, and so that quiescing can close it while requests
 * already accepted run to the end.
 *
 * Every answer is counted in growth_http_requests_total and timed in
 * growth_http_request_duration_seconds, labelled by the route's pattern
 * ("/api/jobs/{id}", never the raw path, so a client cannot grow the number
 * of series), the method (unknown methods count as OTHER) and the status.
 *
 * Event streams (a handler's http_respond_event_stream) are responses fed by
 * a content-reader callback. When the stream has nothing to send, the reader
 * suspends the connection; a write to the stream resumes it (MHD_USE_ITC
 * wakes the polling thread), so thousands of idle streams hold no thread. The
 * server keeps a list of its open streams: stopping closes them all first, so
 * the graceful stop does not wait for clients that would never leave, and no
 * connection is left suspended when MHD stops (which MHD forbids).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/request_rules.h"
#include "http/sse.h"

#define LISTEN_BACKLOG 1024
#define CONNECTION_TIMEOUT_S 30
#define DRAIN_POLL_MS 20
#define STREAM_BLOCK_BYTES (16 * 1024)
#define STREAM_SOCKET_BUFFER_BYTES (64 * 1024)
#define UNMATCHED_ROUTE "unmatched"

/* One event stream being sent on one connection. */
struct stream_binding {
  struct http_server *server;
  struct MHD_Connection *connection;
  struct sse_stream *stream;
  struct stream_binding *prev;
  struct stream_binding *next;
};

#define QUERY_ARGUMENTS_MAX 64
#define TARGET_MAX 8192

struct http_server {
  struct http_server_options options;
  struct MHD_Daemon *daemon;
  int listen_fd;
  int port;
  atomic_int in_flight;
  atomic_int stopping;
  pthread_mutex_t streams_lock;
  struct stream_binding *streams;
  struct metric *requests;
  struct metric *durations;
  struct metric *in_flight_gauge;
};

struct exchange {
  double started_ms;
  char *body;
  size_t body_length;
  size_t body_capacity;
  int head_seen;        /* on_request has run once: the request counts as in flight */
  int target_too_long;  /* over TARGET_MAX bytes, or more than QUERY_ARGUMENTS_MAX query arguments */
  int too_large;
  int responded;        /* a response is queued; whatever MHD still delivers is dropped */
  const char *route;    /* the matched pattern, for metrics */
  int in_gauge;         /* counted in the in-flight gauge: until the response is queued, or the end */
};

const char *http_request_query(const struct http_request *request, const char *name)
{
  return MHD_lookup_connection_value((struct MHD_Connection *)request->transport, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const struct http_request *request, const char *name)
{
  return MHD_lookup_connection_value((struct MHD_Connection *)request->transport, MHD_HEADER_KIND, name);
}

const char *http_request_cookie(const struct http_request *request, const char *name)
{
  return MHD_lookup_connection_value((struct MHD_Connection *)request->transport, MHD_COOKIE_KIND, name);
}

const char *http_request_last_event_id(const struct http_request *request)
{
  const char *id = http_request_header(request, "Last-Event-ID");
  return id ? id : http_request_query(request, "lastEventId");
}

static int bind_listen_socket(const char *address, int port, struct growth_error *err)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, address, &sin.sin_addr) != 1)
    return error_set(err, ERR_BAD_CONFIG, "GROWTH_BIND_ADDRESS: '%s' is not an IPv4 address; expected e.g. 0.0.0.0",
                     address);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error_set(err, ERR_IO, "cannot create the listening socket: %s", strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    int saved = errno;
    close(fd);
    if (saved == EADDRINUSE)
      return error_set(err, ERR_CONFLICT, "port %d is already in use on %s; stop the other server or set PORT",
                       port, address);
    return error_set(err, ERR_IO, "cannot bind %s:%d: %s", address, port, strerror(saved));
  }
  if (listen(fd, LISTEN_BACKLOG) != 0) {
    int saved = errno;
    close(fd);
    return error_set(err, ERR_IO, "cannot listen on %s:%d: %s", address, port, strerror(saved));
  }
  return fd;
}

static int bound_port(int fd)
{
  struct sockaddr_in sin;
  socklen_t length = sizeof sin;
  if (getsockname(fd, (struct sockaddr *)&sin, &length) != 0)
    return -1;
  return ntohs(sin.sin_port);
}

/* The method as a metrics label: a known verb, or OTHER, so clients cannot invent label values. */
static const char *method_label(const char *method)
{
  static const char *const known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(method, known[i]) == 0)
      return known[i];
  return "OTHER";
}

/* The gauge drops when the answer is queued, before the client can see it, so a scrape that follows
 * a finished request never still counts it; a request that ends without an answer drops at the end. */
static void leave_gauge(struct http_server *server, struct exchange *exchange)
{
  if (exchange->in_gauge) {
    exchange->in_gauge = 0;
    metric_add(server->in_flight_gauge, NULL, -1);
  }
}

static void record(struct http_server *server, struct exchange *exchange, const char *method, int status,
                   double latency_ms)
{
  char status_text[8];
  snprintf(status_text, sizeof status_text, "%d", status);
  const char *labels[] = { method_label(method), exchange->route ? exchange->route : UNMATCHED_ROUTE, status_text };
  metric_inc(server->requests, labels);
  metric_observe(server->durations, labels, latency_ms / 1000.0);
  leave_gauge(server, exchange);
}

static void stream_suspend(void *context)
{
  MHD_suspend_connection(context);
}

static void stream_resume(void *context)
{
  MHD_resume_connection(context);
}

static ssize_t stream_read(void *cls, uint64_t position, char *buffer, size_t max)
{
  (void)position;
  struct stream_binding *binding = cls;
  ssize_t count = sse_stream_read(binding->stream, buffer, max);
  if (count == SSE_STREAM_END)
    return MHD_CONTENT_READER_END_OF_STREAM;
  if (count == SSE_STREAM_ERROR)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  return count;
}

/* MHD is done with the response: the connection ended, however it ended. */
static void stream_finished(void *cls)
{
  struct stream_binding *binding = cls;
  struct http_server *server = binding->server;
  pthread_mutex_lock(&server->streams_lock);
  if (binding->prev)
    binding->prev->next = binding->next;
  else
    server->streams = binding->next;
  if (binding->next)
    binding->next->prev = binding->prev;
  pthread_mutex_unlock(&server->streams_lock);
  sse_stream_detach(binding->stream);
  sse_stream_release(binding->stream);
  free(binding);
}

/* A small socket send buffer keeps a slow client's backlog in the stream, where its bound applies. */
static void limit_send_buffer(struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  int size = STREAM_SOCKET_BUFFER_BYTES;
  if (info)
    setsockopt(info->connect_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

static struct MHD_Response *stream_response(struct http_server *server, struct MHD_Connection *connection,
                                            struct sse_stream *stream)
{
  struct stream_binding *binding = calloc(1, sizeof *binding);
  if (!binding) {
    sse_stream_release(stream);
    return NULL;
  }
  *binding = (struct stream_binding){ .server = server, .connection = connection, .stream = stream };
  struct MHD_Response *response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, stream_read,
                                                                    binding, stream_finished);
  if (!response) {
    sse_stream_release(stream);
    free(binding);
    return NULL;
  }
  sse_stream_attach(stream, &(struct sse_transport){ stream_suspend, stream_resume, connection });
  limit_send_buffer(connection);
  pthread_mutex_lock(&server->streams_lock);
  binding->next = server->streams;
  if (server->streams)
    server->streams->prev = binding;
  server->streams = binding;
  if (atomic_load(&server->stopping))
    sse_stream_close(stream);   /* accepted just as the server began to stop */
  pthread_mutex_unlock(&server->streams_lock);
  return response;
}

/* A copy of text for the log, cut to size, with control bytes as '?': a client's CR LF must not
   start a log line of its own. */
static const char *printable(const char *text, char *copy, size_t size)
{
  size_t i = 0;
  for (; text[i] && i < size - 1; i++)
    copy[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
  copy[i] = '\0';
  return copy;
}

static enum MHD_Result send_response(struct http_server *server, struct MHD_Connection *connection,
                                     struct exchange *exchange, const char *method, const char *url,
                                     struct http_response *out)
{
  struct MHD_Response *response;
  if (out->stream) {
    free(out->body);
    response = stream_response(server, connection, out->stream);
  } else {
    response = MHD_create_response_from_buffer(out->body_length, out->body ? out->body : "",
                                               out->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!response)
      free(out->body);
  }
  if (!response)
    return MHD_NO;
  if (out->content_type)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, out->content_type);
  for (size_t i = 0; i < out->header_count; i++)
    MHD_add_response_header(response, out->headers[i].name, out->headers[i].value);
  if (atomic_load(&server->stopping))
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result result = MHD_queue_response(connection, (unsigned)out->status, response);
  MHD_destroy_response(response);
  double latency_ms = clock_monotonic_ms_precise() - exchange->started_ms;
  char printable_method[64];
  char printable_url[1024];
  log_access(printable(method, printable_method, sizeof printable_method),
             printable(url, printable_url, sizeof printable_url), out->status, latency_ms);
  record(server, exchange, method, out->status, latency_ms);
  return result;
}

static int is_json_request(struct MHD_Connection *connection)
{
  const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  return !type || strcasestr(type, "json") != NULL;  /* media types are case-insensitive (RFC 9110 8.3.1) */
}

static void route_request(struct http_server *server, struct MHD_Connection *connection, struct exchange *exchange,
                          struct http_request *request, struct http_response *response)
{
  if (exchange->too_large) {
    struct router_match sized;
    router_find(server->options.router, request->method, request->path, &sized);
    exchange->route = sized.pattern;
    http_respond_error(response, 413, "payload_too_large", "the request body is larger than %zu bytes "
                       "(GROWTH_MAX_BODY_BYTES)", server->options.max_body_bytes);
    return;
  }
  struct router_match match;
  enum router_result found = router_find(server->options.router, request->method, request->path, &match);
  exchange->route = match.pattern;
  if (server->options.guard && server->options.guard(request, response))
    return;
  if (found == ROUTER_NOT_FOUND) {
    http_respond_error(response, 404, "not_found", "no route for %s %s", request->method, request->path);
    return;
  }
  if (found == ROUTER_WRONG_METHOD) {
    http_response_add_header(response, "Allow", match.allow);
    http_respond_error(response, 405, "method_not_allowed", "%s is not allowed on %s; allowed: %s", request->method,
                       request->path, match.allow);
    return;
  }
  request->params = match.params;
  if (request->body_length > 0 && is_json_request(connection)) {
    char reason[256];
    request->json = http_parse_json_body(request->body, request->body_length, reason, sizeof reason);
    if (!request->json) {
      http_respond_error(response, 400, "invalid_json", "the request body is not valid JSON: %s", reason);
      return;
    }
  }
  ((http_handler)match.handler)(request, response);
}

static enum MHD_Result dispatch(struct http_server *server, struct MHD_Connection *connection,
                                struct exchange *exchange, const char *method, const char *url)
{
  struct http_request request = {
    .method = method,
    .path = request_rules_path(url),
    .body = exchange->body,
    .body_length = exchange->body_length,
    .context = server->options.context,
    .transport = connection,
  };
  struct http_response response = { .status = 500 };
  exchange->responded = 1;
  route_request(server, connection, exchange, &request, &response);
  json_decref(request.json);
  return send_response(server, connection, exchange, method, url, &response);
}

/* Appends a chunk of body, or marks the request too large once the cap is passed (the rest is discarded). */
static int append_body(struct http_server *server, struct exchange *exchange, const char *data, size_t size)
{
  if (exchange->too_large || exchange->body_length + size > server->options.max_body_bytes) {
    exchange->too_large = 1;
    return 0;
  }
  if (exchange->body_length + size + 1 > exchange->body_capacity) {
    size_t capacity = exchange->body_capacity ? exchange->body_capacity : 4096;
    while (capacity < exchange->body_length + size + 1)
      capacity *= 2;
    char *grown = realloc(exchange->body, capacity);
    if (!grown)
      return -1;
    exchange->body = grown;
    exchange->body_capacity = capacity;
  }
  memcpy(exchange->body + exchange->body_length, data, size);
  exchange->body_length += size;
  exchange->body[exchange->body_length] = '\0';
  return 0;
}

static int declared_too_large(struct http_server *server, struct MHD_Connection *connection)
{
  const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (!length)
    return 0;
  char *end = NULL;
  unsigned long long declared = strtoull(length, &end, 10);
  return end != length && declared > server->options.max_body_bytes;
}

/* Answers a request that breaks request_rules before its body is read, and closes the connection: after
   a framing error (two Content-Length, say) nothing that follows on it can be trusted. */
static enum MHD_Result reject(struct http_server *server, struct MHD_Connection *connection,
                              struct exchange *exchange, const char *method, const char *url,
                              struct http_response *response)
{
  exchange->responded = 1;
  http_response_add_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
  return send_response(server, connection, exchange, method, url, response);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
  struct http_server *server = cls;
  struct exchange *exchange = *con_cls;
  if (!exchange) {
    exchange = calloc(1, sizeof *exchange);
    if (!exchange)
      return MHD_NO;
    *con_cls = exchange;
  }
  if (!exchange->head_seen) {
    exchange->head_seen = 1;
    exchange->started_ms = clock_monotonic_ms_precise();
    atomic_fetch_add(&server->in_flight, 1);
    metric_add(server->in_flight_gauge, NULL, 1);
    exchange->in_gauge = 1;
    struct http_response rejection = { .status = 500 };
    if (exchange->target_too_long) {
      http_respond_error(&rejection, 414, "uri_too_long", "the request target is longer than %d bytes or its "
                         "query has more than %d arguments", TARGET_MAX, QUERY_ARGUMENTS_MAX);
      return reject(server, connection, exchange, method, url, &rejection);
    }
    if (request_rules_check(connection, method, version, url, &rejection) != 0)
      return reject(server, connection, exchange, method, url, &rejection);
    if (declared_too_large(server, connection)) {
      /* Answer before the client sends the body; MHD closes the connection afterwards. */
      exchange->too_large = 1;
      return dispatch(server, connection, exchange, method, url);
    }
    return MHD_YES;
  }
  if (exchange->responded) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (append_body(server, exchange, upload_data, *upload_data_size) != 0)
      return MHD_NO;
    *upload_data_size = 0;
    return MHD_YES;
  }
  return dispatch(server, connection, exchange, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
  (void)connection;
  (void)code;
  struct http_server *server = cls;
  struct exchange *exchange = *con_cls;
  if (!exchange)
    return;
  leave_gauge(server, exchange);
  if (exchange->head_seen)
    atomic_fetch_sub(&server->in_flight, 1);
  free(exchange->body);
  free(exchange);
  *con_cls = NULL;
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: sees the raw target before libmicrohttpd splits
 * its query into arguments; what it returns becomes the request's con_cls.
 * libmicrohttpd 0.9.75 takes each argument from the connection's 32 KB memory
 * pool, which also holds the request line, and when the pool runs out (about
 * 480 "a=1&" pairs, or 64 after a 31 KB path) it queues a 431 that its state
 * machine then overwrites: the client never gets an answer and the connection
 * hangs until the 30 s timeout. So a target longer than TARGET_MAX or with
 * more than QUERY_ARGUMENTS_MAX arguments has its query cut off here, in place
 * (the target is libmicrohttpd's own writable read buffer), and on_request
 * answers 414. A raw NUL before the '?' hides the query from this check; such
 * a request still only holds its connection until the timeout.
 */
static void *on_target(void *cls, const char *target, struct MHD_Connection *connection)
{
  (void)cls;
  (void)connection;
  struct exchange *exchange = calloc(1, sizeof *exchange);
  char *query = strchr(target, '?');
  size_t arguments = query && query[1] ? 1 : 0;
  for (const char *p = query ? query + 1 : ""; *p; p++)
    arguments += *p == '&';
  if (strlen(target) <= TARGET_MAX && arguments <= QUERY_ARGUMENTS_MAX)
    return exchange;
  if (query)
    query[1] = '\0';
  if (exchange)
    exchange->target_too_long = 1;
  return exchange;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  (void)cls;
  char message[512];
  vsnprintf(message, sizeof message, fmt, ap);
  size_t length = strlen(message);
  while (length > 0 && message[length - 1] == '\n')
    message[--length] = '\0';
  log_debug("HTTP", "libmicrohttpd: %s", message);
}

struct http_server *http_server_start(const struct http_server_options *options, struct growth_error *err)
{
  struct http_server *server = calloc(1, sizeof *server);
  if (!server) {
    error_set(err, ERR_NO_MEMORY, "http server: out of memory");
    return NULL;
  }
  server->options = *options;
  pthread_mutex_init(&server->streams_lock, NULL);
  struct metrics_registry *registry = metrics_global();
  server->requests = metrics_counter(registry, "growth_http_requests_total",
                                     "HTTP requests answered, by method, route pattern and status",
                                     "method,route,status", NULL);
  server->durations = metrics_histogram(registry, "growth_http_request_duration_seconds",
                                        "Time from a request's headers to its answer (to the start of an event "
                                        "stream), by method, route pattern and status", "method,route,status", NULL,
                                        0, NULL);
  server->in_flight_gauge = metrics_gauge(registry, "growth_http_requests_in_flight",
                                          "HTTP requests being handled, event streams included", NULL, NULL);
  server->listen_fd = bind_listen_socket(options->bind_address, options->port, err);
  if (server->listen_fd < 0)
    goto fail;
  server->port = bound_port(server->listen_fd);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME;
  server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, server,
                                    MHD_OPTION_LISTEN_SOCKET, server->listen_fd,
                                    MHD_OPTION_THREAD_POOL_SIZE, options->threads,
                                    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
                                    MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
                                    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                    MHD_OPTION_UNESCAPE_CALLBACK, request_rules_unescape, NULL,
                                    MHD_OPTION_URI_LOG_CALLBACK, on_target, server,
                                    MHD_OPTION_END);
  if (!server->daemon) {
    error_set(err, ERR_INTERNAL, "cannot start the HTTP server on %s:%d", options->bind_address, options->port);
    close(server->listen_fd);
    goto fail;
  }
  return server;

fail:
  pthread_mutex_destroy(&server->streams_lock);
  free(server);
  return NULL;
}

int http_server_port(const struct http_server *server)
{
  return server->port;
}

/* Ends every event stream: each sends what it holds, then its end, and its connection completes. */
static void close_streams(struct http_server *server)
{
  pthread_mutex_lock(&server->streams_lock);
  int count = 0;
  for (struct stream_binding *binding = server->streams; binding; binding = binding->next) {
    if (sse_stream_open(binding->stream))
      count++;
    sse_stream_close(binding->stream);
  }
  pthread_mutex_unlock(&server->streams_lock);
  if (count > 0)
    log_info("HTTP", "closed %d event streams", count);
}

void http_server_stop(struct http_server *server, long drain_ms)
{
  if (!server)
    return;
  atomic_store(&server->stopping, 1);
  MHD_socket fd = MHD_quiesce_daemon(server->daemon);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
  close_streams(server);
  int64_t deadline = clock_monotonic_ms() + drain_ms;
  while (atomic_load(&server->in_flight) > 0 && clock_monotonic_ms() < deadline)
    usleep(DRAIN_POLL_MS * 1000);
  int left = atomic_load(&server->in_flight);
  if (left > 0)
    log_warn("HTTP", "%d requests still running after %ld ms; closing them", left, drain_ms);
  close_streams(server);   /* any stream that began while draining */
  MHD_stop_daemon(server->daemon);
  pthread_mutex_destroy(&server->streams_lock);
  free(server);
}
