/*
 * metrics.c — the metrics registry (see metrics.h).
 *
 * A registry is a list of families under a mutex; families are never removed
 * while the registry lives, so a `struct metric *` stays valid. Each family
 * keeps its series (one per label set) in a chained hash table for lookup and
 * in an array for rendering in first-use order, under a read-write lock. A
 * series is one allocation holding its label values and its atomics: a double
 * (as its bit pattern, updated with compare-and-swap) for counters and
 * gauges, and for histograms the sum plus one counter per bucket. Series are
 * never freed before the registry, so an update finds its series under the
 * read lock, lets go of it, and changes the atomics lock-free.
 *
 * Rendering reads a histogram's buckets once and derives the +Inf bucket and
 * _count from the same reads, so they always agree even while observations
 * land; _sum may include an observation that the buckets do not yet show,
 * which Prometheus tolerates (client libraries behave the same).
 */
#include "base/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics_text.h"

#define INITIAL_TABLE_SIZE 16

const double metrics_seconds_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30, 60, 300 };
const size_t metrics_seconds_bucket_count = sizeof metrics_seconds_buckets / sizeof metrics_seconds_buckets[0];

struct series {
  struct series *chain;                  /* next series in the same hash slot */
  uint64_t hash;
  const char *values[METRICS_MAX_LABELS];
  _Atomic uint64_t value;                /* counter/gauge value, or histogram sum: bits of a double */
  _Atomic uint64_t buckets[];            /* histogram: observations per bucket, the last one +Inf */
};

struct metric {
  char *name;
  char *help;
  enum metric_type type;
  size_t label_count;
  char *label_names[METRICS_MAX_LABELS];
  double bounds[METRICS_MAX_BUCKETS];
  size_t bound_count;
  pthread_rwlock_t lock;
  struct series **table;
  size_t table_size;
  struct series **order;
  size_t count;
  size_t capacity;
  atomic_int overflow_logged;
};

struct collector {
  metrics_collect_fn fn;
  void *context;
};

struct metrics_registry {
  pthread_mutex_t lock;
  struct metric **families;
  size_t count;
  size_t capacity;
  pthread_mutex_t collect_lock;          /* held while collectors run, so removal waits for them */
  struct collector *collectors;
  size_t collector_count;
  size_t collector_capacity;
};

