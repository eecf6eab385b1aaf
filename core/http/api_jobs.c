/*
 * api_jobs.c — one job and the queue as a whole: GET /api/orchestrator/jobs/{id}, POST
 * /api/orchestrator/jobs/{id}/retry, POST /api/orchestrator/pause and /resume, and GET
 * /api/artifacts/{jobId}/{name}, the files a job saved under GROWTH_DATA_DIR/artifacts/<jobId>/.
 *
 * The job's scriptVersion and llmUsage are the fields the job runner writes (agents/job_runner.h,
 * agents/job_usage.h). A job's state is read
 * from its hash: finished with a failedReason is failed, finished otherwise
 * completed, taken (processedOn, a lock token) active, with a delay delayed, else waiting.
 *
 * Artifacts: the job id and the file name must both be plain names (letters, digits, '.', '_', '-', not
 * starting with '.'), so no request reaches outside the job's folder; the file is opened with O_NOFOLLOW
 * and must be a regular file. PDFs are sent inline so a browser shows them; unknown types go as
 * application/octet-stream attachments; every answer has X-Content-Type-Options: nosniff.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agents/job_runner.h"
#include "agents/job_usage.h"
#include "agents/registry.h"
#include "base/log.h"
#include "http/api_handlers.h"
#include "queue/queue_retry.h"

#define ARTIFACT_MAX_BYTES (64L * 1024 * 1024)
#define JOB_LOG_LINES 1000

static int plain_name(const char *name)
{
  size_t length = strlen(name);
  return length > 0 && length <= 200 && name[0] != '.' &&
         strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == length;
}

static const char *job_state(const struct queue_job *job)
{
  if (job->finished_on)
    return job->failed_reason ? "failed" : "completed";
  if (job->processed_on || job->token)
    return "active";
  if (job->delay > 0)
    return "delayed";
  return "waiting";
}

/* [{"name","url"}] of the job's artifact folder ([] when it has none). */
static json_t *artifact_list(const struct api_context *context, const char *id)
{
  json_t *list = json_array();
  char path[4096];
  snprintf(path, sizeof path, "%s/artifacts/%s", context->config->data_dir, id);
  DIR *dir = opendir(path);
  if (!dir)
    return list;
  struct dirent *entry;
  while (list && (entry = readdir(dir))) {
    if (!plain_name(entry->d_name))
      continue;
    char url[600];
    snprintf(url, sizeof url, "/api/artifacts/%s/%s", id, entry->d_name);
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", entry->d_name, "url", url));
  }
  closedir(dir);
  return list;
}

/* What the job runner wrote into the job's hash: "scriptVersion" (the version the job ran, a string) and
 * "llmUsage" (its LLM tokens, JSON; agents/job_usage.h), each null when absent. */
static void runner_fields(const struct api_context *context, const char *id, json_t *body)
{
  struct growth_error err = { 0 };
  char key[600];
  snprintf(key, sizeof key, "%s%s", queue_key_prefix(context->queue), id);
  struct redis_conn *conn = redis_pool_acquire(context->redis, &err);
  redisReply *reply = conn ? redis_conn_command(conn, &err, "HMGET %s %s %s", key, JOB_RUNNER_VERSION_FIELD,
                                                JOB_USAGE_FIELD)
                           : NULL;
  if (conn)
    redis_pool_release(context->redis, conn);
  int ok = reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2;
  const redisReply *version = ok ? reply->element[0] : NULL, *usage = ok ? reply->element[1] : NULL;
  json_t *version_value = version && version->type == REDIS_REPLY_STRING ? json_string(version->str) : NULL;
  json_t *usage_value = usage && usage->type == REDIS_REPLY_STRING ? json_loads(usage->str, 0, NULL) : NULL;
  if (reply)
    freeReplyObject(reply);
  json_object_set_new(body, "scriptVersion", version_value ? version_value : json_null());
  json_object_set_new(body, "llmUsage", usage_value ? usage_value : json_null());
}

void api_orchestrator_job(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *id = route_param(&request->params, "id");
  struct growth_error err = { 0 };
  if (!plain_name(id)) {
    http_respond_error(response, 404, "not_found", "no job %.64s", id);
    return;
  }
  struct queue_job *job = queue_get_job(context->queue, id, &err);
  if (!job) {
    http_respond_growth_error(response, &err);
    return;
  }
  char **lines = NULL;
  size_t line_count = 0;
  long total = 0;
  if (queue_job_logs(context->queue, id, -JOB_LOG_LINES, -1, &lines, &line_count, &total, &err) != 0) {
    queue_job_free(job);
    http_respond_growth_error(response, &err);
    return;
  }
  json_t *logs = json_array();
  for (size_t i = 0; logs && i < line_count; i++)
    json_array_append_new(logs, json_string(lines[i]));
  queue_free_strings(lines, line_count);
  json_t *body = queue_job_to_json(job);
  if (body) {
    char version[AGENT_VERSION_MAX] = "";
    registry_version(context->registry, job->name ? job->name : "", version);
    json_object_set_new(body, "state", json_string(job_state(job)));
    json_object_set_new(body, "logs", logs ? logs : json_array());
    json_object_set_new(body, "logCount", json_integer(total));
    json_object_set_new(body, "artifacts", artifact_list(context, id));
    runner_fields(context, id, body);
    json_object_set_new(body, "currentScriptVersion", version[0] ? json_string(version) : json_null());
    json_object_set_new(body, "attempts", json_integer(job->options.attempts));
    if (job->finished_on && job->processed_on)
      json_object_set_new(body, "durationMs", json_integer(job->finished_on - job->processed_on));
  } else {
    json_decref(logs);
  }
  queue_job_free(job);
  http_respond_json(response, 200, body);
}

