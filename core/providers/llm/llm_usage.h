/*
 * llm_usage.h — what growth.llm calls cost, in tokens: one call's usage as the
 * backend counted it, and a tally that adds the calls of one job up.
 *
 * The provider fills a struct llm_call_usage for every llm_chat / llm_embed,
 * whether the call succeeded or not (tokens a model spent before a failure,
 * such as a first answer that needed the repair round trip, are still spent).
 * Live, the figures are the API's own `usage` objects summed over the requests
 * of the call (a repair round trip, several embedding batches): chat gives
 * prompt and completion tokens, embeddings give embedding tokens (the API's
 * prompt_tokens of /embeddings). The offline backend has no tokenizer and
 * bills nothing: its calls are counted with model "offline" and 0 tokens.
 *
 * The provider knows nothing of jobs: whoever runs the job (the Lua binding,
 * for the agent runner) owns a struct llm_tally and adds each call's usage to
 * it with llm_tally_add. A tally keeps one row per model (LLM_TALLY_MODELS at
 * most; further models are added to the last row under "other").
 */
#ifndef GROWTH_PROVIDERS_LLM_USAGE_H
#define GROWTH_PROVIDERS_LLM_USAGE_H

#include <jansson.h>

#define LLM_MODEL_NAME_MAX 128
#define LLM_TALLY_MODELS 4
#define LLM_OFFLINE_MODEL "offline"

enum llm_call_kind { LLM_CALL_CHAT, LLM_CALL_EMBED };

/* One llm_chat or llm_embed call. */
struct llm_call_usage {
  enum llm_call_kind kind;
  char model[LLM_MODEL_NAME_MAX];   /* the configured model name, or LLM_OFFLINE_MODEL */
  long prompt_tokens, completion_tokens, embedding_tokens;
  int requests;                     /* API requests answered (0 offline) */
};

struct llm_tally_row {
  char model[LLM_MODEL_NAME_MAX];
  long prompt_tokens, completion_tokens, embedding_tokens;
  long chat_calls, embed_calls, requests;
};

/* Zero-initialise ({ 0 }) before use. */
struct llm_tally {
  struct llm_tally_row rows[LLM_TALLY_MODELS];
  int row_count;
};

/* Starts usage for one call of kind on model (NULL or "" reads as "unknown"): zero tokens. */
void llm_call_usage_init(struct llm_call_usage *usage, enum llm_call_kind kind, const char *model);

/* Adds one call to tally (either may be NULL: nothing happens). */
void llm_tally_add(struct llm_tally *tally, const struct llm_call_usage *usage);

/* The sums of every row into *total (its model is ""). */
void llm_tally_totals(const struct llm_tally *tally, struct llm_tally_row *total);

/* {"promptTokens", "completionTokens", "embeddingTokens", "calls", "requests",
 *  "models": {"<model>": {the same five}}} (new reference; NULL when out of memory). calls counts
 * llm.chat and llm.embed calls, requests the API requests they made. */
json_t *llm_tally_json(const struct llm_tally *tally);

#endif
