/*
 * metrics.h — counters, gauges and histograms with labels, rendered in the
 * Prometheus text format 0.0.4 at GET /metrics.
 *
 * Any layer counts into the process-wide registry (metrics_global()) without
 * knowing about HTTP. Registering a family is one call, safe to repeat: the
 * same name, type and labels give back the same family, so a layer may
 * register at start or on first use:
 *
 *   static struct metric *jobs;
 *   jobs = metrics_counter(metrics_global(), "growth_jobs_total",
 *                          "Jobs finished, by agent and final state", "agent,state", &err);
 *   ...
 *   metric_inc(jobs, (const char *[]){ "journal", "completed" });
 *
 * Label values are given in the order of the label names; a family without
 * labels takes NULL. Every update function accepts a NULL family and does
 * nothing, so a failed registration never crashes a caller. The first use of
 * a label set allocates its series under a write lock; every later update of
 * it takes a read lock and changes atomics, with no allocation. A family holds
 * at most METRICS_MAX_SERIES label sets: updates of further ones are dropped
 * (and logged once), which bounds memory when a label comes from outside.
 *
 * Values a layer knows only when asked (queue depth from Redis, say) come from
 * a collector: a function the registry calls before every render, which sets
 * gauges.
 */
#ifndef GROWTH_BASE_METRICS_H
#define GROWTH_BASE_METRICS_H

#include <stddef.h>

#include "base/error.h"

#define METRICS_MAX_SERIES 2000
#define METRICS_MAX_LABELS 8
#define METRICS_MAX_BUCKETS 32

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metrics_registry;
struct metric;

struct metrics_registry *metrics_registry_new(struct growth_error *err);
void metrics_registry_free(struct metrics_registry *registry);

/* The process-wide registry that /metrics renders; created on first use, never freed. */
struct metrics_registry *metrics_global(void);

/* Registers (or finds) a family. name: [a-zA-Z_:][a-zA-Z0-9_:]*; labels: comma-separated label names
 * ("method,route,status"), or NULL or "" for none. NULL with err when a name is invalid, or when the name is
 * already registered with another type, other labels or other buckets (ERR_CONFLICT). The family lives as
 * long as the registry. */
struct metric *metrics_counter(struct metrics_registry *registry, const char *name, const char *help,
                               const char *labels, struct growth_error *err);
struct metric *metrics_gauge(struct metrics_registry *registry, const char *name, const char *help,
                             const char *labels, struct growth_error *err);

/* buckets: strictly increasing finite upper bounds (the +Inf bucket is implicit), or NULL for
 * metrics_seconds_buckets, which suit request and job durations measured in seconds. */
struct metric *metrics_histogram(struct metrics_registry *registry, const char *name, const char *help,
                                 const char *labels, const double *buckets, size_t bucket_count,
                                 struct growth_error *err);

extern const double metrics_seconds_buckets[];
extern const size_t metrics_seconds_bucket_count;

/* Counter or gauge +1. */
void metric_inc(struct metric *metric, const char *const *values);
/* Counter or gauge +delta (a counter ignores a negative or NaN delta: counters only go up). */
void metric_add(struct metric *metric, const char *const *values, double delta);
/* Gauge = value. */
void metric_set(struct metric *metric, const char *const *values, double value);
/* Histogram: counts value in its bucket and adds it to the sum. */
void metric_observe(struct metric *metric, const char *const *values, double value);

typedef void (*metrics_collect_fn)(void *context);

/* Calls fn(context) before every render. Remove it (same fn and context) before context is freed. */
int metrics_add_collector(struct metrics_registry *registry, metrics_collect_fn fn, void *context,
                          struct growth_error *err);
void metrics_remove_collector(struct metrics_registry *registry, metrics_collect_fn fn, void *context);

/* Renders every family in the text format 0.0.4 into a malloc'd, NUL-terminated text the caller frees. */
int metrics_render(struct metrics_registry *registry, char **text, size_t *length, struct growth_error *err);

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
