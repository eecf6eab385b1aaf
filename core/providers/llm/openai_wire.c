/*
 * openai_wire.c — OpenAI request bodies, answer and error parsing (see
 * openai_wire.h). Everything here is pure: bytes in, structures or errors out.
 */
#include "providers/llm/openai_wire.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/llm/llm_schema.h"

#define SHOWN_TEXT_MAX 200

static const char *const known_roles[] = { "system", "developer", "user", "assistant", "tool" };

static int upstream(struct growth_error *err, const char *fmt, const char *detail)
{
  error_set(err, ERR_UPSTREAM, fmt, detail);
  err->retryable = 0;
  return -1;
}

static int role_known(const char *role)
{
  for (size_t i = 0; i < sizeof known_roles / sizeof known_roles[0]; i++)
    if (role && strcmp(role, known_roles[i]) == 0)
      return 1;
  return 0;
}

/* The system message that asks for JSON mode output matching schema. */
static char *schema_instruction(const json_t *schema)
{
  char *text = json_dumps(schema, JSON_COMPACT | JSON_SORT_KEYS);
  if (!text)
    return NULL;
  static const char prefix[] = "Reply with json only: one JSON object that matches this JSON schema, "
                               "with no other text.\nSchema: ";
  size_t size = sizeof prefix + strlen(text);
  char *out = malloc(size);
  if (out)
    snprintf(out, size, "%s%s", prefix, text);
  free(text);
  return out;
}

json_t *openai_chat_body(const struct llm_chat_request *r, struct growth_error *err)
{
  if (!r->model || !*r->model) {
    error_set(err, ERR_BAD_CONFIG, "llm: no model is configured (OPENAI_MODEL)");
    return NULL;
  }
  if (r->message_count == 0) {
    error_set(err, ERR_BAD_ARGUMENT, "llm: chat needs at least one message");
    return NULL;
  }
  if (r->temperature > 2.0) {
    error_set(err, ERR_BAD_ARGUMENT, "llm: temperature %g is out of range; expected 0 to 2", r->temperature);
    return NULL;
  }
  const json_t *schema_type = r->schema ? json_object_get(r->schema, "type") : NULL;
  if (r->schema && (!json_is_object(r->schema) ||
                    (schema_type && (!json_is_string(schema_type) ||
                                     strcmp(json_string_value(schema_type), "object") != 0)))) {
    error_set(err, ERR_BAD_ARGUMENT, "llm: a schema must describe a JSON object (JSON mode answers objects); "
                                     "wrap an array in an object member");
    return NULL;
  }
  json_t *body = json_object(), *messages = json_array();
  if (!body || !messages)
    goto no_memory;
  json_object_set_new(body, "model", json_string(r->model));
  json_object_set_new(body, "messages", messages);
  if (r->schema) {
    char *instruction = schema_instruction(r->schema);
    if (!instruction)
      goto no_memory;
    json_array_append_new(messages, json_pack("{s:s, s:s}", "role", "system", "content", instruction));
    free(instruction);
    json_object_set_new(body, "response_format", json_pack("{s:s}", "type", "json_object"));
  }
  for (size_t i = 0; i < r->message_count; i++) {
    const struct llm_message *m = &r->messages[i];
    if (!role_known(m->role)) {
      error_set(err, ERR_BAD_ARGUMENT, "llm: message %zu has role '%.20s'; expected system, developer, user, "
                "assistant or tool", i + 1, m->role ? m->role : "");
      goto fail;
    }
    json_t *content = m->content ? json_string(m->content) : NULL;
    if (!content) {
      error_set(err, ERR_BAD_ARGUMENT, "llm: message %zu has no content or content that is not UTF-8", i + 1);
      goto fail;
    }
    json_array_append_new(messages, json_pack("{s:s, s:o}", "role", m->role, "content", content));
  }
  if (r->temperature >= 0)
    json_object_set_new(body, "temperature", json_real(r->temperature));
  if (r->max_tokens > 0)
    json_object_set_new(body, "max_completion_tokens", json_integer(r->max_tokens));
  return body;

no_memory:
  error_set(err, ERR_NO_MEMORY, "llm: out of memory building a chat request");
fail:
  json_decref(body);
  if (!body)
    json_decref(messages);
  return NULL;
}