static double bits_to_double(uint64_t bits)
{
  double value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

static uint64_t double_to_bits(double value)
{
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

static void atomic_add_double(_Atomic uint64_t *target, double delta)
{
  uint64_t old = atomic_load_explicit(target, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(target, &old, double_to_bits(bits_to_double(old) + delta),
                                                memory_order_relaxed, memory_order_relaxed))
    ;
}

static const char *value_at(const char *const *values, size_t i)
{
  return values && values[i] ? values[i] : "";
}

static uint64_t hash_values(const struct metric *metric, const char *const *values)
{
  uint64_t hash = 1469598103934665603ULL;
  for (size_t i = 0; i < metric->label_count; i++) {
    for (const unsigned char *p = (const unsigned char *)value_at(values, i); *p; p++)
      hash = (hash ^ *p) * 1099511628211ULL;
    hash = (hash ^ 0xff) * 1099511628211ULL;
  }
  return hash;
}

static struct series *find_series(const struct metric *metric, const char *const *values, uint64_t hash)
{
  for (struct series *s = metric->table[hash & (metric->table_size - 1)]; s; s = s->chain) {
    if (s->hash != hash)
      continue;
    size_t i = 0;
    while (i < metric->label_count && strcmp(s->values[i], value_at(values, i)) == 0)
      i++;
    if (i == metric->label_count)
      return s;
  }
  return NULL;
}

static int grow_table(struct metric *metric)
{
  size_t size = metric->table_size * 2;
  struct series **table = calloc(size, sizeof *table);
  if (!table)
    return -1;
  for (size_t i = 0; i < metric->count; i++) {
    struct series *s = metric->order[i];
    s->chain = table[s->hash & (size - 1)];
    table[s->hash & (size - 1)] = s;
  }
  free(metric->table);
  metric->table = table;
  metric->table_size = size;
  return 0;
}

/* Under the write lock. NULL when out of memory or over METRICS_MAX_SERIES. */
static struct series *add_series(struct metric *metric, const char *const *values, uint64_t hash)
{
  if (metric->count >= METRICS_MAX_SERIES) {
    if (atomic_exchange(&metric->overflow_logged, 1) == 0)
      log_warn("Metrics", "%s has %d label sets; updates of new ones are dropped", metric->name, METRICS_MAX_SERIES);
    return NULL;
  }
  if (metric->count == metric->capacity) {
    size_t capacity = metric->capacity ? metric->capacity * 2 : 16;
    struct series **order = realloc(metric->order, capacity * sizeof *order);
    if (!order)
      return NULL;
    metric->order = order;
    metric->capacity = capacity;
  }
  if ((metric->count + 1) * 4 > metric->table_size * 3 && grow_table(metric) != 0)
    return NULL;
  size_t bucket_count = metric->type == METRIC_HISTOGRAM ? metric->bound_count + 1 : 0;
  size_t head = sizeof(struct series) + bucket_count * sizeof(_Atomic uint64_t);
  size_t text = 0;
  for (size_t i = 0; i < metric->label_count; i++)
    text += strlen(value_at(values, i)) + 1;
  struct series *s = calloc(1, head + text);
  if (!s)
    return NULL;
  char *cursor = (char *)s + head;
  for (size_t i = 0; i < metric->label_count; i++) {
    size_t length = strlen(value_at(values, i)) + 1;
    memcpy(cursor, value_at(values, i), length);
    s->values[i] = cursor;
    cursor += length;
  }
  s->hash = hash;
  atomic_init(&s->value, double_to_bits(0.0));
  for (size_t i = 0; i < bucket_count; i++)
    atomic_init(&s->buckets[i], 0);
  s->chain = metric->table[hash & (metric->table_size - 1)];
  metric->table[hash & (metric->table_size - 1)] = s;
  metric->order[metric->count++] = s;
  return s;
}

static struct series *series_for(struct metric *metric, const char *const *values)
{
  uint64_t hash = hash_values(metric, values);
  pthread_rwlock_rdlock(&metric->lock);
  struct series *s = find_series(metric, values, hash);
  pthread_rwlock_unlock(&metric->lock);
  if (s)
    return s;
  pthread_rwlock_wrlock(&metric->lock);
  s = find_series(metric, values, hash);
  if (!s)
    s = add_series(metric, values, hash);
  pthread_rwlock_unlock(&metric->lock);
  return s;
}

void metric_add(struct metric *metric, const char *const *values, double delta)
{
  if (!metric || metric->type == METRIC_HISTOGRAM)
    return;
  if (metric->type == METRIC_COUNTER && !(delta >= 0))
    return;
  struct series *s = series_for(metric, values);
  if (s)
    atomic_add_double(&s->value, delta);
}

void metric_inc(struct metric *metric, const char *const *values)
{
  metric_add(metric, values, 1.0);
}

void metric_set(struct metric *metric, const char *const *values, double value)
{
  if (!metric || metric->type != METRIC_GAUGE)
    return;
  struct series *s = series_for(metric, values);
  if (s)
    atomic_store_explicit(&s->value, double_to_bits(value), memory_order_relaxed);
}

void metric_observe(struct metric *metric, const char *const *values, double value)
{
  if (!metric || metric->type != METRIC_HISTOGRAM || isnan(value))
    return;
  struct series *s = series_for(metric, values);
  if (!s)
    return;
  size_t bucket = 0;
  while (bucket < metric->bound_count && value > metric->bounds[bucket])
    bucket++;
  atomic_fetch_add_explicit(&s->buckets[bucket], 1, memory_order_relaxed);
  atomic_add_double(&s->value, value);
}

static void metric_free(struct metric *metric)
{
  if (!metric)
    return;
  for (size_t i = 0; i < metric->count; i++)
    free(metric->order[i]);
  free(metric->order);
  free(metric->table);
  for (size_t i = 0; i < metric->label_count; i++)
    free(metric->label_names[i]);
  pthread_rwlock_destroy(&metric->lock);
  free(metric->help);
  free(metric->name);
  free(metric);
}

/* Splits "a,b,c" into metric->label_names. */
static int parse_label_names(struct metric *metric, const char *labels, struct growth_error *err)
{
  if (!labels || !*labels)
    return 0;
  const char *cursor = labels;
  for (;;) {
    size_t length = strcspn(cursor, ",");
    if (!metrics_text_valid_label_name(cursor, length))
      return error_set(err, ERR_BAD_ARGUMENT, "metric %s: label name '%.*s' is invalid; expected "
                       "[a-zA-Z_][a-zA-Z0-9_]*, not starting with __ and not 'le'", metric->name, (int)length, cursor);
    if (metric->label_count == METRICS_MAX_LABELS)
      return error_set(err, ERR_BAD_ARGUMENT, "metric %s: more than %d labels", metric->name, METRICS_MAX_LABELS);
    for (size_t i = 0; i < metric->label_count; i++)
      if (strlen(metric->label_names[i]) == length && strncmp(metric->label_names[i], cursor, length) == 0)
        return error_set(err, ERR_BAD_ARGUMENT, "metric %s: label '%.*s' is listed twice", metric->name,
                         (int)length, cursor);
    metric->label_names[metric->label_count] = strndup(cursor, length);
    if (!metric->label_names[metric->label_count])
      return error_set(err, ERR_NO_MEMORY, "metric %s: out of memory", metric->name);
    metric->label_count++;
    if (cursor[length] == '\0')
      return 0;
    cursor += length + 1;
  }
}

static int set_bounds(struct metric *metric, const double *buckets, size_t count, struct growth_error *err)
{
  if (!buckets) {
    buckets = metrics_seconds_buckets;
    count = metrics_seconds_bucket_count;
  }
  if (count == 0 || count > METRICS_MAX_BUCKETS)
    return error_set(err, ERR_BAD_ARGUMENT, "metric %s: %zu buckets; expected 1 to %d", metric->name, count,
                     METRICS_MAX_BUCKETS);
  for (size_t i = 0; i < count; i++) {
    if (!isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1]))
      return error_set(err, ERR_BAD_ARGUMENT, "metric %s: bucket bounds must be finite and strictly increasing",
                       metric->name);
    metric->bounds[i] = buckets[i];
  }
  metric->bound_count = count;
  return 0;
}

