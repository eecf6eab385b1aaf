/*
 * queue_job.c — BullMQ's job hash and opts JSON, both ways (see queue_job.h).
 *
 * opts as Node writes it: {"attempts":N, "backoff":{"type":"fixed"|"exponential","delay":ms[,"jitter":x]},
 * "delay":ms, "priority":n, "lifo":true, "jobId":"...", "removeOnComplete": true|N|{"count","age"},
 * "removeOnFail": ..., "stackTraceLimit":n, "kl":n}. A bare number as backoff means fixed. Options this
 * worker does not act on (repeat, parent, de, ...) are kept in the text untouched.
 */
#include "queue/queue_job.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void queue_job_options_default(struct queue_job_options *options)
{
  memset(options, 0, sizeof *options);
  options->remove_on_complete = (struct queue_retention){ 0, -1, -1 };
  options->remove_on_fail = (struct queue_retention){ 0, -1, -1 };
  options->stack_trace_limit = -1;
}

static json_t *retention_json(const struct queue_retention *keep)
{
  if (keep->remove_all)
    return json_true();
  if (keep->count >= 0 && keep->age_s < 0)
    return json_integer(keep->count);
  json_t *object = json_object();
  if (object && keep->count >= 0)
    json_object_set_new(object, "count", json_integer(keep->count));
  if (object && keep->age_s >= 0)
    json_object_set_new(object, "age", json_integer(keep->age_s));
  return object;
}

static int retention_set(const struct queue_retention *keep)
{
  return keep->remove_all || keep->count >= 0 || keep->age_s >= 0;
}

char *queue_job_options_json(const struct queue_job_options *options, const char *job_id, struct growth_error *err)
{
  json_t *root = json_object();
  if (!root)
    goto fail;
  json_object_set_new(root, "attempts", json_integer(options->attempts));
  if (options->backoff_type != QUEUE_BACKOFF_NONE) {
    json_t *backoff = json_pack("{s:s, s:I}", "type",
                                options->backoff_type == QUEUE_BACKOFF_FIXED ? "fixed" : "exponential", "delay",
                                (json_int_t)options->backoff_delay_ms);
    if (backoff && options->backoff_jitter > 0)
      json_object_set_new(backoff, "jitter", json_real(options->backoff_jitter));
    json_object_set_new(root, "backoff", backoff);
  }
  if (options->delay_ms > 0)
    json_object_set_new(root, "delay", json_integer(options->delay_ms));
  if (options->priority > 0)
    json_object_set_new(root, "priority", json_integer(options->priority));
  if (options->lifo)
    json_object_set_new(root, "lifo", json_true());
  if (job_id)
    json_object_set_new(root, "jobId", json_string(job_id));
  if (retention_set(&options->remove_on_complete))
    json_object_set_new(root, "removeOnComplete", retention_json(&options->remove_on_complete));
  if (retention_set(&options->remove_on_fail))
    json_object_set_new(root, "removeOnFail", retention_json(&options->remove_on_fail));
  if (options->stack_trace_limit >= 0)
    json_object_set_new(root, "stackTraceLimit", json_integer(options->stack_trace_limit));
  if (options->keep_logs > 0)
    json_object_set_new(root, "kl", json_integer(options->keep_logs));
  char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  if (!text)
    goto fail;
  return text;
fail:
  error_set(err, ERR_NO_MEMORY, "job options: out of memory building the opts JSON");
  return NULL;
}

static long number_or(json_t *value, long fallback)
{
  if (json_is_integer(value))
    return (long)json_integer_value(value);
  if (json_is_real(value))
    return (long)llround(json_real_value(value));
  return fallback;
}

static void parse_retention(json_t *value, struct queue_retention *keep)
{
  if (json_is_true(value)) {
    keep->remove_all = 1;
  } else if (json_is_number(value)) {
    keep->count = number_or(value, -1);
    keep->remove_all = keep->count == 0;
  } else if (json_is_object(value)) {
    keep->count = number_or(json_object_get(value, "count"), -1);
    keep->age_s = number_or(json_object_get(value, "age"), -1);
    keep->remove_all = keep->count == 0;
  }
}