static void read_usage(const json_t *answer, struct llm_usage *usage)
{
  memset(usage, 0, sizeof *usage);
  const json_t *u = json_object_get(answer, "usage");
  usage->prompt_tokens = (long)json_integer_value(json_object_get(u, "prompt_tokens"));
  usage->completion_tokens = (long)json_integer_value(json_object_get(u, "completion_tokens"));
  usage->total_tokens = (long)json_integer_value(json_object_get(u, "total_tokens"));
}

int openai_chat_parse(const char *body, size_t len, char **content, struct llm_usage *usage,
                      struct growth_error *err)
{
  *content = NULL;
  json_t *answer = json_loadb(body, len, 0, NULL);
  int rc = -1;
  if (!json_is_object(answer)) {
    upstream(err, "llm: the chat answer is not a JSON object%s", "");
    goto done;
  }
  read_usage(answer, usage);
  const json_t *choice = json_array_get(json_object_get(answer, "choices"), 0);
  const json_t *message = json_object_get(choice, "message");
  const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
  const char *refusal = json_string_value(json_object_get(message, "refusal"));
  const char *text = json_string_value(json_object_get(message, "content"));
  if (!json_is_object(message)) {
    upstream(err, "llm: the chat answer has no choices[0].message%s", "");
  } else if (refusal) {
    upstream(err, "llm: the model refused: %.200s", refusal);
  } else if (finish && strcmp(finish, "length") == 0) {
    upstream(err, "llm: the answer was cut off at the token limit (finish_reason %s); raise max_tokens", finish);
  } else if (finish && strcmp(finish, "content_filter") == 0) {
    upstream(err, "llm: the answer was withheld by the content filter (finish_reason %s)", finish);
  } else if (!text) {
    upstream(err, "llm: the answer has no text content (finish_reason %s)", finish ? finish : "missing");
  } else if (!(*content = strdup(text))) {
    error_set(err, ERR_NO_MEMORY, "llm: out of memory");
  } else {
    rc = 0;
  }
done:
  json_decref(answer);
  return rc;
}

int llm_json_answer(const char *content, const json_t *schema, json_t **value, struct growth_error *err)
{
  *value = NULL;
  const char *start = content;
  while (isspace((unsigned char)*start))
    start++;
  size_t len = strlen(start);
  /* Some local models wrap JSON in a Markdown fence despite JSON mode. */
  if (strncmp(start, "```", 3) == 0) {
    const char *first_line_end = strchr(start, '\n');
    const char *fence_end = first_line_end ? strstr(first_line_end, "```") : NULL;
    if (first_line_end && fence_end) {
      start = first_line_end + 1;
      len = (size_t)(fence_end - start);
    }
  }
  json_error_t jerr;
  json_t *decoded = json_loadb(start, len, JSON_DECODE_ANY, &jerr);
  if (!decoded) {
    char detail[256];
    snprintf(detail, sizeof detail, "%s at line %d, column %d", jerr.text, jerr.line, jerr.column);
    return upstream(err, "llm: the answer is not valid JSON: %s", detail);
  }
  if (schema && llm_schema_check(schema, decoded, err) != 0) {
    json_decref(decoded);
    return -1;
  }
  *value = decoded;
  return 0;
}

char *llm_repair_message(const struct growth_error *problem)
{
  static const char fmt[] = "Your previous answer could not be used (%s). Reply again with json only: one JSON "
                            "object that matches the schema given above, with no other text.";
  size_t size = sizeof fmt + strlen(problem->message);
  char *out = malloc(size);
  if (out)
    snprintf(out, size, fmt, problem->message);
  return out;
}

