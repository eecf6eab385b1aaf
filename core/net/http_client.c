/*
 * http_client.c — requests, retries and connection reuse (see http_client.h).
 *
 * Connection reuse: one curl share handle holds the connection cache, DNS
 * cache and TLS sessions; libcurl calls our lock callbacks (one mutex per kind
 * of shared data) around every access. Each attempt makes an easy handle,
 * attaches the share, and frees the handle after; the connection goes back to
 * the shared cache and the next attempt of any thread picks it up.
 * CURLOPT_MAXCONNECTS is raised because an easy handle's default (a handful)
 * would otherwise close pooled connections when many threads run at once.
 * A request that is not safe to repeat goes on a fresh connection: libcurl
 * silently sends a request again when a reused connection closes before any
 * answer byte, which for a POST whose answer was lost (the server applied it)
 * would apply it twice. The fresh connection then joins the pool.
 *
 * The body is prepared once per send (JSON text, form text, multipart bytes)
 * and reused by every attempt; only form-data mime objects belong to an easy
 * handle and are rebuilt per attempt.
 *
 * Every attempt is counted on /metrics as growth_external_requests_total{api,result}: api is the first
 * word of the request's `what` ("sheets" of "sheets.append", "google" of "google token"), a fixed set
 * named in the code, and result is ok, rate_limited (429, or the API's own rate-limit answer) or error.
 */
#include "net/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "net/http_outcome.h"
#include "net/multipart.h"

#define MAX_BODY_BYTES (64L * 1024 * 1024)
#define MAX_CONNECTIONS 256L