int queue_job_options_parse(const char *opts, struct queue_job_options *options, struct growth_error *err)
{
  queue_job_options_default(options);
  json_error_t parse_error;
  json_t *root = opts ? json_loads(opts, JSON_DECODE_ANY, &parse_error) : NULL;
  if (!json_is_object(root)) {
    json_decref(root);
    return error_set(err, ERR_BAD_ARGUMENT, "the job's opts field is not a JSON object (%s); expected BullMQ's opts JSON",
                     opts ? "unparseable or not an object" : "missing");
  }
  options->attempts = number_or(json_object_get(root, "attempts"), 0);
  json_t *backoff = json_object_get(root, "backoff");
  if (json_is_number(backoff)) {
    options->backoff_type = QUEUE_BACKOFF_FIXED;
    options->backoff_delay_ms = number_or(backoff, 0);
  } else if (json_is_object(backoff)) {
    const char *type = json_string_value(json_object_get(backoff, "type"));
    options->backoff_type = type && strcmp(type, "exponential") == 0 ? QUEUE_BACKOFF_EXPONENTIAL
                            : type && strcmp(type, "fixed") == 0     ? QUEUE_BACKOFF_FIXED
                                                                     : QUEUE_BACKOFF_NONE;
    options->backoff_delay_ms = number_or(json_object_get(backoff, "delay"), 0);
    json_t *jitter = json_object_get(backoff, "jitter");
    options->backoff_jitter = json_is_number(jitter) ? json_number_value(jitter) : 0;
  }
  options->delay_ms = number_or(json_object_get(root, "delay"), 0);
  options->priority = number_or(json_object_get(root, "priority"), 0);
  options->lifo = json_is_true(json_object_get(root, "lifo"));
  parse_retention(json_object_get(root, "removeOnComplete"), &options->remove_on_complete);
  parse_retention(json_object_get(root, "removeOnFail"), &options->remove_on_fail);
  options->stack_trace_limit = number_or(json_object_get(root, "stackTraceLimit"), -1);
  options->keep_logs = number_or(json_object_get(root, "kl"), 0);
  json_decref(root);
  return 0;
}

long queue_job_backoff_ms(const struct queue_job_options *options, long attempts_made)
{
  double delay = (double)options->backoff_delay_ms;
  if (options->backoff_type == QUEUE_BACKOFF_NONE || delay <= 0)
    return 0;
  if (options->backoff_type == QUEUE_BACKOFF_EXPONENTIAL)
    delay = round(pow(2.0, (double)attempts_made) * delay);
  if (options->backoff_jitter > 0) {
    double low = delay * (1.0 - fmin(options->backoff_jitter, 1.0));
    delay = floor(low + (delay - low) * ((double)rand() / ((double)RAND_MAX + 1.0)));
  }
  return (long)delay;
}

static char *copy_text(const char *value, size_t length)
{
  char *copy = malloc(length + 1);
  if (copy) {
    memcpy(copy, value, length);
    copy[length] = '\0';
  }
  return copy;
}

static long long to_number(const char *value)
{
  return value ? strtoll(value, NULL, 10) : 0;
}

