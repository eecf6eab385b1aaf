/*
 * services.h — the integrations a job can use: which backend each one runs on,
 * why, and where the job's files go.
 *
 * One `struct services` is made per process from the settings (growthd run,
 * serve, worker) and shared read-only by every job and thread. For each
 * integration it holds a state and a reason in words, decided once by the
 * provider's own rule (mail_backend_of, sms_backend_of, llm_backend_of; for
 * sheets, calendar and drive, services_google.c):
 *
 *   live            the real service, its credentials set
 *   local           the local backend (files, offline mode), credentials absent outside production
 *   missing         cannot work: a credential is absent in production, or a setting is incomplete
 *   not_configured  an optional integration (sms) deliberately left unset
 *
 * The HTTP layer shows services_readiness; a job's growth.* bindings call
 * services_require before any side effect, so a missing backend fails the call
 * with bad_config and the reason, never a silent switch to local files.
 *
 * The services also own what the remote providers share in one process: one
 * HTTP client (connections reused by every thread) and one rate limiter, kept
 * in Redis when a pool is given (serve, worker: every process shares the
 * budget) and in this process otherwise (growthd run). Sheets, Calendar and
 * Drive are opened here, live when GOOGLE_SERVICE_ACCOUNT_JSON_B64 holds a key
 * that checks out, local without a key (missing in production, or when the key
 * is broken); their reasons say which of the service-account set-ups of
 * design.md is in place (GROWTH_DRIVE_FOLDER_ID, GOOGLE_IMPERSONATE_SUBJECT, or
 * only spreadsheets and calendars the user shared with the account).
 *
 * A `struct services_job` is the per-job view the runner hands to the sandbox:
 * the shared services plus the job's identity and artifact folder.
 */
#ifndef GROWTH_PROVIDERS_SERVICES_H
#define GROWTH_PROVIDERS_SERVICES_H

#include <jansson.h>
#include <stddef.h>

struct http_client;  /* net/http_client.h; not included, its names clash with core/http/ */

#include "base/config.h"
#include "base/error.h"

enum service_id {
  SERVICE_LLM, SERVICE_MAIL, SERVICE_SMS, SERVICE_PDF, SERVICE_SHEETS, SERVICE_CALENDAR, SERVICE_DRIVE, SERVICE_COUNT
};

enum service_state { SERVICE_LIVE, SERVICE_LOCAL, SERVICE_MISSING, SERVICE_NOT_CONFIGURED };

#define SERVICE_REASON_MAX 640

struct service_status {
  enum service_state state;
  char reason[SERVICE_REASON_MAX];
};

struct services;

/* Declared, not included: net/http_client.h's request and response would clash with the HTTP
 * server's in files that include both (core/http/). */
struct http_client;
struct rate_limiter;
struct redis_pool;
struct sheets;
struct calendar;
struct drive;

/* Decides every backend from config, which is borrowed and must outlive the services. rate_pool: the
 * Redis pool that keeps the rate limits shared by every process (borrowed, must outlive the
 * services); NULL keeps them in this process. A broken Google key is not an error here: sheets,
 * calendar and drive are then missing, with the key's problem as the reason. */
struct services *services_new(const struct config *config, struct redis_pool *rate_pool, struct growth_error *err);
void services_free(struct services *services);

const struct config *services_config(const struct services *services);

const struct service_status *services_status(const struct services *services, enum service_id id);

/* The process's one outbound HTTP client (llm, sms, sheets, calendar, drive) and its shared rate limiter. */
struct http_client *services_http(const struct services *services);
struct rate_limiter *services_rate_limiter(const struct services *services);

/* The Google providers; NULL unless the service is live or local. Safe to use from many threads. */
struct sheets *services_sheets(const struct services *services);
struct calendar *services_calendar(const struct services *services);
struct drive *services_drive(const struct services *services);

/* "llm", "mail", "sms", "pdf", "sheets", "calendar", "drive" (the names agents use in `needs`);
 * SERVICE_COUNT when unknown. */
const char *services_name(enum service_id id);
enum service_id services_find(const char *name);

/* "live", "local", "missing", "not_configured". */
const char *services_state_name(enum service_state state);

/* 0 when id can be used (live or local); else -1 with bad_config "<name>: <reason>". */
int services_require(const struct services *services, enum service_id id, struct growth_error *err);

/* {"llm": {"status": "local", "reason": "..."}, ...} (new reference; NULL when out of memory). */
json_t *services_readiness(const struct services *services);

/* Logs one line per integration ("mail: local (SMTP_HOST is not set: ...)"). */
void services_log(const struct services *services);

struct llm_tally;   /* providers/llm/llm_usage.h */

struct services_job {
  const struct services *services;  /* NULL: no integration is available to the job */
  const char *agent;
  const char *job_id;
  const char *artifact_dir;         /* NULL: the job has no folder of its own */
  struct llm_tally *llm_usage;      /* where growth.llm adds the usage of each call; NULL: not kept */
};

/* Writes bytes as <artifact_dir>/<name> atomically, creating the folder. name is a plain file
 * name (letters, digits, '.', '_', '-', not starting with '.'). *path (free with free()) says
 * where. bad_config when the job has no artifact folder. */
int services_job_save(const struct services_job *job, const char *name, const void *bytes, size_t len, char **path,
                      struct growth_error *err);

#endif