static struct metric *metric_new(const char *name, const char *help, enum metric_type type, const char *labels,
                                 const double *buckets, size_t bucket_count, struct growth_error *err)
{
  struct metric *metric = calloc(1, sizeof *metric);
  if (!metric) {
    error_set(err, ERR_NO_MEMORY, "metric %s: out of memory", name);
    return NULL;
  }
  pthread_rwlock_init(&metric->lock, NULL);
  metric->type = type;
  metric->name = strdup(name);
  metric->help = strdup(help ? help : "");
  metric->table = calloc(INITIAL_TABLE_SIZE, sizeof *metric->table);
  metric->table_size = INITIAL_TABLE_SIZE;
  if (!metric->name || !metric->help || !metric->table) {
    error_set(err, ERR_NO_MEMORY, "metric %s: out of memory", name);
    goto fail;
  }
  if (parse_label_names(metric, labels, err) != 0)
    goto fail;
  if (type == METRIC_HISTOGRAM && set_bounds(metric, buckets, bucket_count, err) != 0)
    goto fail;
  /* A family without labels has exactly one series: create it now so it renders as 0 before any update. */
  if (metric->label_count == 0 && !add_series(metric, NULL, hash_values(metric, NULL))) {
    error_set(err, ERR_NO_MEMORY, "metric %s: out of memory", name);
    goto fail;
  }
  return metric;

fail:
  metric_free(metric);
  return NULL;
}

static int same_shape(const struct metric *a, const struct metric *b)
{
  if (a->type != b->type || a->label_count != b->label_count || a->bound_count != b->bound_count)
    return 0;
  for (size_t i = 0; i < a->label_count; i++)
    if (strcmp(a->label_names[i], b->label_names[i]) != 0)
      return 0;
  for (size_t i = 0; i < a->bound_count; i++)
    if (a->bounds[i] != b->bounds[i])
      return 0;
  return 1;
}