struct http_client {
  struct http_client_options options;
  char *ca_file;
  char user_agent[64];
  CURLSH *share;
  pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_OK;
static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;
static struct metric *requests_counter;

static void global_init(void)
{
  global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *context)
{
  (void)handle;
  (void)access;
  struct http_client *client = context;
  pthread_mutex_lock(&client->locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *context)
{
  (void)handle;
  struct http_client *client = context;
  pthread_mutex_unlock(&client->locks[data]);
}

static long or_default(long value, long fallback)
{
  return value > 0 ? value : fallback;
}

void http_client_options_from_config(const struct config *cfg, struct http_client_options *options)
{
  memset(options, 0, sizeof *options);
  options->connect_timeout_ms = cfg->http_connect_timeout_ms;
  options->timeout_ms = cfg->http_timeout_ms;
  options->max_attempts = (int)cfg->http_max_attempts;
  options->backoff_ms = cfg->http_backoff_ms;
  options->backoff_max_ms = cfg->http_backoff_max_ms;
  options->retry_after_max_ms = cfg->http_retry_after_max_ms;
  options->ca_file = cfg->http_ca_file;
}

struct http_client *http_client_new(const struct http_client_options *options, struct growth_error *err)
{
  pthread_once(&global_once, global_init);
  if (global_result != CURLE_OK) {
    error_set(err, ERR_INTERNAL, "http client: curl_global_init failed (%s)", curl_easy_strerror(global_result));
    return NULL;
  }
  struct http_client *client = calloc(1, sizeof *client);
  if (!client)
    goto fail_client;
  client->options = *options;
  client->options.connect_timeout_ms = or_default(options->connect_timeout_ms, 5000);
  client->options.timeout_ms = or_default(options->timeout_ms, 30000);
  client->options.max_attempts = (int)or_default(options->max_attempts, 4);
  client->options.backoff_ms = or_default(options->backoff_ms, 500);
  client->options.backoff_max_ms = or_default(options->backoff_max_ms, 32000);
  client->options.retry_after_max_ms = or_default(options->retry_after_max_ms, 60000);
  client->options.ca_file = NULL;
  client->options.user_agent = NULL;
  snprintf(client->user_agent, sizeof client->user_agent, "%s",
           options->user_agent ? options->user_agent : "growthd/" GROWTH_VERSION);
  if (options->ca_file && !(client->ca_file = strdup(options->ca_file)))
    goto fail_ca;
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init(&client->locks[i], NULL);
  client->share = curl_share_init();
  if (!client->share)
    goto fail_share;
  curl_share_setopt(client->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt(client->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt(client->share, CURLSHOPT_USERDATA, client);
  curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return client;

fail_share:
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy(&client->locks[i]);
  free(client->ca_file);
fail_ca:
  free(client);
fail_client:
  error_set(err, ERR_NO_MEMORY, "http client: out of memory");
  return NULL;
}

void http_client_free(struct http_client *client)
{
  if (!client)
    return;
  curl_share_cleanup(client->share);
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy(&client->locks[i]);
  free(client->ca_file);
  free(client);
}

/* ---- one attempt ---- */

struct buffer {
  char *data;
  size_t size;
  size_t capacity;
  int too_large;
};

static int buffer_append(struct buffer *buffer, const char *data, size_t size)
{
  if (buffer->size + size + 1 > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 1024;
    while (capacity < buffer->size + size + 1)
      capacity *= 2;
    char *grown = realloc(buffer->data, capacity);
    if (!grown)
      return -1;
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->size, data, size);
  buffer->size += size;
  buffer->data[buffer->size] = '\0';
  return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *context)
{
  struct buffer *buffer = context;
  size_t length = size * count;
  if (buffer->size + length > (size_t)MAX_BODY_BYTES) {
    buffer->too_large = 1;
    return 0;
  }
  return buffer_append(buffer, data, length) == 0 ? length : 0;
}

/* Keeps only the header block of the last answer (after redirects or 100 Continue). */
static size_t on_header(char *data, size_t size, size_t count, void *context)
{
  struct buffer *buffer = context;
  size_t length = size * count;
  if (length >= 5 && memcmp(data, "HTTP/", 5) == 0)
    buffer->size = 0;
  return buffer_append(buffer, data, length) == 0 ? length : 0;
}

/* The body prepared once for every attempt. */
struct prepared {
  char *text;                 /* JSON or form text, or NULL */
  struct multipart_body related;
  const void *data;
  size_t size;
  char content_type[160];
  struct curl_slist *headers;
};

static int prepare_form(const struct http_request *request, struct prepared *prepared, struct growth_error *err)
{
  struct buffer text = { 0 };
  for (size_t i = 0; i < request->form_count; i++) {
    char *name = http_escape(request->form[i].name);
    char *value = http_escape(request->form[i].value ? request->form[i].value : "");
    int failed = !name || !value || (i > 0 && buffer_append(&text, "&", 1) != 0) ||
                 buffer_append(&text, name, strlen(name)) != 0 || buffer_append(&text, "=", 1) != 0 ||
                 buffer_append(&text, value, strlen(value)) != 0;
    free(name);
    free(value);
    if (failed) {
      free(text.data);
      return error_set(err, ERR_NO_MEMORY, "%s: out of memory encoding the form", request->what);
    }
  }
  if (!text.data && buffer_append(&text, "", 0) != 0)
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory encoding the form", request->what);
  prepared->text = text.data;
  prepared->data = text.data;
  prepared->size = text.size;
  snprintf(prepared->content_type, sizeof prepared->content_type, "application/x-www-form-urlencoded");
  return 0;
}

static int add_header(struct prepared *prepared, const char *name, const char *value, struct growth_error *err)
{
  char line[8192];
  int length = snprintf(line, sizeof line, "%s: %s", name, value);
  if (length < 0 || (size_t)length >= sizeof line)
    return error_set(err, ERR_BAD_ARGUMENT, "request header %s is longer than %zu bytes", name, sizeof line);
  struct curl_slist *grown = curl_slist_append(prepared->headers, line);
  if (!grown)
    return error_set(err, ERR_NO_MEMORY, "out of memory adding header %s", name);
  prepared->headers = grown;
  return 0;
}

static int prepare(const struct http_request *request, struct prepared *prepared, struct growth_error *err)
{
  memset(prepared, 0, sizeof *prepared);
  int kinds = (request->json != NULL) + (request->form_count > 0) + (request->part_count > 0) +
              (request->body != NULL);
  if (kinds > 1)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: the request has %d kinds of body; expected at most one",
                     request->what, kinds);
  if (request->json) {
    prepared->text = json_dumps(request->json, JSON_COMPACT);
    if (!prepared->text)
      return error_set(err, ERR_BAD_ARGUMENT, "%s: the JSON body cannot be encoded", request->what);
    prepared->data = prepared->text;
    prepared->size = strlen(prepared->text);
    snprintf(prepared->content_type, sizeof prepared->content_type, "application/json; charset=UTF-8");
  } else if (request->form_count > 0) {
    if (prepare_form(request, prepared, err) != 0)
      return -1;
  } else if (request->part_count > 0 && request->multipart == HTTP_MULTIPART_RELATED) {
    if (multipart_build_related(request->parts, request->part_count, &prepared->related, err) != 0)
      return error_prefix(err, "%s", request->what);
    prepared->data = prepared->related.data;
    prepared->size = prepared->related.size;
    snprintf(prepared->content_type, sizeof prepared->content_type, "%s", prepared->related.content_type);
  } else if (request->body) {
    prepared->data = request->body;
    prepared->size = request->body_size;
    snprintf(prepared->content_type, sizeof prepared->content_type, "%s",
             request->content_type ? request->content_type : "application/octet-stream");
  }
  if (prepared->content_type[0] && add_header(prepared, "Content-Type", prepared->content_type, err) != 0)
    return -1;
  /* No "Expect: 100-continue" round trip: APIs answer directly and the wait would cost a second. */
  if (add_header(prepared, "Expect", "", err) != 0)
    return -1;
  for (size_t i = 0; i < request->header_count; i++)
    if (add_header(prepared, request->headers[i].name, request->headers[i].value, err) != 0)
      return -1;
  if (request->auth == HTTP_AUTH_BEARER) {
    if (!request->bearer_token || !*request->bearer_token)
      return error_set(err, ERR_BAD_ARGUMENT, "%s: bearer auth without a token", request->what);
    char value[4096];
    snprintf(value, sizeof value, "Bearer %s", request->bearer_token);
    if (add_header(prepared, "Authorization", value, err) != 0)
      return -1;
  }
  return 0;
}

static void prepared_free(struct prepared *prepared)
{
  if (prepared->text)
    free(prepared->text);
  multipart_free(&prepared->related);
  curl_slist_free_all(prepared->headers);
}

static const char *method_name(enum http_method method)
{
  static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
  return method <= HTTP_DELETE ? names[method] : "GET";
}

static curl_mime *build_form_data(CURL *easy, const struct http_request *request)
{
  curl_mime *mime = curl_mime_init(easy);
  if (!mime)
    return NULL;
  for (size_t i = 0; i < request->part_count; i++) {
    const struct http_part *part = &request->parts[i];
    curl_mimepart *mp = curl_mime_addpart(mime);
    if (!mp || curl_mime_data(mp, part->data, part->size) != CURLE_OK ||
        (part->name && curl_mime_name(mp, part->name) != CURLE_OK) ||
        (part->filename && curl_mime_filename(mp, part->filename) != CURLE_OK) ||
        (part->content_type && curl_mime_type(mp, part->content_type) != CURLE_OK)) {
      curl_mime_free(mime);
      return NULL;
    }
  }
  return mime;
}

static void set_body(CURL *easy, const struct http_request *request, const struct prepared *prepared)
{
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method_name(request->method));
  if (request->method == HTTP_GET) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (prepared->data || request->method != HTTP_DELETE) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)prepared->size);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, prepared->data ? (const char *)prepared->data : "");
  }
}

