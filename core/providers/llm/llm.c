/*
 * llm.c — backend choice, embeddings and the request/answer checks of growth.llm (see llm.h).
 */
#include "providers/llm/llm.h"

#include <stdio.h>
#include <stdlib.h>

#include "providers/llm/embed_local.h"
#include "providers/llm/llm_openai.h"
#include "providers/llm/llm_schema.h"

enum llm_backend llm_backend_of(const struct config *cfg, char *reason, size_t reason_size)
{
  if (cfg->openai_api_key) {
    snprintf(reason, reason_size, "OpenAI API at %s: chat %s, embeddings %s",
             cfg->openai_base_url ? cfg->openai_base_url : "(no OPENAI_BASE_URL)",
             cfg->openai_model ? cfg->openai_model : "(no OPENAI_MODEL)",
             cfg->openai_embedding_model ? cfg->openai_embedding_model : "(no OPENAI_EMBEDDING_MODEL)");
    return LLM_BACKEND_LIVE;
  }
  if (cfg->environment == ENV_PRODUCTION) {
    snprintf(reason, reason_size, "OPENAI_API_KEY is not set; in production the offline mode is never used in "
                                  "place of the model");
    return LLM_BACKEND_MISSING;
  }
  snprintf(reason, reason_size, "OPENAI_API_KEY is not set: offline mode (hashed TF-IDF embeddings; chat answers "
                                "from the agent's offline function)");
  return LLM_BACKEND_LOCAL;
}

static int embed_offline(const char *const *texts, size_t count, float **vectors, size_t *dim,
                         struct growth_error *err)
{
  if (count == 0 || count > EMBED_LOCAL_MAX_TEXTS)
    return error_set(err, ERR_BAD_ARGUMENT, "llm: %zu texts to embed; expected 1 to %d", count,
                     EMBED_LOCAL_MAX_TEXTS);
  float *out = malloc(count * EMBED_LOCAL_DEFAULT_DIM * sizeof *out);
  if (!out)
    return error_set(err, ERR_NO_MEMORY, "llm: out of memory for %zu embeddings", count);
  if (embed_local(texts, count, EMBED_LOCAL_DEFAULT_DIM, out, err) != 0) {
    free(out);
    return -1;
  }
  *vectors = out;
  *dim = EMBED_LOCAL_DEFAULT_DIM;
  return 0;
}

/* The backend, or -1 with bad_config when it cannot serve (missing, or live without a client). */
static int usable_backend(const struct config *cfg, struct http_client *client, struct growth_error *err)
{
  char reason[320];
  enum llm_backend backend = llm_backend_of(cfg, reason, sizeof reason);
  if (backend == LLM_BACKEND_MISSING)
    return error_set(err, ERR_BAD_CONFIG, "llm: %s", reason);
  if (backend == LLM_BACKEND_LIVE && !client)
    return error_set(err, ERR_BAD_CONFIG, "llm: the live backend is selected but this host gave it no HTTP client");
  return (int)backend;
}

int llm_embed(const struct config *cfg, struct http_client *client, const char *const *texts, size_t count,
              float **vectors, size_t *dim, struct llm_call_usage *usage, struct growth_error *err)
{
  struct llm_call_usage ignored;
  if (!usage)
    usage = &ignored;
  *vectors = NULL;
  *dim = 0;
  int backend = usable_backend(cfg, client, err);
  llm_call_usage_init(usage, LLM_CALL_EMBED, backend == LLM_BACKEND_LIVE ? cfg->openai_embedding_model
                                                                          : LLM_OFFLINE_MODEL);
  if (backend < 0)
    return -1;
  if (backend == LLM_BACKEND_LIVE)
    return llm_openai_embed(client, cfg, texts, count, vectors, dim, usage, err);
  return embed_offline(texts, count, vectors, dim, err);
}

int llm_chat(const struct config *cfg, struct http_client *client, const struct llm_chat_request *request,
             char **text, json_t **value, struct llm_call_usage *usage, struct growth_error *err)
{
  struct llm_call_usage ignored;
  if (!usage)
    usage = &ignored;
  *text = NULL;
  *value = NULL;
  int backend = usable_backend(cfg, client, err);
  llm_call_usage_init(usage, LLM_CALL_CHAT, backend == LLM_BACKEND_LIVE ? cfg->openai_model : LLM_OFFLINE_MODEL);
  if (backend < 0)
    return -1;
  if (backend != LLM_BACKEND_LIVE)
    return error_set(err, ERR_BAD_CONFIG, "llm: no model is configured (offline mode); the agent's offline "
                                          "function answers instead");
  return llm_openai_chat(client, cfg, request, text, value, usage, err);
}

int llm_chat_check(const struct llm_chat_request *request, struct growth_error *err)
{
  struct llm_chat_request checked = *request;
  if (!checked.model)
    checked.model = "offline";
  json_t *body = openai_chat_body(&checked, err);
  if (!body)
    return -1;
  json_decref(body);
  return 0;
}

int llm_answer_check(const json_t *schema, const json_t *answer, const char *text, json_t **value,
                     struct growth_error *err)
{
  json_t *decoded = NULL;
  if (text) {
    if (llm_json_answer(text, schema, &decoded, err) != 0)
      return -1;
  } else {
    if (llm_schema_check(schema, answer, err) != 0)
      return -1;
    decoded = json_incref((json_t *)answer);
  }
  if (value)
    *value = decoded;
  else
    json_decref(decoded);
  return 0;
}
