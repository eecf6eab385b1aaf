/*
 * llm_openai.c — the live llm backend over the shared HTTP client (see llm_openai.h).
 *
 * The wire format (bodies, answers, error bodies, rate-limit headers) is
 * openai_wire.c's; this file adds the transport, the repair round trip, the
 * batching of embeddings and the sum of the answers' token usage.
 */
#include "providers/llm/llm_openai.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define URL_MAX 2048
#define HEADER_VALUE_MAX 64

/* Adds one answer's usage to the call's. */
static void add_usage(struct llm_call_usage *total, const struct llm_usage *answered, int embeddings)
{
  total->requests++;
  if (embeddings) {
    total->embedding_tokens += answered->prompt_tokens;
  } else {
    total->prompt_tokens += answered->prompt_tokens;
    total->completion_tokens += answered->completion_tokens;
  }
}

/* Appends text to err's message (printf-style), keeping code and retryable. */
static void append(struct growth_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct growth_error *err, const char *fmt, ...)
{
  size_t used = strlen(err->message);
  if (used + 1 >= sizeof err->message)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
  va_end(ap);
}

/* A 429 for an exhausted billing quota is final: waiting does not help. */
static enum http_verdict classify(const struct http_response *response, void *context)
{
  (void)context;
  if (response->status != 429)
    return HTTP_VERDICT_DEFAULT;
  json_t *answer = json_loadb(response->body, response->body_size, 0, NULL);
  const json_t *error = json_object_get(answer, "error");
  const char *code = json_string_value(json_object_get(error, "code"));
  const char *type = json_string_value(json_object_get(error, "type"));
  int quota = (code && strcmp(code, "insufficient_quota") == 0) || (type && strcmp(type, "insufficient_quota") == 0);
  json_decref(answer);
  return quota ? HTTP_VERDICT_FAIL : HTTP_VERDICT_DEFAULT;
}

static const char *header_or_null(const struct http_response *response, const char *name, char *out)
{
  return http_response_header(response, name, out, HEADER_VALUE_MAX) == 0 ? out : NULL;
}

/* The wait of a 429 without Retry-After: the reset of an exhausted budget (x-ratelimit-*). */
static long ratelimit_delay(const struct http_response *response, void *context)
{
  (void)context;
  char remaining_requests[HEADER_VALUE_MAX], reset_requests[HEADER_VALUE_MAX];
  char remaining_tokens[HEADER_VALUE_MAX], reset_tokens[HEADER_VALUE_MAX];
  return openai_retry_delay_ms(NULL, header_or_null(response, "x-ratelimit-remaining-requests", remaining_requests),
                               header_or_null(response, "x-ratelimit-reset-requests", reset_requests),
                               header_or_null(response, "x-ratelimit-remaining-tokens", remaining_tokens),
                               header_or_null(response, "x-ratelimit-reset-tokens", reset_tokens));
}

/* POSTs body to OPENAI_BASE_URL + path. On failure err carries the API's own error type and
 * message when it answered, else the transport's reason. */
static int post(struct http_client *client, const struct config *cfg, const char *path, const char *what,
                json_t *body, struct http_response *response, struct growth_error *err)
{
  const char *base = cfg->openai_base_url ? cfg->openai_base_url : "";
  size_t base_length = strlen(base);
  while (base_length > 0 && base[base_length - 1] == '/')
    base_length--;
  char url[URL_MAX];
  int length = snprintf(url, sizeof url, "%.*s%s", (int)base_length, base, path);
  if (base_length == 0 || length < 0 || (size_t)length >= sizeof url)
    return error_set(err, ERR_BAD_CONFIG, "llm: OPENAI_BASE_URL is empty or longer than %d bytes; expected a URL "
                     "such as https://api.openai.com/v1", URL_MAX - 64);
  struct http_request request = {
    .method = HTTP_POST, .url = url, .json = body, .auth = HTTP_AUTH_BEARER, .bearer_token = cfg->openai_api_key,
    .repeat = HTTP_REPEAT_SAFE, .timeout_ms = cfg->llm_timeout_ms, .classify = classify,
    .retry_delay = ratelimit_delay, .what = what,
  };
  if (http_client_send(client, &request, response, err) == 0)
    return 0;
  if (response->status < 400)
    return -1;   /* no API answer (timeout, dropped connection): the client's message says which */
  struct growth_error transport = *err;
  openai_error((int)response->status, response->body, response->body_size, err);
  if (response->attempts > 1)
    append(err, " (after %d attempts)", response->attempts);
  const char *wait = strstr(transport.message, "the server asks to wait");
  const char *allowed = wait ? strstr(wait, " allowed") : NULL;
  if (allowed) {
    append(err, " (%.*s)", (int)(allowed + strlen(" allowed") - wait), wait);
    err->retryable = 1;
  }
  return -1;
}

/* One chat round trip: *content is the answer's text. */
static int chat_once(struct http_client *client, const struct config *cfg, const struct llm_chat_request *request,
                     char **content, struct llm_call_usage *usage, struct growth_error *err)
{
  *content = NULL;
  json_t *body = openai_chat_body(request, err);
  if (!body)
    return -1;
  struct http_response response;
  int rc = post(client, cfg, "/chat/completions", "llm", body, &response, err);
  if (rc == 0) {
    struct llm_usage answered = { 0 };
    rc = openai_chat_parse(response.body, response.body_size, content, &answered, err);
    add_usage(usage, &answered, 0);   /* a refused or cut-off answer cost its tokens too */
  }
  http_response_free(&response);
  json_decref(body);
  return rc;
}