static struct metric *register_family(struct metrics_registry *registry, const char *name, const char *help,
                                      enum metric_type type, const char *labels, const double *buckets,
                                      size_t bucket_count, struct growth_error *err)
{
  if (!registry) {
    error_set(err, ERR_NO_MEMORY, "metric %s: no registry (out of memory at start)", name ? name : "(null)");
    return NULL;
  }
  if (!metrics_text_valid_metric_name(name)) {
    error_set(err, ERR_BAD_ARGUMENT, "metric name '%s' is invalid; expected [a-zA-Z_:][a-zA-Z0-9_:]*",
              name ? name : "(null)");
    return NULL;
  }
  struct metric *candidate = metric_new(name, help, type, labels, buckets, bucket_count, err);
  if (!candidate)
    return NULL;
  struct metric *result = NULL;
  pthread_mutex_lock(&registry->lock);
  for (size_t i = 0; i < registry->count; i++) {
    if (strcmp(registry->families[i]->name, name) != 0)
      continue;
    if (same_shape(registry->families[i], candidate))
      result = registry->families[i];
    else
      error_set(err, ERR_CONFLICT, "metric %s is already registered with another type, labels or buckets", name);
    goto done;
  }
  if (registry->count == registry->capacity) {
    size_t capacity = registry->capacity ? registry->capacity * 2 : 32;
    struct metric **families = realloc(registry->families, capacity * sizeof *families);
    if (!families) {
      error_set(err, ERR_NO_MEMORY, "metric %s: out of memory", name);
      goto done;
    }
    registry->families = families;
    registry->capacity = capacity;
  }
  registry->families[registry->count++] = candidate;
  result = candidate;
  candidate = NULL;

done:
  pthread_mutex_unlock(&registry->lock);
  metric_free(candidate);
  return result;
}

struct metric *metrics_counter(struct metrics_registry *registry, const char *name, const char *help,
                               const char *labels, struct growth_error *err)
{
  return register_family(registry, name, help, METRIC_COUNTER, labels, NULL, 0, err);
}

struct metric *metrics_gauge(struct metrics_registry *registry, const char *name, const char *help,
                             const char *labels, struct growth_error *err)
{
  return register_family(registry, name, help, METRIC_GAUGE, labels, NULL, 0, err);
}

struct metric *metrics_histogram(struct metrics_registry *registry, const char *name, const char *help,
                                 const char *labels, const double *buckets, size_t bucket_count,
                                 struct growth_error *err)
{
  return register_family(registry, name, help, METRIC_HISTOGRAM, labels, buckets, bucket_count, err);
}

struct metrics_registry *metrics_registry_new(struct growth_error *err)
{
  struct metrics_registry *registry = calloc(1, sizeof *registry);
  if (!registry) {
    error_set(err, ERR_NO_MEMORY, "metrics registry: out of memory");
    return NULL;
  }
  pthread_mutex_init(&registry->lock, NULL);
  pthread_mutex_init(&registry->collect_lock, NULL);
  return registry;
}

void metrics_registry_free(struct metrics_registry *registry)
{
  if (!registry)
    return;
  for (size_t i = 0; i < registry->count; i++)
    metric_free(registry->families[i]);
  free(registry->families);
  free(registry->collectors);
  pthread_mutex_destroy(&registry->collect_lock);
  pthread_mutex_destroy(&registry->lock);
  free(registry);
}

static struct metrics_registry *global_registry;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void create_global(void)
{
  global_registry = metrics_registry_new(NULL);
}

struct metrics_registry *metrics_global(void)
{
  pthread_once(&global_once, create_global);
  return global_registry;
}

int metrics_add_collector(struct metrics_registry *registry, metrics_collect_fn fn, void *context,
                          struct growth_error *err)
{
  if (!registry)
    return error_set(err, ERR_NO_MEMORY, "metrics collector: no registry");
  pthread_mutex_lock(&registry->collect_lock);
  if (registry->collector_count == registry->collector_capacity) {
    size_t capacity = registry->collector_capacity ? registry->collector_capacity * 2 : 8;
    struct collector *grown = realloc(registry->collectors, capacity * sizeof *grown);
    if (!grown) {
      pthread_mutex_unlock(&registry->collect_lock);
      return error_set(err, ERR_NO_MEMORY, "metrics collector: out of memory");
    }
    registry->collectors = grown;
    registry->collector_capacity = capacity;
  }
  registry->collectors[registry->collector_count++] = (struct collector){ fn, context };
  pthread_mutex_unlock(&registry->collect_lock);
  return 0;
}