/* One attempt. Returns the CURLcode; fills response (status, body, headers). */
static CURLcode attempt(struct http_client *client, const struct http_request *request,
                        const struct prepared *prepared, int safe, struct http_response *response, char *curl_error)
{
  struct buffer body = { 0 }, headers = { 0 };
  curl_mime *mime = NULL;
  CURLcode code = CURLE_OUT_OF_MEMORY;
  CURL *easy = curl_easy_init();
  if (!easy)
    goto done;
  curl_easy_setopt(easy, CURLOPT_SHARE, client->share);
  curl_easy_setopt(easy, CURLOPT_MAXCONNECTS, MAX_CONNECTIONS);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, safe ? 0L : 1L);
  curl_easy_setopt(easy, CURLOPT_URL, request->url);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (client->ca_file)
    curl_easy_setopt(easy, CURLOPT_CAINFO, client->ca_file);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, client->options.connect_timeout_ms);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request->timeout_ms > 0 ? request->timeout_ms
                                                                     : client->options.timeout_ms);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, client->user_agent);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, prepared->headers);
  if (request->auth == HTTP_AUTH_BASIC) {
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(easy, CURLOPT_USERNAME, request->username ? request->username : "");
    curl_easy_setopt(easy, CURLOPT_PASSWORD, request->password ? request->password : "");
  }
  if (request->part_count > 0 && request->multipart == HTTP_MULTIPART_FORM_DATA) {
    if (!(mime = build_form_data(easy, request)))
      goto done;
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method_name(request->method));
    curl_easy_setopt(easy, CURLOPT_MIMEPOST, mime);
  } else {
    set_body(easy, request, prepared);
  }
  code = curl_easy_perform(easy);
  if (code == CURLE_WRITE_ERROR && body.too_large)
    snprintf(curl_error, CURL_ERROR_SIZE, "the answer is larger than %ld bytes", MAX_BODY_BYTES);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response->status);

