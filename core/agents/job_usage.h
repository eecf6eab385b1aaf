/*
 * job_usage.h — what a queued job spent on the LLM, reported when it ends.
 *
 * The runner hands back the job's struct llm_tally (runner_outcome.llm_usage,
 * filled by growth.llm through the job's services_job). At the job's end, done
 * or failed, job_usage_report:
 *
 *   - writes the job hash's field "llmUsage" (JOB_USAGE_FIELD), the JSON of
 *     llm_tally_json, which GET /api/orchestrator/jobs/{id} shows;
 *   - counts into /metrics of this process:
 *       growth_llm_tokens_total{agent,model,kind}   kind prompt, completion (chat) or embedding
 *       growth_llm_calls_total{agent,model}         llm.chat and llm.embed calls
 *       growth_llm_job_tokens{agent}                histogram of all tokens of a job, for jobs that
 *                                                   called growth.llm at all
 *     A model that had chat calls gets its prompt and completion series, one
 *     that had embed calls its embedding series, even at 0 (offline mode).
 *
 * Failures to report are logged; they never change the job's outcome.
 */
#ifndef GROWTH_AGENTS_JOB_USAGE_H
#define GROWTH_AGENTS_JOB_USAGE_H

#include "providers/llm/llm_usage.h"
#include "queue/queue_handler.h"

#define JOB_USAGE_FIELD "llmUsage"

/* Writes the job's llmUsage field through control and counts usage under agent in /metrics. */
void job_usage_report(struct queue_job_control *control, const char *job_id, const char *agent,
                      const struct llm_tally *usage);

/* Counts usage under agent in /metrics only (what job_usage_report counts). */
void job_usage_count(const char *agent, const struct llm_tally *usage);

#endif
