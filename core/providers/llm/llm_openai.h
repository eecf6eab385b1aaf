/*
 * llm_openai.h — the live llm backend: the OpenAI API (or any server with its
 * API: Ollama, vLLM, llama.cpp's server) at OPENAI_BASE_URL, over the shared
 * HTTP client.
 *
 * Chat asks OPENAI_MODEL; with a schema the request is in JSON mode
 * (openai_wire.h), the answer is decoded and checked with llm_schema, and an
 * answer that is not valid JSON or does not match gets one repair attempt: the
 * conversation is sent again with the bad answer and a message naming what
 * was wrong. A second bad answer is upstream_error, not retryable.
 *
 * Embeddings ask OPENAI_EMBEDDING_MODEL in batches of at most
 * GROWTH_LLM_EMBED_BATCH texts and OPENAI_EMBEDDING_BATCH_BYTES bytes (every
 * token covers at least one byte, so this keeps a batch under the API's
 * 300,000 tokens a request); vectors come back in the order of the texts,
 * whatever order the server lists them in.
 *
 * Both calls are safe to repeat (they change nothing upstream), so the client
 * retries timeouts, dropped connections and 5xx as well as 429. A 429 waits
 * Retry-After, or else the x-ratelimit-reset-* duration of an exhausted
 * budget; insufficient_quota is never retried. Failures keep the API's own
 * error type and message (API keys masked).
 *
 * The `usage` object of every answer is added to the call's struct
 * llm_call_usage (llm_usage.h): chat's prompt and completion tokens, the
 * embeddings' prompt_tokens as embedding tokens, one request per answer.
 */
#ifndef GROWTH_PROVIDERS_LLM_OPENAI_H
#define GROWTH_PROVIDERS_LLM_OPENAI_H

#include <jansson.h>
#include <stddef.h>

#include "base/config.h"
#include "base/error.h"
#include "net/http_client.h"
#include "providers/llm/llm_usage.h"
#include "providers/llm/openai_wire.h"

#define OPENAI_EMBEDDING_BATCH_BYTES 300000

/* Asks cfg->openai_model (request->model is ignored). Without a schema *text (free with free())
 * is the answer; with one *value (new reference) is the decoded, checked answer. Adds the tokens
 * of every answer to *usage (initialised by the caller), also when the call fails. */
int llm_openai_chat(struct http_client *client, const struct config *cfg, const struct llm_chat_request *request,
                    char **text, json_t **value, struct llm_call_usage *usage, struct growth_error *err);

/* Embeds texts[0..count) with cfg->openai_embedding_model. *vectors (free with free()) holds
 * count * *dim floats, row i for text i. Adds the tokens of every batch answered to *usage. */
int llm_openai_embed(struct http_client *client, const struct config *cfg, const char *const *texts, size_t count,
                     float **vectors, size_t *dim, struct llm_call_usage *usage, struct growth_error *err);

#endif