done:
  free(response->body);
  free(response->headers);
  response->body = body.data ? body.data : strdup("");
  response->body_size = body.size;
  response->headers = headers.data ? headers.data : strdup("");
  curl_mime_free(mime);
  curl_easy_cleanup(easy);
  return (!response->body || !response->headers) ? CURLE_OUT_OF_MEMORY : code;
}

/* ---- policy ---- */

static unsigned int next_random(void)
{
  static _Thread_local uint64_t state;
  if (!state)
    state = (uint64_t)clock_monotonic_ms() * 2654435761u ^ (uint64_t)(uintptr_t)&state;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (unsigned int)(state >> 16);
}

static void sleep_ms(long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static void register_metrics(void)
{
  struct growth_error err = { 0 };
  requests_counter = metrics_counter(metrics_global(), "growth_external_requests_total",
                                     "Requests sent to external APIs, each attempt, by API and result (ok, "
                                     "rate_limited, error)", "api,result", &err);
  if (!requests_counter)
    log_warn("HTTP", "metrics: %s", err.message);
}

static void count_attempt(const char *what, const struct http_outcome *outcome)
{
  pthread_once(&metrics_once, register_metrics);
  char api[32];
  size_t length = strcspn(what, ". ");
  if (length >= sizeof api)
    length = sizeof api - 1;
  memcpy(api, what, length);
  api[length] = '\0';
  const char *result = outcome->kind == HTTP_OUTCOME_SUCCESS ? "ok"
                       : outcome->code == ERR_RATE_LIMITED   ? "rate_limited"
                                                             : "error";
  metric_inc(requests_counter, (const char *[]){ api, result });
}

static int repeat_safe(const struct http_request *request)
{
  if (request->repeat != HTTP_REPEAT_BY_METHOD)
    return request->repeat == HTTP_REPEAT_SAFE;
  return request->method == HTTP_GET || request->method == HTTP_PUT || request->method == HTTP_DELETE;
}

int http_client_send(struct http_client *client, const struct http_request *request, struct http_response *response,
                     struct growth_error *err)
{
  memset(response, 0, sizeof *response);
  struct http_request checked = *request;
  if (!checked.what)
    checked.what = "http request";
  if (!checked.url || !*checked.url)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: no URL", checked.what);
  struct prepared prepared;
  if (prepare(&checked, &prepared, err) != 0) {
    prepared_free(&prepared);
    return -1;
  }
  int max_attempts = checked.max_attempts > 0 ? checked.max_attempts : client->options.max_attempts;
  int safe = repeat_safe(&checked);
  int result = -1;
  for (int number = 1;; number++) {
    char curl_error[CURL_ERROR_SIZE] = "";
    response->status = 0;
    CURLcode code = attempt(client, &checked, &prepared, safe, response, curl_error);
    response->attempts = number;
    struct http_outcome outcome;
    http_outcome_judge(&checked, code, curl_error, response, safe, &outcome);
    count_attempt(checked.what, &outcome);
    if (outcome.kind == HTTP_OUTCOME_SUCCESS) {
      result = 0;
      break;
    }
    long delay = http_backoff_ms(client->options.backoff_ms, client->options.backoff_max_ms, number, next_random());
    if (outcome.retry_after_ms >= 0)
      delay = outcome.retry_after_ms;
    int retry = outcome.kind == HTTP_OUTCOME_RETRY && number < max_attempts;
    if (retry && delay > client->options.retry_after_max_ms) {
      http_outcome_error(&checked, response, code, curl_error, &outcome, err);
      error_prefix(err, "%s: the server asks to wait %ld ms, longer than the %ld ms allowed", checked.what, delay,
                   client->options.retry_after_max_ms);
      err->retryable = 1;
      break;
    }
    if (!retry) {
      http_outcome_error(&checked, response, code, curl_error, &outcome, err);
      break;
    }
    log_debug("HTTP", "%s: attempt %d of %d failed (%s); retrying in %ld ms", checked.what, number, max_attempts,
              outcome.reason, delay);
    sleep_ms(delay);
  }
  prepared_free(&prepared);
  return result;
}

long http_backoff_ms(long base_ms, long max_ms, int retry, unsigned int random_value)
{
  long delay = base_ms;
  for (int i = 1; i < retry && delay < max_ms; i++)
    delay *= 2;
  if (delay > max_ms)
    delay = max_ms;
  long half = delay / 2;
  return half + (long)(random_value % (unsigned int)(delay - half + 1));
}
