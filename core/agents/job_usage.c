/*
 * job_usage.c — a job's LLM usage into its hash and /metrics (see job_usage.h).
 *
 * The families are registered once per process on first use; a failed
 * registration leaves a NULL family, which the metric_* calls ignore.
 */
#include "agents/job_usage.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/metrics.h"

static const double job_token_buckets[] = { 100, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
                                            500000, 1000000 };

static struct metric *tokens_metric, *calls_metric, *job_tokens_metric;
static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;

static void register_metrics(void)
{
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_global();
  tokens_metric = metrics_counter(registry, "growth_llm_tokens_total",
                                  "Tokens the LLM counted for agent jobs, by agent, model and kind (prompt, "
                                  "completion, embedding); 0 in offline mode",
                                  "agent,model,kind", &err);
  if (tokens_metric)
    calls_metric = metrics_counter(registry, "growth_llm_calls_total",
                                   "llm.chat and llm.embed calls of agent jobs, by agent and model", "agent,model",
                                   &err);
  if (calls_metric)
    job_tokens_metric = metrics_histogram(registry, "growth_llm_job_tokens",
                                          "All tokens one job spent on the LLM, by agent (jobs that called it)",
                                          "agent", job_token_buckets,
                                          sizeof job_token_buckets / sizeof job_token_buckets[0], &err);
  if (!job_tokens_metric)
    log_warn("LLM", "token usage per job will not be on /metrics: %s", err.message);
}

void job_usage_count(const char *agent, const struct llm_tally *usage)
{
  pthread_once(&metrics_once, register_metrics);
  long total = 0, calls = 0;
  for (int i = 0; i < usage->row_count; i++) {
    const struct llm_tally_row *row = &usage->rows[i];
    if (row->chat_calls > 0) {
      metric_add(tokens_metric, (const char *[]){ agent, row->model, "prompt" }, (double)row->prompt_tokens);
      metric_add(tokens_metric, (const char *[]){ agent, row->model, "completion" }, (double)row->completion_tokens);
    }
    if (row->embed_calls > 0)
      metric_add(tokens_metric, (const char *[]){ agent, row->model, "embedding" }, (double)row->embedding_tokens);
    metric_add(calls_metric, (const char *[]){ agent, row->model }, (double)(row->chat_calls + row->embed_calls));
    total += row->prompt_tokens + row->completion_tokens + row->embedding_tokens;
    calls += row->chat_calls + row->embed_calls;
  }
  if (calls > 0)
    metric_observe(job_tokens_metric, (const char *[]){ agent }, (double)total);
}

void job_usage_report(struct queue_job_control *control, const char *job_id, const char *agent,
                      const struct llm_tally *usage)
{
  job_usage_count(agent, usage);
  struct growth_error err = { 0 };
  json_t *value = llm_tally_json(usage);
  char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
  json_decref(value);
  if (!text)
    log_warn("Worker", "job %s: its LLM usage was not recorded: out of memory", job_id);
  else if (queue_control_set_field(control, JOB_USAGE_FIELD, text, &err) != 0)
    log_warn("Worker", "job %s: its LLM usage was not recorded: %s", job_id, err.message);
  free(text);
}
