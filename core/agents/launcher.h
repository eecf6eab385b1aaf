/*
 * launcher.h — enqueues agents as jobs: what `growthd launch` and POST /api/orchestrator/launch do.
 *
 * An agent is any scripts/agents/<name>.lua file. Each launched agent becomes one job named after it, with
 * data {"user": <profile>, "input": <input>}, the queue's attempts and exponential backoff (queue_set_job_defaults:
 * GROWTH_JOB_ATTEMPTS, GROWTH_JOB_BACKOFF_MS), and an id
 * "<agent>-<ms>-<random>" (the shape the replaced service logged: "Job journal-... added to queue").
 */
#ifndef GROWTH_AGENTS_LAUNCHER_H
#define GROWTH_AGENTS_LAUNCHER_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "queue/queue.h"

/* The agent names of scripts_dir/agents/ (every *.lua file, sorted). *names_out is a malloc'd array of
 * malloc'd names (free with queue_free_strings); ERR_NOT_FOUND when the folder cannot be read. */
int launcher_list_agents(const char *scripts_dir, char ***names_out, size_t *count_out, struct growth_error *err);

/* Reads the profile: the JSON object in path, or {} when path is NULL. New reference or NULL with err. */
json_t *launcher_read_profile(const char *path, struct growth_error *err);

/* Adds one job per name (all of scripts_dir/agents when count is 0) in one bulk add, each with the
 * profile's user and that agent's input (profile.h; profile may be NULL: {} for both). A name without a
 * script is ERR_NOT_FOUND and nothing is added. *ids_out as queue_add_bulk. */
int launcher_launch(struct queue *queue, const char *scripts_dir, const char *const *names, size_t count,
                    json_t *profile, char ***ids_out, size_t *ids_count, struct growth_error *err);

#endif