void api_orchestrator_retry(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *id = route_param(&request->params, "id");
  struct growth_error err = { 0 };
  if (!plain_name(id)) {
    http_respond_error(response, 404, "not_found", "no job %.64s", id);
    return;
  }
  if (queue_retry_job(context->queue, id, &err) != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  log_info("Orchestrator", "job %s retried", id);
  http_respond_json(response, 202, json_pack("{s:s, s:s}", "jobId", id, "state", "waiting"));
}

static void pause_or_resume(struct http_request *request, struct http_response *response, int pause)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  int status = pause ? queue_pause(context->queue, &err) : queue_resume(context->queue, &err);
  if (status != 0) {
    http_respond_growth_error(response, &err);
    return;
  }
  log_info("Orchestrator", "queue %s %s", context->config->queue_name, pause ? "paused" : "resumed");
  http_respond_json(response, 200, json_pack("{s:s, s:b}", "queue", context->config->queue_name, "paused", pause));
}

void api_orchestrator_pause(struct http_request *request, struct http_response *response)
{
  pause_or_resume(request, response, 1);
}

void api_orchestrator_resume(struct http_request *request, struct http_response *response)
{
  pause_or_resume(request, response, 0);
}

static const struct {
  const char *extension;
  const char *type;
} artifact_types[] = {
  { ".pdf", "application/pdf" },
  { ".csv", "text/csv; charset=utf-8" },
  { ".json", "application/json; charset=utf-8" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".md", "text/markdown; charset=utf-8" },
  { ".ics", "text/calendar; charset=utf-8" },
  { ".eml", "message/rfc822" },
  { ".png", "image/png" },
  { ".jpg", "image/jpeg" },
};

static const char *artifact_type(const char *name)
{
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof artifact_types / sizeof artifact_types[0]; i++)
    if (strcasecmp(dot, artifact_types[i].extension) == 0)
      return artifact_types[i].type;
  return NULL;
}

/* Reads an open regular file whole; NULL with errno set. */
static char *read_whole(int fd, size_t *length)
{
  struct stat info;
  if (fstat(fd, &info) != 0)
    return NULL;
  if (!S_ISREG(info.st_mode)) {
    errno = ENOENT;
    return NULL;
  }
  if (info.st_size > ARTIFACT_MAX_BYTES) {
    errno = EFBIG;
    return NULL;
  }
  char *data = malloc((size_t)info.st_size + 1);
  if (!data)
    return NULL;
  size_t done = 0;
  while (done < (size_t)info.st_size) {
    ssize_t got = read(fd, data + done, (size_t)info.st_size - done);
    if (got <= 0) {
      free(data);
      errno = got == 0 ? EIO : errno;
      return NULL;
    }
    done += (size_t)got;
  }
  *length = done;
  return data;
}

void api_artifact(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  const char *job_id = route_param(&request->params, "jobId");
  const char *name = route_param(&request->params, "name");
  if (!plain_name(job_id) || !plain_name(name)) {
    http_respond_error(response, 404, "not_found", "no such artifact; job ids and file names are plain names");
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/artifacts/%s/%s", context->config->data_dir, job_id, name);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  size_t length = 0;
  char *data = fd >= 0 ? read_whole(fd, &length) : NULL;
  int saved = errno;
  if (fd >= 0)
    close(fd);
  if (!data) {
    if (saved == ENOENT || saved == ELOOP || saved == ENOTDIR)
      http_respond_error(response, 404, "not_found", "job %s has no artifact %s", job_id, name);
    else
      http_respond_error(response, 500, "io_error", "cannot read artifact %s of job %s: %s", name, job_id,
                         strerror(saved));
    return;
  }
  const char *type = artifact_type(name);
  http_respond_bytes(response, 200, type ? type : "application/octet-stream", data, length);
  char disposition[256];
  snprintf(disposition, sizeof disposition, "%s; filename=\"%s\"", type ? "inline" : "attachment", name);
  http_response_add_header(response, "Content-Disposition", disposition);
  http_response_add_header(response, "X-Content-Type-Options", "nosniff");
  http_response_add_header(response, "Cache-Control", "private, no-cache");
}
