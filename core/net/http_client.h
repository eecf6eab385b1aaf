/*
 * http_client.h — the one outbound HTTP client of growthd (libcurl).
 *
 * Every provider that talks to a remote API (Google, OpenAI, Twilio, ...)
 * sends its requests through one shared `struct http_client`. The client
 * keeps connections, DNS answers and TLS sessions in a curl share handle, so
 * any thread reuses a warm connection another thread opened; each request
 * uses a fresh easy handle, which makes the client safe to call from many
 * threads at once. TLS verification is always on (a CA file may be added).
 *
 * A request describes one call: method, URL, headers, one kind of body (JSON,
 * form fields, multipart or raw bytes), optional basic or bearer auth, and
 * whether it is safe to repeat. The client retries with truncated exponential
 * backoff and jitter on timeouts, dropped connections and 5xx answers when the
 * request is safe to repeat, and on 429 (and answers the caller's classifier
 * marks as rate limited, such as Google's 403 rateLimitExceeded) for any
 * request, honouring Retry-After (or the caller's retry_delay, such as OpenAI's
 * x-ratelimit-reset-* headers) up to a bound. Non-2xx answers that remain
 * become errors (struct growth_error with code, status and retryable) while
 * the response itself is still handed back so callers can read the body.
 */
#ifndef GROWTH_NET_HTTP_CLIENT_H
#define GROWTH_NET_HTTP_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "base/config.h"
#include "base/error.h"

struct http_client_options {
  long connect_timeout_ms;   /* 0: 5000 */
  long timeout_ms;           /* whole request, per attempt; 0: 30000 */
  int max_attempts;          /* 0: 4 */
  long backoff_ms;           /* first retry delay; 0: 500 */
  long backoff_max_ms;       /* cap of one delay; 0: 32000 */
  long retry_after_max_ms;   /* longest Retry-After honoured; 0: 60000 */
  const char *ca_file;       /* extra CA bundle (copied); NULL: the system's */
  const char *user_agent;    /* NULL: "growthd/<version>" */
};

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE };

enum http_auth { HTTP_AUTH_NONE, HTTP_AUTH_BASIC, HTTP_AUTH_BEARER };

/* Whether a request may be sent again after a timeout, reset or 5xx. */
enum http_repeat { HTTP_REPEAT_BY_METHOD, HTTP_REPEAT_SAFE, HTTP_REPEAT_UNSAFE };

enum http_multipart { HTTP_MULTIPART_FORM_DATA, HTTP_MULTIPART_RELATED };

struct http_header {
  const char *name;
  const char *value;
};

struct http_form_field {
  const char *name;
  const char *value;
};

/* One part of a multipart body. name/filename are used by form-data only. */
struct http_part {
  const char *name;
  const char *filename;
  const char *content_type;
  const void *data;
  size_t size;
};

/* What the client does with an answer (see http_request.classify). */
enum http_verdict { HTTP_VERDICT_DEFAULT, HTTP_VERDICT_FAIL, HTTP_VERDICT_RETRY, HTTP_VERDICT_RATE_LIMITED };

struct http_response {
  long status;
  char *body;             /* always NUL-terminated (body_size excludes it) */
  size_t body_size;
  char *headers;          /* raw header block of the final answer */
  int attempts;
};

typedef enum http_verdict (*http_classify_fn)(const struct http_response *response, void *context);

/* The wait in ms a rate-limited answer asks for by other means than Retry-After (OpenAI's
 * x-ratelimit-* headers, say); -1 when it asks for none (exponential backoff applies). */
typedef long (*http_delay_fn)(const struct http_response *response, void *context);

struct http_request {
  enum http_method method;
  const char *url;
  const struct http_header *headers;
  size_t header_count;
  /* At most one body kind: */
  json_t *json;                               /* application/json; charset=UTF-8 */
  const struct http_form_field *form;         /* application/x-www-form-urlencoded */
  size_t form_count;
  const struct http_part *parts;              /* multipart */
  size_t part_count;
  enum http_multipart multipart;
  const void *body;                           /* raw bytes with content_type */
  size_t body_size;
  const char *content_type;
  /* Auth: */
  enum http_auth auth;
  const char *username;                       /* basic */
  const char *password;                       /* basic */
  const char *bearer_token;                   /* bearer */
  /* Policy: */
  enum http_repeat repeat;
  long timeout_ms;                            /* 0: the client's */
  int max_attempts;                           /* 0: the client's */
  http_classify_fn classify;                  /* NULL: status codes only */
  void *classify_context;                     /* also handed to retry_delay */
  http_delay_fn retry_delay;                  /* NULL: Retry-After only */
  const char *what;                           /* names the call in errors, e.g. "sheets.append" */
};

struct http_client;

/* The options set by GROWTH_HTTP_* (strings point into cfg). */
void http_client_options_from_config(const struct config *cfg, struct http_client_options *options);

/* A new client; NULL with err on failure. Free with http_client_free. */
struct http_client *http_client_new(const struct http_client_options *options, struct growth_error *err);
void http_client_free(struct http_client *client);

/*
 * Sends the request, retrying as the policy allows. Returns 0 on a 2xx answer.
 * Returns -1 with err set when no acceptable answer came; response then holds
 * the last answer if there was one (status 0 if none). Either way the caller
 * frees response with http_response_free.
 */
int http_client_send(struct http_client *client, const struct http_request *request, struct http_response *response,
                     struct growth_error *err);

/* Parses the body as JSON. Returns a new reference, or NULL with a non-retryable err naming the call. */
json_t *http_response_json(const struct http_response *response, const char *what, struct growth_error *err);

/* The value of a header of the final answer (case-insensitive), copied into out; -1 when absent. */
int http_response_header(const struct http_response *response, const char *name, char *out, size_t size);

void http_response_free(struct http_response *response);

/* Retry-After as milliseconds: delta-seconds or an HTTP date; -1 when absent or unreadable. */
long http_retry_after_ms(const char *value, long long now_s);

/* The delay before retry number `retry` (1 = first): base*2^(retry-1) capped, with jitter in [half, full]. */
long http_backoff_ms(long base_ms, long max_ms, int retry, unsigned int random_value);

/* Percent-encodes text for a URL path segment or query value (RFC 3986 unreserved kept). Caller frees. */
char *http_escape(const char *text);

#endif
