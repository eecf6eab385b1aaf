/*
 * services.c — the backends of a process's integrations and the job's artifact
 * folder (see services.h).
 *
 * The state of each integration is decided once, at services_new, because the
 * settings never change while the process runs; readers then need no lock.
 * The HTTP client is made only when a live backend (llm, sms) needs it; it is
 * safe to share between threads (http_client.h).
 */
#include "providers/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "net/http_client.h"
#include "providers/llm/llm.h"
#include "providers/local_files.h"
#include "providers/mail/mail.h"
#include "providers/services_google.h"
#include "providers/sms/sms.h"

#define ARTIFACT_NAME_MAX 128

struct services {
  const struct config *config;
  struct service_status status[SERVICE_COUNT];
  struct services_google google;   /* also holds the process's one HTTP client, shared by llm and sms */
};

static const char *const service_names[SERVICE_COUNT] = { "llm", "mail", "sms", "pdf", "sheets", "calendar",
                                                                 "drive" };
static const char *const state_names[] = { "live", "local", "missing", "not_configured" };

static void decide_mail(const struct config *cfg, struct service_status *out)
{
  enum mail_backend backend = mail_backend_of(cfg);
  if (backend == MAIL_BACKEND_LIVE && !cfg->gmail_sender_address) {
    out->state = SERVICE_MISSING;
    snprintf(out->reason, sizeof out->reason, "SMTP_HOST is set but GMAIL_SENDER_ADDRESS is not; expected the "
                                              "sender's address");
  } else if (backend == MAIL_BACKEND_LIVE) {
    out->state = SERVICE_LIVE;
    snprintf(out->reason, sizeof out->reason, "SMTP at %s:%ld, from %s", cfg->smtp_host, cfg->smtp_port,
             cfg->gmail_sender_address);
  } else if (backend == MAIL_BACKEND_LOCAL) {
    out->state = SERVICE_LOCAL;
    snprintf(out->reason, sizeof out->reason, "SMTP_HOST is not set: messages are written as .eml files to "
                                              "%s/outbox/mail/", cfg->data_dir);
  } else {
    out->state = SERVICE_MISSING;
    snprintf(out->reason, sizeof out->reason, "SMTP_HOST is not set; in production mail is never written to the "
                                              "local outbox instead");
  }
}

static void decide_sms(const struct config *cfg, struct service_status *out)
{
  static const enum service_state states[] = {
    [SMS_BACKEND_LIVE] = SERVICE_LIVE, [SMS_BACKEND_LOCAL] = SERVICE_LOCAL,
    [SMS_BACKEND_MISSING] = SERVICE_MISSING, [SMS_BACKEND_NOT_CONFIGURED] = SERVICE_NOT_CONFIGURED,
  };
  out->state = states[sms_backend_of(cfg, out->reason, sizeof out->reason)];
}

static void decide_llm(const struct config *cfg, struct service_status *out)
{
  static const enum service_state states[] = {
    [LLM_BACKEND_LIVE] = SERVICE_LIVE, [LLM_BACKEND_LOCAL] = SERVICE_LOCAL, [LLM_BACKEND_MISSING] = SERVICE_MISSING,
  };
  out->state = states[llm_backend_of(cfg, out->reason, sizeof out->reason)];
}

struct services *services_new(const struct config *config, struct redis_pool *rate_pool, struct growth_error *err)
{
  struct services *services = calloc(1, sizeof *services);
  if (!services) {
    error_set(err, ERR_NO_MEMORY, "services: out of memory");
    return NULL;
  }
  services->config = config;
  decide_llm(config, &services->status[SERVICE_LLM]);
  decide_mail(config, &services->status[SERVICE_MAIL]);
  decide_sms(config, &services->status[SERVICE_SMS]);
  services->status[SERVICE_PDF].state = SERVICE_LOCAL;
  snprintf(services->status[SERVICE_PDF].reason, SERVICE_REASON_MAX,
           "rendered in this process with cairo and pango; no account needed");
  if (services_google_open(config, rate_pool, &services->google, services->status, err) != 0) {
    free(services);
    return NULL;
  }
  return services;
}

