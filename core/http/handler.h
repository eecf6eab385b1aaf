/*
 * handler.h — what a route handler sees and fills in.
 *
 * Handlers get a parsed request (path parameters, the JSON body when one was
 * sent) and fill a response: a status, a body they allocated with malloc (the
 * server frees it) and a few headers. They never touch libmicrohttpd, so they
 * can be tested without a socket. The response helpers build JSON with
 * jansson, and every error has the shape {"error":{"code":"...","message":"..."}}.
 */
#ifndef GROWTH_HTTP_HANDLER_H
#define GROWTH_HTTP_HANDLER_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "http/router.h"

struct sse_stream;

struct http_request {
  const char *method;
  const char *path;
  struct route_params params;
  const char *body;         /* NUL-terminated copy of the body, or NULL */
  size_t body_length;
  json_t *json;             /* the parsed body when it was JSON, else NULL */
  void *context;            /* the server's application context */
  const void *transport;    /* opaque, for http_request_query and http_request_header */
  char principal[72];       /* the API key's name once access control let the request in; "" when open */
};

#define HTTP_EXTRA_HEADERS 6

struct http_response {
  int status;
  char *body;               /* malloc'd; the server frees it */
  size_t body_length;
  const char *content_type; /* static string */
  struct {
    const char *name;       /* static string */
    char value[256];
  } headers[HTTP_EXTRA_HEADERS];
  size_t header_count;
  struct sse_stream *stream; /* an event stream instead of a body (http_respond_event_stream) */
};

typedef void (*http_handler)(struct http_request *request, struct http_response *response);

/* A query-string argument, or NULL (implemented by the server). */
const char *http_request_query(const struct http_request *request, const char *name);

/* A request header (case-insensitive name), or NULL (implemented by the server). */
const char *http_request_header(const struct http_request *request, const char *name);

/* A cookie sent with the request, or NULL (implemented by the server). */
const char *http_request_cookie(const struct http_request *request, const char *name);

/* The Last-Event-ID header of an event-stream request, or its lastEventId query argument (for clients that
 * cannot set headers), or NULL. */
const char *http_request_last_event_id(const struct http_request *request);

/* Sends value as JSON with status; takes the reference to value. */
void http_respond_json(struct http_response *response, int status, json_t *value);

/* Sends {"error":{"code":code,"message":...}} with status. */
void http_respond_error(struct http_response *response, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sends a growth_error with the status that fits its code (400, 404, 503, ...). */
void http_respond_growth_error(struct http_response *response, const struct growth_error *err);

/* Sends bytes the caller allocated with malloc; takes ownership of body. */
void http_respond_bytes(struct http_response *response, int status, const char *content_type, char *body,
                        size_t length);

/* Answers with a Server-Sent Events stream (see sse.h): 200, text/event-stream, no caching. Takes the
 * caller's reference to stream; the server drains it until it closes, is dropped, or the client leaves. */
void http_respond_event_stream(struct http_response *response, struct sse_stream *stream);

/* Adds a header; the name must be a static string. */
void http_response_add_header(struct http_response *response, const char *name, const char *value);

/* The HTTP status that fits an error code. */
int http_status_for_error(enum error_code code);

/* Parses body as JSON; on error returns NULL and writes "line L, column C: reason" into message. */
json_t *http_parse_json_body(const char *body, size_t length, char *message, size_t message_size);

#endif
