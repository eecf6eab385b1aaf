/*
 * config.h — growthd's settings, read once at start from the environment (and
 * an optional dotenv file; the real environment wins).
 *
 * The settings are one table in config.c: name, kind, default, whether the
 * value is secret, and a line of documentation. Loading walks the table, so a
 * new setting is one row, and `growthd --help` prints the same table. A bad
 * value stops the load with one line naming the variable, what was wrong and
 * what was expected; a secret's value is never part of that line or of a log.
 */
#ifndef GROWTH_BASE_CONFIG_H
#define GROWTH_BASE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "base/error.h"
#include "base/log.h"
#include "base/redis_url.h"

enum growth_environment { ENV_UNSET = -1, ENV_DEVELOPMENT, ENV_STAGING, ENV_PRODUCTION };

struct config {
  /* server */
  long port;
  char *bind_address;
  long http_threads;
  long max_body_bytes;
  char *dashboard_dir;
  /* environment */
  int node_env;         /* enum growth_environment */
  int growth_env;       /* enum growth_environment; wins over NODE_ENV */
  enum growth_environment environment;
  bool enable_agents;
  bool enable_dashboard;
  /* logging */
  int log_format;       /* enum log_format */
  int log_level;        /* enum log_level */
  /* redis and the queue */
  struct redis_url redis;
  long redis_connect_timeout_ms;
  long redis_command_timeout_ms;
  char *queue_name;
  /* agents */
  char *scripts_dir;
  /* integrations (used by the providers) */
  char *database_url;
  char *openai_api_key;
  char *openai_base_url;
  char *google_service_account_json_b64;
  char *smtp_host;
  long smtp_port;
  char *smtp_user;
  char *smtp_pass;
  char *twilio_account_sid;
  char *twilio_auth_token;
  char *twilio_from_number;
  char *gmail_sender_address;
  /* access control, metrics and live events (http) */
  char *api_keys;
  char *agents_allowlist;
  char *auth_mode;
  long session_ttl_s;
  long sse_heartbeat_s;
  long sse_client_buffer_bytes;
  /* media: mail, sms, pdf outboxes */
  char *data_dir;
  char *smtp_ca_file;
  char *smtp_security;
  long smtp_connect_timeout_ms;
  long smtp_timeout_ms;
  /* lua runtime */
  long lua_memory_mb;
  long lua_instruction_limit;
  int hot_reload_setting;  /* -1 unset, 0 false, 1 true */
  bool hot_reload;         /* the setting, or on unless the environment is production */
  /* outbound HTTP, rate limits and Google (core/net, core/providers/{sheets,calendar,drive}) */
  long http_connect_timeout_ms;
  long http_timeout_ms;
  long http_max_attempts;
  long http_backoff_ms;
  long http_backoff_max_ms;
  long http_retry_after_max_ms;
  char *http_ca_file;
  long rate_sheets_per_100s;
  long rate_sheets_writes_per_min;
  long rate_calendar_per_sec;
  long rate_calendar_per_day;
  long rate_drive_per_100s;
  long rate_wait_max_ms;
  char *google_impersonate_subject;
  char *google_sheets_url;
  char *google_calendar_url;
  char *google_drive_url;
  char *drive_folder_id;
  char *calendar_ics;
  /* queue */
  char *queue_prefix;
  long worker_concurrency;
  long workers;
  long lock_duration_ms;
  long stalled_interval_ms;
  long max_stalled_count;
  long shutdown_grace_s;
  char *profile_path;
  /* live llm and sms backends */
  char *openai_model;
  char *openai_embedding_model;
  long llm_timeout_ms;
  long llm_embed_batch;
  char *twilio_url;
  /* not a setting: the --env-file growthd was given (NULL when none), for a reload (config_reload.h) */
  const char *env_file;
  /* orchestrator */
  long idempotency_ttl_s;
  long sse_history;
  long monitor_limit_max;
  /* reliability */
  long keep_completed;
  long keep_failed;
  long job_attempts;
  long job_backoff_ms;
};

/* Returns the value of a variable, or NULL when it is not set. */
typedef const char *(*config_lookup_fn)(const char *name, void *context);

/* Loads every setting through lookup. On error returns -1 with err set and cfg
 * holding nothing to free. On success the caller frees with config_free. */
int config_load(struct config *cfg, config_lookup_fn lookup, void *context, struct growth_error *err);

void config_free(struct config *cfg);

/* "development", "staging" or "production". */
const char *config_environment_name(enum growth_environment environment);

/* Parses true/false/1/0/yes/no in any case; -1 when text is none of those. */
int config_parse_bool(const char *text, bool *out);

/* Prints every setting with its default and documentation (for --help). */
void config_print_help(FILE *out);

/* Logs the settings in effect; secrets show only as "(set)" or "(not set)". */
void config_log_summary(const struct config *cfg);

/* The settings table by index, for a reload that compares two configurations (config_reload.h). */
size_t config_setting_count(void);
const char *config_setting_name(size_t index);
/* The value as logs show it (secrets only as "(set)" / "(not set)"). */
void config_setting_describe(const struct config *cfg, size_t index, char *out, size_t size);
/* Sets setting index of dst to its value in src (a string is copied; dst's old one freed). */
int config_setting_copy(struct config *dst, const struct config *src, size_t index, struct growth_error *err);

/* A deep copy of src into dst; the caller frees dst with config_free. On error dst holds nothing to free. */
int config_copy(struct config *dst, const struct config *src, struct growth_error *err);

#endif
