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
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/request_rules.h"

#define LISTEN_BACKLOG 1024
#define CONNECTION_TIMEOUT_S 30
#define DRAIN_POLL_MS 20
#define QUERY_ARGUMENTS_MAX 64
#define TARGET_MAX 8192

struct http_server {
  struct http_server_options options;
  struct MHD_Daemon *daemon;
  int listen_fd;
  int port;
  atomic_int in_flight;
  atomic_int stopping;
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
};

const char *http_request_query(const struct http_request *request, const char *name)
{
  return MHD_lookup_connection_value((struct MHD_Connection *)request->transport, MHD_GET_ARGUMENT_KIND, name);
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
  struct MHD_Response *response =
      MHD_create_response_from_buffer(out->body_length, out->body ? out->body : "", out->body ? MHD_RESPMEM_MUST_FREE
                                                                                              : MHD_RESPMEM_PERSISTENT);
  if (!response) {
    free(out->body);
    return MHD_NO;
  }
  if (out->content_type)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, out->content_type);
  for (size_t i = 0; i < out->header_count; i++)
    MHD_add_response_header(response, out->headers[i].name, out->headers[i].value);
  if (atomic_load(&server->stopping))
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result result = MHD_queue_response(connection, (unsigned)out->status, response);
  MHD_destroy_response(response);
  char printable_method[64];
  char printable_url[1024];
  log_access(printable(method, printable_method, sizeof printable_method),
             printable(url, printable_url, sizeof printable_url), out->status,
             clock_monotonic_ms_precise() - exchange->started_ms);
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
    http_respond_error(response, 413, "payload_too_large", "the request body is larger than %zu bytes "
                       "(GROWTH_MAX_BODY_BYTES)", server->options.max_body_bytes);
    return;
  }
  if (server->options.guard && server->options.guard(request, response))
    return;
  struct router_match match;
  enum router_result found = router_find(server->options.router, request->method, request->path, &match);
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
  server->listen_fd = bind_listen_socket(options->bind_address, options->port, err);
  if (server->listen_fd < 0)
    goto fail;
  server->port = bound_port(server->listen_fd);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
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
  free(server);
  return NULL;
}

int http_server_port(const struct http_server *server)
{
  return server->port;
}

void http_server_stop(struct http_server *server, long drain_ms)
{
  if (!server)
    return;
  atomic_store(&server->stopping, 1);
  MHD_socket fd = MHD_quiesce_daemon(server->daemon);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
  int64_t deadline = clock_monotonic_ms() + drain_ms;
  while (atomic_load(&server->in_flight) > 0 && clock_monotonic_ms() < deadline)
    usleep(DRAIN_POLL_MS * 1000);
  int left = atomic_load(&server->in_flight);
  if (left > 0)
    log_warn("HTTP", "%d requests still running after %ld ms; closing them", left, drain_ms);
  MHD_stop_daemon(server->daemon);
  free(server);
}