/* The message of err without the "llm: " its producers start with. */
static const char *bare(const struct growth_error *err)
{
  return strncmp(err->message, "llm: ", 5) == 0 ? err->message + 5 : err->message;
}

/* Sends the conversation again with the bad answer and what was wrong with it. */
static int repair(struct http_client *client, const struct config *cfg, const struct llm_chat_request *asked,
                  const char *bad_answer, const struct growth_error *problem, json_t **value,
                  struct llm_call_usage *usage, struct growth_error *err)
{
  size_t count = asked->message_count + 2;
  struct llm_message *messages = malloc(count * sizeof *messages);
  char *instruction = llm_repair_message(problem);
  char *second = NULL;
  int rc = -1;
  if (!messages || !instruction) {
    error_set(err, ERR_NO_MEMORY, "llm: out of memory asking for a repaired answer");
    goto done;
  }
  memcpy(messages, asked->messages, asked->message_count * sizeof *messages);
  messages[count - 2] = (struct llm_message){ "assistant", bad_answer };
  messages[count - 1] = (struct llm_message){ "user", instruction };
  struct llm_chat_request again = *asked;
  again.messages = messages;
  again.message_count = count;
  if (chat_once(client, cfg, &again, &second, usage, err) != 0)
    goto done;
  struct growth_error still = { 0 };
  if (llm_json_answer(second, asked->schema, value, &still) != 0) {
    error_set(err, ERR_UPSTREAM, "llm: the model's answer does not match the schema, even after one repair "
                                 "attempt: %s", bare(&still));
    err->retryable = 0;
    goto done;
  }
  rc = 0;
done:
  free(second);
  free(instruction);
  free(messages);
  return rc;
}

int llm_openai_chat(struct http_client *client, const struct config *cfg, const struct llm_chat_request *request,
                    char **text, json_t **value, struct llm_call_usage *usage, struct growth_error *err)
{
  *text = NULL;
  *value = NULL;
  struct llm_chat_request asked = *request;
  asked.model = cfg->openai_model;
  char *content = NULL;
  if (chat_once(client, cfg, &asked, &content, usage, err) != 0)
    return -1;
  if (!asked.schema) {
    *text = content;
    return 0;
  }
  struct growth_error problem = { 0 };
  int rc = 0;
  if (llm_json_answer(content, asked.schema, value, &problem) != 0) {
    if (problem.code != ERR_UPSTREAM) {   /* the schema itself is malformed: no answer can fix that */
      *err = problem;
      rc = -1;
    } else {
      log_info("LLM", "the answer of %s does not match the schema (%s); asking once more", asked.model,
               bare(&problem));
      rc = repair(client, cfg, &asked, content, &problem, value, usage, err);
    }
  }
  free(content);
  return rc;
}

/* One embeddings request for texts[0..count). */
static int embed_batch(struct http_client *client, const struct config *cfg, const char *const *texts, size_t count,
                       float **vectors, size_t *dim, struct llm_call_usage *usage, struct growth_error *err)
{
  json_t *body = openai_embeddings_body(cfg->openai_embedding_model, texts, count, 0, err);
  if (!body)
    return -1;
  struct http_response response;
  int rc = post(client, cfg, "/embeddings", "llm", body, &response, err);
  if (rc == 0) {
    struct llm_usage answered = { 0 };
    rc = openai_embeddings_parse(response.body, response.body_size, count, vectors, dim, &answered, err);
    add_usage(usage, &answered, 1);
  }
  http_response_free(&response);
  json_decref(body);
  return rc;
}

/* How many texts from texts[0..count) go into the next request. */
static size_t batch_size(const struct config *cfg, const char *const *texts, size_t count)
{
  size_t limit = cfg->llm_embed_batch > 0 && cfg->llm_embed_batch < OPENAI_EMBEDDING_BATCH
                     ? (size_t)cfg->llm_embed_batch : OPENAI_EMBEDDING_BATCH;
  size_t taken = 0, bytes = 0;
  while (taken < count && taken < limit) {
    size_t length = texts[taken] ? strlen(texts[taken]) : 0;
    if (taken > 0 && bytes + length > OPENAI_EMBEDDING_BATCH_BYTES)
      break;
    bytes += length;
    taken++;
  }
  return taken;
}

int llm_openai_embed(struct http_client *client, const struct config *cfg, const char *const *texts, size_t count,
                     float **vectors, size_t *dim, struct llm_call_usage *usage, struct growth_error *err)
{
  *vectors = NULL;
  *dim = 0;
  if (count == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "llm: no texts to embed; expected at least one");
  float *all = NULL, *part = NULL;
  size_t width = 0;
  for (size_t start = 0; start < count;) {
    size_t taken = batch_size(cfg, texts + start, count - start), part_dim = 0;
    if (embed_batch(client, cfg, texts + start, taken, &part, &part_dim, usage, err) != 0)
      goto fail;
    if (!all) {
      width = part_dim;
      if (width > SIZE_MAX / sizeof *all / count || !(all = malloc(count * width * sizeof *all))) {
        error_set(err, ERR_NO_MEMORY, "llm: out of memory for %zu vectors of %zu numbers", count, width);
        goto fail;
      }
    } else if (part_dim != width) {
      error_set(err, ERR_UPSTREAM, "llm: the embeddings of one call have different lengths (%zu, then %zu); "
                "expected one length per model", width, part_dim);
      err->retryable = 0;
      goto fail;
    }
    memcpy(all + start * width, part, taken * width * sizeof *all);
    free(part);
    part = NULL;
    start += taken;
  }
  *vectors = all;
  *dim = width;
  return 0;

fail:
  free(part);
  free(all);
  return -1;
}