json_t *openai_embeddings_body(const char *model, const char *const *texts, size_t count, long dimensions,
                               struct growth_error *err)
{
  if (!model || !*model) {
    error_set(err, ERR_BAD_CONFIG, "llm: no embedding model is configured (OPENAI_EMBEDDING_MODEL)");
    return NULL;
  }
  if (count == 0 || count > OPENAI_EMBEDDING_BATCH) {
    error_set(err, ERR_BAD_ARGUMENT, "llm: %zu texts in one embeddings request; expected 1 to %d", count,
              OPENAI_EMBEDDING_BATCH);
    return NULL;
  }
  json_t *input = json_array();
  json_t *body = json_pack("{s:s, s:o, s:s}", "model", model, "input", input, "encoding_format", "float");
  if (!body) {
    error_set(err, ERR_NO_MEMORY, "llm: out of memory building an embeddings request");
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    json_t *text = texts[i] && *texts[i] ? json_string(texts[i]) : NULL;
    if (!text) {
      error_set(err, ERR_BAD_ARGUMENT, "llm: text %zu is empty or not UTF-8; expected non-empty strings", i + 1);
      json_decref(body);
      return NULL;
    }
    json_array_append_new(input, text);
  }
  if (dimensions > 0)
    json_object_set_new(body, "dimensions", json_integer(dimensions));
  return body;
}

int openai_embeddings_parse(const char *body, size_t len, size_t count, float **vectors, size_t *dim,
                            struct llm_usage *usage, struct growth_error *err)
{
  *vectors = NULL;
  *dim = 0;
  json_t *answer = json_loadb(body, len, 0, NULL);
  const json_t *data = json_object_get(answer, "data");
  float *out = NULL;
  unsigned char *seen = NULL;
  int rc = -1;
  if (!json_is_array(data) || json_array_size(data) != count) {
    char detail[64];
    snprintf(detail, sizeof detail, "%zu vectors for %zu texts", json_array_size(data), count);
    upstream(err, "llm: the embeddings answer holds %s", detail);
    goto done;
  }
  read_usage(answer, usage);
  size_t width = json_array_size(json_object_get(json_array_get(data, 0), "embedding"));
  out = width ? malloc(count * width * sizeof *out) : NULL;
  seen = calloc(count, 1);
  if (width == 0) {
    upstream(err, "llm: the embeddings answer holds an empty vector%s", "");
    goto done;
  }
  if (!out || !seen) {
    error_set(err, ERR_NO_MEMORY, "llm: out of memory for %zu vectors", count);
    goto done;
  }
  size_t i;
  const json_t *item;
  json_array_foreach(data, i, item) {
    const json_t *index = json_object_get(item, "index"), *vector = json_object_get(item, "embedding");
    json_int_t at = json_integer_value(index);
    if (!json_is_integer(index) || at < 0 || (size_t)at >= count || seen[at] || json_array_size(vector) != width) {
      upstream(err, "llm: the embeddings answer has a missing, repeated or out-of-range index, or vectors of "
                    "different lengths%s", "");
      goto done;
    }
    seen[at] = 1;
    for (size_t j = 0; j < width; j++) {
      const json_t *x = json_array_get(vector, j);
      if (!json_is_number(x)) {
        upstream(err, "llm: an embedding holds something other than numbers%s", "");
        goto done;
      }
      out[(size_t)at * width + j] = (float)json_number_value(x);
    }
  }
  *vectors = out;
  *dim = width;
  out = NULL;
  rc = 0;
done:
  free(seen);
  free(out);
  json_decref(answer);
  return rc;
}

/* Copies text into out, masking API keys ("sk-" followed by key characters). */
static void mask_keys(const char *text, size_t len, char *out, size_t size)
{
  size_t o = 0;
  for (size_t i = 0; i < len && o + 1 < size;) {
    if (i + 3 <= len && strncmp(text + i, "sk-", 3) == 0) {
      for (const char *mask = "sk-***"; *mask && o + 1 < size; mask++)
        out[o++] = *mask;
      i += 3;
      while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '-' || text[i] == '_' || text[i] == '*'))
        i++;
      continue;
    }
    unsigned char c = (unsigned char)text[i++];
    out[o++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : (char)c;
  }
  out[o] = '\0';
}

