/*
 * llm.h — growth.llm's C side: which backend the settings select, embeddings,
 * and the checks every chat request and answer goes through.
 *
 * Backends. Live is the OpenAI API (or any server with its API) when
 * OPENAI_API_KEY is set: llm_openai.h, over the process's shared HTTP client.
 * Local is the documented offline mode, outside production only (NODE_ENV /
 * GROWTH_ENV), where offline mode is never used in place of the model:
 * embed_local.h for embeddings, and for chat the answer of an `offline`
 * function the calling agent passes (the binding calls it; C never runs
 * script code). Servers without keys (Ollama) take any non-empty key.
 *
 * A chat request is a struct llm_chat_request (openai_wire.h) checked by
 * llm_chat_check with the rules the live body builder applies; an answer with
 * a schema is checked by llm_answer_check (llm_schema.h) whichever backend gave
 * it; embeddings come back as count x dim floats in input order.
  */
#ifndef GROWTH_PROVIDERS_LLM_H
#define GROWTH_PROVIDERS_LLM_H

#include <jansson.h>
#include <stddef.h>

struct http_client;  /* net/http_client.h; not included, its names clash with core/http/ */

#include "base/config.h"
#include "base/error.h"
#include "providers/llm/llm_usage.h"
#include "providers/llm/openai_wire.h"

enum llm_backend { LLM_BACKEND_LIVE, LLM_BACKEND_LOCAL, LLM_BACKEND_MISSING };

/* Which backend cfg selects, with the reason in words (never a secret) in reason. */
enum llm_backend llm_backend_of(const struct config *cfg, char *reason, size_t reason_size);

/* Embeds texts[0..count) with the selected backend; client is the shared HTTP client (used, and
 * required, when the backend is live). *vectors (free with free()) holds count * *dim floats,
 * row i for text i. bad_config with the reason when the llm is missing. *usage (may be NULL)
 * receives what the call cost, whatever the outcome. */
int llm_embed(const struct config *cfg, struct http_client *client, const char *const *texts, size_t count,
              float **vectors, size_t *dim, struct llm_call_usage *usage, struct growth_error *err);

/* Asks the live model (llm_openai_chat): *text (free with free()) without a schema, else *value
 * (new reference). bad_config when the backend is not live: offline answers come from the agent.
 * *usage (may be NULL) receives what the call cost, whatever the outcome. */
int llm_chat(const struct config *cfg, struct http_client *client, const struct llm_chat_request *request,
             char **text, json_t **value, struct llm_call_usage *usage, struct growth_error *err);

/* Checks a chat request (messages, roles, temperature, schema shape) as the live backend would;
 * request->model may be NULL. bad_argument naming what is wrong. */
int llm_chat_check(const struct llm_chat_request *request, struct growth_error *err);

/* Checks an answer against the request's schema: a JSON value (a table given offline) when text
 * is NULL, else JSON text (as a model answers; a ```json fence is tolerated). *value receives the
 * decoded answer (new reference) when value is not NULL. upstream_error (not retryable) naming the
 * path when the answer does not match. */
int llm_answer_check(const json_t *schema, const json_t *answer, const char *text, json_t **value,
                     struct growth_error *err);

#endif
