/*
 * llm_usage.c — a call's token usage and the per-job tally (see llm_usage.h).
 */
#include "providers/llm/llm_usage.h"

#include <stdio.h>
#include <string.h>

void llm_call_usage_init(struct llm_call_usage *usage, enum llm_call_kind kind, const char *model)
{
  memset(usage, 0, sizeof *usage);
  usage->kind = kind;
  snprintf(usage->model, sizeof usage->model, "%s", model && *model ? model : "unknown");
}

/* The row of model, a new one while there is room, else the last row renamed "other". */
static struct llm_tally_row *row_of(struct llm_tally *tally, const char *model)
{
  for (int i = 0; i < tally->row_count; i++)
    if (strcmp(tally->rows[i].model, model) == 0)
      return &tally->rows[i];
  if (tally->row_count < LLM_TALLY_MODELS) {
    struct llm_tally_row *row = &tally->rows[tally->row_count++];
    memset(row, 0, sizeof *row);
    snprintf(row->model, sizeof row->model, "%s", model);
    return row;
  }
  struct llm_tally_row *last = &tally->rows[LLM_TALLY_MODELS - 1];
  snprintf(last->model, sizeof last->model, "other");
  return last;
}

void llm_tally_add(struct llm_tally *tally, const struct llm_call_usage *usage)
{
  if (!tally || !usage)
    return;
  struct llm_tally_row *row = row_of(tally, usage->model);
  row->prompt_tokens += usage->prompt_tokens;
  row->completion_tokens += usage->completion_tokens;
  row->embedding_tokens += usage->embedding_tokens;
  row->requests += usage->requests;
  if (usage->kind == LLM_CALL_CHAT)
    row->chat_calls++;
  else
    row->embed_calls++;
}

void llm_tally_totals(const struct llm_tally *tally, struct llm_tally_row *total)
{
  memset(total, 0, sizeof *total);
  for (int i = 0; i < tally->row_count; i++) {
    const struct llm_tally_row *row = &tally->rows[i];
    total->prompt_tokens += row->prompt_tokens;
    total->completion_tokens += row->completion_tokens;
    total->embedding_tokens += row->embedding_tokens;
    total->chat_calls += row->chat_calls;
    total->embed_calls += row->embed_calls;
    total->requests += row->requests;
  }
}

static json_t *row_json(const struct llm_tally_row *row)
{
  return json_pack("{s:I, s:I, s:I, s:I, s:I}", "promptTokens", (json_int_t)row->prompt_tokens,
                   "completionTokens", (json_int_t)row->completion_tokens, "embeddingTokens",
                   (json_int_t)row->embedding_tokens, "calls", (json_int_t)(row->chat_calls + row->embed_calls),
                   "requests", (json_int_t)row->requests);
}

json_t *llm_tally_json(const struct llm_tally *tally)
{
  struct llm_tally_row total;
  llm_tally_totals(tally, &total);
  json_t *out = row_json(&total);
  json_t *models = json_object();
  if (!out || !models)
    goto fail;
  for (int i = 0; i < tally->row_count; i++) {
    json_t *row = row_json(&tally->rows[i]);
    if (!row || json_object_set_new(models, tally->rows[i].model, row) != 0)
      goto fail;
  }
  if (json_object_set_new(out, "models", models) != 0) {
    models = NULL;
    goto fail;
  }
  return out;

fail:
  json_decref(models);
  json_decref(out);
  return NULL;
}
