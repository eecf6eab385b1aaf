/*
 * llm.c — backend choice, embeddings and the request/answer checks of growth.llm (see llm.h).
 */
#include "providers/llm/llm.h"

#include <stdio.h>
#include <stdlib.h>

#include "providers/llm/embed_local.h"
#include "providers/llm/llm_schema.h"

enum llm_backend llm_backend_of(const struct config *cfg, char *reason, size_t reason_size)
{
  const char *why = cfg->openai_api_key ? "OPENAI_API_KEY is set, but this build has no live OpenAI backend yet"
                                        : "OPENAI_API_KEY is not set";
  if (cfg->environment == ENV_PRODUCTION) {
    snprintf(reason, reason_size, "%s; in production the offline mode is never used in place of the model", why);
    return LLM_BACKEND_MISSING;
  }
  snprintf(reason, reason_size, "%s: offline mode (hashed TF-IDF embeddings; chat answers from the agent's "
                                "offline function)", why);
  return LLM_BACKEND_LOCAL;
}

int llm_embed(const struct config *cfg, const char *const *texts, size_t count, float **vectors, size_t *dim,
              struct growth_error *err)
{
  char reason[320];
  *vectors = NULL;
  *dim = 0;
  if (llm_backend_of(cfg, reason, sizeof reason) != LLM_BACKEND_LOCAL)
    return error_set(err, ERR_BAD_CONFIG, "llm: %s", reason);
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