struct queue_job *queue_job_from_fields(const char *id, const char *const *fields, const size_t *lengths,
                                        size_t count, struct growth_error *err)
{
  struct queue_job *job = calloc(1, sizeof *job);
  if (!job || !(job->id = strdup(id)))
    goto fail;
  const char *attempts_legacy = NULL;
  for (size_t i = 0; i + 1 < count; i += 2) {
    const char *field = fields[i], *value = fields[i + 1];
    size_t length = lengths[i + 1];
    char **text = strcmp(field, "name") == 0            ? &job->name
                  : strcmp(field, "data") == 0          ? &job->data
                  : strcmp(field, "opts") == 0          ? &job->opts
                  : strcmp(field, "progress") == 0      ? &job->progress
                  : strcmp(field, "returnvalue") == 0   ? &job->returnvalue
                  : strcmp(field, "failedReason") == 0  ? &job->failed_reason
                  : strcmp(field, "stacktrace") == 0    ? &job->stacktrace
                  : strcmp(field, "defa") == 0          ? &job->deferred_failure
                  : strcmp(field, "pb") == 0            ? &job->processed_by
                  : strcmp(field, "rjk") == 0           ? &job->scheduler_id
                                                        : NULL;
    if (text) {
      free(*text);
      if (!(*text = copy_text(value, length)))
        goto fail;
    } else if (strcmp(field, "timestamp") == 0) {
      job->timestamp = to_number(value);
    } else if (strcmp(field, "processedOn") == 0) {
      job->processed_on = to_number(value);
    } else if (strcmp(field, "finishedOn") == 0) {
      job->finished_on = to_number(value);
    } else if (strcmp(field, "delay") == 0) {
      job->delay = (long)to_number(value);
    } else if (strcmp(field, "priority") == 0) {
      job->priority = (long)to_number(value);
    } else if (strcmp(field, "atm") == 0) {
      job->attempts_made = (long)to_number(value);
    } else if (strcmp(field, "attemptsMade") == 0) {
      attempts_legacy = value;
    } else if (strcmp(field, "ats") == 0) {
      job->attempts_started = (long)to_number(value);
    } else if (strcmp(field, "stc") == 0) {
      job->stalled_counter = (long)to_number(value);
    } else if (strcmp(field, "parent") == 0 || strcmp(field, "deid") == 0) {
      job->has_links = 1;
    }
  }
  if (attempts_legacy && job->attempts_made == 0)
    job->attempts_made = (long)to_number(attempts_legacy);
  struct growth_error ignored = { 0 };
  job->options_valid = queue_job_options_parse(job->opts, &job->options, &ignored) == 0;
  return job;
fail:
  queue_job_free(job);
  error_set(err, ERR_NO_MEMORY, "job %s: out of memory reading its hash", id);
  return NULL;
}

void queue_job_free(struct queue_job *job)
{
  if (!job)
    return;
  free(job->id);
  free(job->token);
  free(job->name);
  free(job->data);
  free(job->opts);
  free(job->progress);
  free(job->returnvalue);
  free(job->failed_reason);
  free(job->stacktrace);
  free(job->deferred_failure);
  free(job->processed_by);
  free(job->scheduler_id);
  free(job);
}

/* JSON text parsed, or kept as a string when it does not parse (a damaged hash stays readable). */
static json_t *parsed_or_text(const char *text, json_t *fallback)
{
  if (!text)
    return fallback;
  json_decref(fallback);
  json_t *value = json_loads(text, JSON_DECODE_ANY, NULL);
  return value ? value : json_string(text);
}

static json_t *optional_time(int64_t value)
{
  return value ? json_integer(value) : json_null();
}

json_t *queue_job_to_json(const struct queue_job *job)
{
  json_t *root = json_object();
  if (!root)
    return NULL;
  json_object_set_new(root, "id", json_string(job->id));
  json_object_set_new(root, "name", json_string(job->name ? job->name : ""));
  json_object_set_new(root, "data", parsed_or_text(job->data, json_object()));
  json_object_set_new(root, "opts", parsed_or_text(job->opts, json_object()));
  json_object_set_new(root, "progress", parsed_or_text(job->progress, json_integer(0)));
  json_object_set_new(root, "delay", json_integer(job->delay));
  json_object_set_new(root, "priority", json_integer(job->priority));
  json_object_set_new(root, "timestamp", json_integer(job->timestamp));
  json_object_set_new(root, "attemptsMade", json_integer(job->attempts_made));
  json_object_set_new(root, "attemptsStarted", json_integer(job->attempts_started));
  json_object_set_new(root, "stalledCounter", json_integer(job->stalled_counter));
  json_object_set_new(root, "stacktrace", parsed_or_text(job->stacktrace, json_array()));
  json_object_set_new(root, "returnvalue", parsed_or_text(job->returnvalue, json_null()));
  json_object_set_new(root, "failedReason", job->failed_reason ? json_string(job->failed_reason) : json_null());
  json_object_set_new(root, "processedOn", optional_time(job->processed_on));
  json_object_set_new(root, "finishedOn", optional_time(job->finished_on));
  json_object_set_new(root, "processedBy", job->processed_by ? json_string(job->processed_by) : json_null());
  return root;
}
