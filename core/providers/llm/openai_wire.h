/*
 * openai_wire.h — the OpenAI API's wire format, without the transport: request
 * bodies for chat completions and embeddings, parsing of their answers and of
 * error bodies, and the wait a 429 asks for. The live llm backend pairs these
 * with the shared HTTP client (core/net/); keeping them apart makes every rule
 * of shared/docs/external-apis.md section 5 testable without a server.
 *
 * JSON answers: with a schema the request asks for JSON mode
 * (response_format json_object, which Ollama, vLLM and llama.cpp also accept)
 * and adds a system message that carries the schema and the word "json" that
 * JSON mode requires. The answer is decoded (a ```json fence, which some local
 * models add, is tolerated) and checked with llm_schema_check; when it fails,
 * llm_repair_message words the one repair attempt.
 *
 * Error bodies are read tolerantly: error.message / error.type / error.code
 * (OpenAI), a top-level message (vLLM), or the raw text. Anything that looks
 * like an API key ("sk-...") is masked before it reaches a message.
 */
#ifndef GROWTH_PROVIDERS_LLM_OPENAI_WIRE_H
#define GROWTH_PROVIDERS_LLM_OPENAI_WIRE_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

#define OPENAI_EMBEDDING_BATCH 2048  /* inputs per embeddings request */

struct llm_message {
  const char *role;     /* system, developer, user, assistant */
  const char *content;
};

struct llm_chat_request {
  const char *model;
  const struct llm_message *messages;
  size_t message_count;
  double temperature;   /* < 0: not sent (the model's default) */
  long max_tokens;      /* <= 0: not sent; else sent as max_completion_tokens */
  const json_t *schema; /* NULL: plain text answer */
};

struct llm_usage {
  long prompt_tokens, completion_tokens, total_tokens;
};

/* The body of POST /chat/completions. NULL with bad_argument on an invalid request. */
json_t *openai_chat_body(const struct llm_chat_request *request, struct growth_error *err);

/* Reads choices[0] of a chat.completion. *content (free with free()) is the answer;
 * usage is filled when present (zeros otherwise). A refusal, a content filter, a
 * truncated answer (finish_reason "length") or a missing content is upstream_error. */
int openai_chat_parse(const char *body, size_t len, char **content, struct llm_usage *usage,
                      struct growth_error *err);

/* Decodes a JSON answer and checks it against schema. *value is the caller's. */
int llm_json_answer(const char *content, const json_t *schema, json_t **value, struct growth_error *err);

/* The user message of the repair attempt, naming what was wrong (free with free()). */
char *llm_repair_message(const struct growth_error *problem);

/* The body of POST /embeddings for texts[0..count); dimensions <= 0 is not sent. */
json_t *openai_embeddings_body(const char *model, const char *const *texts, size_t count, long dimensions,
                               struct growth_error *err);

/* Reads an embeddings list of count vectors, ordered by their "index" (not by position).
 * *vectors (free with free()) holds count * *dim floats. */
int openai_embeddings_parse(const char *body, size_t len, size_t count, float **vectors, size_t *dim,
                            struct llm_usage *usage, struct growth_error *err);

/* Turns a non-2xx answer into err: 400 bad_argument, 401 unauthorized, 403 forbidden,
 * 404 not_found, 429 rate_limited (retryable) except insufficient_quota (upstream_error,
 * not retryable), 5xx unavailable (retryable). err->status = status. Returns -1. */
int openai_error(int status, const char *body, size_t len, struct growth_error *err);

/* Milliseconds to wait after a 429: Retry-After (seconds) when present; otherwise the
 * longer of the x-ratelimit-reset-* durations ("6m0s", "1.5s", "12ms") whose
 * remaining count is 0; -1 when none applies (use exponential backoff). Any argument
 * may be NULL. */
long openai_retry_delay_ms(const char *retry_after, const char *remaining_requests, const char *reset_requests,
                           const char *remaining_tokens, const char *reset_tokens);

/* Parses a Go duration such as "1h2m3.5s", "250ms", "6m0s" into milliseconds; -1 if malformed. */
long openai_parse_duration_ms(const char *text);

#endif