void services_free(struct services *services)
{
  if (!services)
    return;
  services_google_close(&services->google);
  free(services);
}

struct http_client *services_http(const struct services *services)
{
  return services ? services->google.http : NULL;
}

struct rate_limiter *services_rate_limiter(const struct services *services)
{
  return services->google.limiter;
}

struct sheets *services_sheets(const struct services *services)
{
  return services->google.providers.sheets;
}

struct calendar *services_calendar(const struct services *services)
{
  return services->google.providers.calendar;
}

struct drive *services_drive(const struct services *services)
{
  return services->google.providers.drive;
}

const struct config *services_config(const struct services *services)
{
  return services->config;
}

const struct service_status *services_status(const struct services *services, enum service_id id)
{
  return &services->status[id];
}

const char *services_name(enum service_id id)
{
  return id < SERVICE_COUNT ? service_names[id] : "unknown";
}

enum service_id services_find(const char *name)
{
  for (int id = 0; id < SERVICE_COUNT; id++)
    if (strcmp(service_names[id], name) == 0)
      return (enum service_id)id;
  return SERVICE_COUNT;
}

const char *services_state_name(enum service_state state)
{
  return state_names[state];
}

int services_require(const struct services *services, enum service_id id, struct growth_error *err)
{
  if (!services)
    return error_set(err, ERR_BAD_CONFIG, "%s: this host gives jobs no integrations", services_name(id));
  const struct service_status *status = &services->status[id];
  if (status->state == SERVICE_LIVE || status->state == SERVICE_LOCAL)
    return 0;
  error_set(err, ERR_BAD_CONFIG, "%s: %s", services_name(id), status->reason);
  err->retryable = 0;
  return -1;
}

json_t *services_readiness(const struct services *services)
{
  json_t *out = json_object();
  for (int id = 0; out && id < SERVICE_COUNT; id++) {
    const struct service_status *status = &services->status[id];
    json_t *entry = json_pack("{s:s, s:s}", "status", state_names[status->state], "reason", status->reason);
    if (!entry || json_object_set_new(out, service_names[id], entry) != 0) {
      json_decref(out);
      return NULL;
    }
  }
  return out;
}

void services_log(const struct services *services)
{
  for (int id = 0; id < SERVICE_COUNT; id++) {
    const struct service_status *status = &services->status[id];
    if (status->state == SERVICE_MISSING)
      log_warn("Services", "%s: %s (%s)", service_names[id], state_names[status->state], status->reason);
    else
      log_info("Services", "%s: %s (%s)", service_names[id], state_names[status->state], status->reason);
  }
}

static int check_artifact_name(const char *name, struct growth_error *err)
{
  size_t length = strlen(name);
  if (length == 0 || length > ARTIFACT_NAME_MAX || name[0] == '.' ||
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != length)
    return error_set(err, ERR_BAD_ARGUMENT, "artifact name '%.*s' is not a plain file name; expected 1 to %d "
                     "letters, digits, '.', '_' or '-', not starting with '.'", 64, name, ARTIFACT_NAME_MAX);
  return 0;
}

int services_job_save(const struct services_job *job, const char *name, const void *bytes, size_t len, char **path,
                      struct growth_error *err)
{
  *path = NULL;
  if (check_artifact_name(name, err) != 0)
    return -1;
  if (!job || !job->artifact_dir || !*job->artifact_dir)
    return error_set(err, ERR_BAD_CONFIG, "artifacts: this job has no artifact folder; use ctx.artifact(name, "
                                          "bytes) instead");
  if (local_files_mkdirs(job->artifact_dir, err) != 0 ||
      local_files_write_in(job->artifact_dir, name, bytes, len, err) != 0)
    return error_prefix(err, "artifacts");
  size_t size = strlen(job->artifact_dir) + strlen(name) + 2;
  *path = malloc(size);
  if (!*path)
    return error_set(err, ERR_NO_MEMORY, "artifacts: out of memory");
  snprintf(*path, size, "%s/%s", job->artifact_dir, name);
  return 0;
}
