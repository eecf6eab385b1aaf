/*
 * response.c — building JSON responses and JSON error bodies (see handler.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "http/handler.h"
#include "http/sse.h"

static const char JSON_TYPE[] = "application/json; charset=utf-8";

void http_respond_bytes(struct http_response *response, int status, const char *content_type, char *body,
                        size_t length)
{
  free(response->body);
  response->status = status;
  response->content_type = content_type;
  response->body = body;
  response->body_length = length;
}

/* The last resort when memory runs out while building a response: a body the server can send as is. */
static void respond_out_of_memory(struct http_response *response)
{
  static const char text[] = "{\"error\":{\"code\":\"no_memory\",\"message\":\"out of memory building the response\"}}";
  char *body = strdup(text);
  http_respond_bytes(response, 500, JSON_TYPE, body, body ? strlen(body) : 0);
}

void http_respond_json(struct http_response *response, int status, json_t *value)
{
  char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
  json_decref(value);
  if (!text) {
    respond_out_of_memory(response);
    return;
  }
  http_respond_bytes(response, status, JSON_TYPE, text, strlen(text));
}

static void respond_error_text(struct http_response *response, int status, const char *code, const char *message)
{
  json_t *message_value = json_text_lossy(message);
  http_respond_json(response, status, json_pack("{s:{s:s, s:o}}", "error", "code", code, "message", message_value));
}

void http_respond_error(struct http_response *response, int status, const char *code, const char *fmt, ...)
{
  char message[ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  respond_error_text(response, status, code, message);
}

int http_status_for_error(enum error_code code)
{
  switch (code) {
  case ERR_BAD_ARGUMENT: return 400;
  case ERR_UNAUTHORIZED: return 401;
  case ERR_FORBIDDEN: return 403;
  case ERR_NOT_FOUND: return 404;
  case ERR_CONFLICT: return 409;
  case ERR_TOO_LARGE: return 413;
  case ERR_RATE_LIMITED: return 429;
  case ERR_UNAVAILABLE:
  case ERR_TIMEOUT: return 503;
  case ERR_UPSTREAM: return 502;
  default: return 500;
  }
}

void http_respond_growth_error(struct http_response *response, const struct growth_error *err)
{
  respond_error_text(response, http_status_for_error(err->code), error_code_name(err->code), err->message);
}

void http_respond_event_stream(struct http_response *response, struct sse_stream *stream)
{
  free(response->body);
  response->body = NULL;
  response->body_length = 0;
  if (response->stream)
    sse_stream_release(response->stream);
  response->stream = stream;
  response->status = 200;
  response->content_type = SSE_CONTENT_TYPE;
  http_response_add_header(response, "Cache-Control", "no-cache");
  http_response_add_header(response, "X-Accel-Buffering", "no");
}

void http_response_add_header(struct http_response *response, const char *name, const char *value)
{
  if (response->header_count == HTTP_EXTRA_HEADERS)
    return;
  response->headers[response->header_count].name = name;
  snprintf(response->headers[response->header_count].value, sizeof response->headers[0].value, "%s", value);
  response->header_count++;
}

json_t *http_parse_json_body(const char *body, size_t length, char *message, size_t message_size)
{
  json_error_t error;
  json_t *value = json_loadb(body, length, JSON_DECODE_ANY, &error);
  if (!value)
    snprintf(message, message_size, "line %d, column %d: %s", error.line, error.column, error.text);
  return value;
}