void metrics_remove_collector(struct metrics_registry *registry, metrics_collect_fn fn, void *context)
{
  if (!registry)
    return;
  pthread_mutex_lock(&registry->collect_lock);
  for (size_t i = 0; i < registry->collector_count; i++) {
    if (registry->collectors[i].fn == fn && registry->collectors[i].context == context) {
      memmove(&registry->collectors[i], &registry->collectors[i + 1],
              (registry->collector_count - i - 1) * sizeof registry->collectors[0]);
      registry->collector_count--;
      break;
    }
  }
  pthread_mutex_unlock(&registry->collect_lock);
}

/* {a="x",b="y"} or {a="x",le="0.5"}; nothing when there is no label at all. */
static void write_labels(FILE *out, const struct metric *metric, const struct series *s, const char *le)
{
  if (metric->label_count == 0 && !le)
    return;
  fputc('{', out);
  for (size_t i = 0; i < metric->label_count; i++) {
    fprintf(out, "%s%s=\"", i ? "," : "", metric->label_names[i]);
    metrics_text_label_value(out, s->values[i]);
    fputc('"', out);
  }
  if (le)
    fprintf(out, "%sle=\"%s\"", metric->label_count ? "," : "", le);
  fputc('}', out);
}

static void write_sample(FILE *out, const struct metric *metric, const char *suffix, const struct series *s,
                         const char *le, double value)
{
  char number[32];
  metrics_text_number(value, number, sizeof number);
  fprintf(out, "%s%s", metric->name, suffix);
  write_labels(out, metric, s, le);
  fprintf(out, " %s\n", number);
}

static void write_histogram(FILE *out, const struct metric *metric, const struct series *s)
{
  uint64_t cumulative = 0;
  char le[32];
  for (size_t i = 0; i < metric->bound_count; i++) {
    cumulative += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
    metrics_text_number(metric->bounds[i], le, sizeof le);
    write_sample(out, metric, "_bucket", s, le, (double)cumulative);
  }
  cumulative += atomic_load_explicit(&s->buckets[metric->bound_count], memory_order_relaxed);
  write_sample(out, metric, "_bucket", s, "+Inf", (double)cumulative);
  write_sample(out, metric, "_sum", s, NULL, bits_to_double(atomic_load(&s->value)));
  write_sample(out, metric, "_count", s, NULL, (double)cumulative);
}

static void write_family(FILE *out, struct metric *metric)
{
  static const char *const type_names[] = { "counter", "gauge", "histogram" };
  fprintf(out, "# HELP %s ", metric->name);
  metrics_text_help(out, metric->help);
  fprintf(out, "\n# TYPE %s %s\n", metric->name, type_names[metric->type]);
  pthread_rwlock_rdlock(&metric->lock);
  for (size_t i = 0; i < metric->count; i++) {
    const struct series *s = metric->order[i];
    if (metric->type == METRIC_HISTOGRAM)
      write_histogram(out, metric, s);
    else
      write_sample(out, metric, "", s, NULL, bits_to_double(atomic_load(&s->value)));
  }
  pthread_rwlock_unlock(&metric->lock);
}

static void run_collectors(struct metrics_registry *registry)
{
  pthread_mutex_lock(&registry->collect_lock);
  for (size_t i = 0; i < registry->collector_count; i++)
    registry->collectors[i].fn(registry->collectors[i].context);
  pthread_mutex_unlock(&registry->collect_lock);
}

int metrics_render(struct metrics_registry *registry, char **text, size_t *length, struct growth_error *err)
{
  *text = NULL;
  *length = 0;
  if (!registry)
    return error_set(err, ERR_NO_MEMORY, "metrics: no registry");
  run_collectors(registry);
  FILE *out = open_memstream(text, length);
  if (!out)
    return error_set(err, ERR_NO_MEMORY, "metrics: cannot open a memory stream");
  pthread_mutex_lock(&registry->lock);
  for (size_t i = 0; i < registry->count; i++)
    write_family(out, registry->families[i]);
  pthread_mutex_unlock(&registry->lock);
  int failed = ferror(out);
  if (fclose(out) != 0 || failed || !*text) {
    free(*text);
    *text = NULL;
    *length = 0;
    return error_set(err, ERR_NO_MEMORY, "metrics: out of memory rendering the text format");
  }
  return 0;
}