int openai_error(int status, const char *body, size_t len, struct growth_error *err)
{
  json_t *answer = body ? json_loadb(body, len, 0, NULL) : NULL;
  const json_t *error = json_object_get(answer, "error");
  const char *message = json_string_value(json_object_get(error, "message"));
  if (!message)
    message = json_string_value(json_object_get(answer, "message"));
  if (!message && json_is_string(error))
    message = json_string_value(error);
  const char *code = json_string_value(json_object_get(error, "code"));
  const char *type = json_string_value(json_object_get(error, "type"));
  if (!type)
    type = json_string_value(json_object_get(answer, "type"));
  char shown[SHOWN_TEXT_MAX + 1];
  if (message)
    mask_keys(message, strlen(message), shown, sizeof shown);
  else
    mask_keys(body ? body : "", body ? (len < SHOWN_TEXT_MAX ? len : SHOWN_TEXT_MAX) : 0, shown, sizeof shown);
  const char *label = code ? code : type ? type : "no error code";
  int quota = (code && strcmp(code, "insufficient_quota") == 0) || (type && strcmp(type, "insufficient_quota") == 0);

  enum error_code kind;
  if (status == 400 || status == 422)
    kind = ERR_BAD_ARGUMENT;
  else if (status == 401)
    kind = ERR_UNAUTHORIZED;
  else if (status == 403)
    kind = ERR_FORBIDDEN;
  else if (status == 404)
    kind = ERR_NOT_FOUND;
  else if (status == 429)
    kind = quota ? ERR_UPSTREAM : ERR_RATE_LIMITED;
  else if (status == 408)
    kind = ERR_TIMEOUT;
  else if (status >= 500)
    kind = ERR_UNAVAILABLE;
  else
    kind = ERR_UPSTREAM;
  error_set(err, kind, "llm: the API answered %d (%s): %s%s", status, label, shown,
            quota ? " (billing quota exhausted; waiting will not help)" : "");
  err->status = status;
  if (quota)
    err->retryable = 0;
  json_decref(answer);
  return -1;
}

long openai_parse_duration_ms(const char *text)
{
  if (!text || !*text)
    return -1;
  if (strcmp(text, "0") == 0)
    return 0;
  double total_ms = 0;
  const char *p = text;
  while (*p) {
    char *end;
    if (!isdigit((unsigned char)*p) && *p != '.')
      return -1;
    double number = strtod(p, &end);
    if (end == p)
      return -1;
    p = end;
    double unit;
    if (strncmp(p, "ms", 2) == 0)
      unit = 1, p += 2;
    else if (strncmp(p, "us", 2) == 0)
      unit = 1e-3, p += 2;
    else if (strncmp(p, "\xC2\xB5s", 3) == 0)
      unit = 1e-3, p += 3;
    else if (strncmp(p, "ns", 2) == 0)
      unit = 1e-6, p += 2;
    else if (*p == 'h')
      unit = 3600e3, p++;
    else if (*p == 'm')
      unit = 60e3, p++;
    else if (*p == 's')
      unit = 1e3, p++;
    else
      return -1;
    total_ms += number * unit;
  }
  if (total_ms > 86400e3)
    return -1;
  return (long)ceil(total_ms);
}

long openai_retry_delay_ms(const char *retry_after, const char *remaining_requests, const char *reset_requests,
                           const char *remaining_tokens, const char *reset_tokens)
{
  if (retry_after && *retry_after) {
    char *end;
    double seconds = strtod(retry_after, &end);
    if (end != retry_after && *end == '\0' && seconds >= 0 && seconds <= 86400)
      return (long)ceil(seconds * 1000);
  }
  long wait = -1;
  if (remaining_requests && strcmp(remaining_requests, "0") == 0) {
    long ms = openai_parse_duration_ms(reset_requests);
    if (ms > wait)
      wait = ms;
  }
  if (remaining_tokens && strcmp(remaining_tokens, "0") == 0) {
    long ms = openai_parse_duration_ms(reset_tokens);
    if (ms > wait)
      wait = ms;
  }
  return wait;
}
