/*
 * config.c — the settings table and its loader (see config.h).
 *
 * Each row says where its value lands in struct config (an offset) and which
 * parser reads it (its kind). Strings are copied; every other kind is parsed
 * into a number or an enum. Empty strings count as "not set" for string
 * settings and as an error for typed ones, so `PORT=` is caught rather than
 * silently becoming 3000.
 */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum setting_kind {
  KIND_STRING,
  KIND_BOOL,
  KIND_INT,
  KIND_ENVIRONMENT,
  KIND_LOG_FORMAT,
  KIND_LOG_LEVEL,
  KIND_REDIS_URL,
  KIND_QUEUE_NAME,
  KIND_OPTIONAL_BOOL,   /* int: -1 when unset, else 0 or 1 */
};

struct setting {
  const char *name;
  enum setting_kind kind;
  size_t offset;
  const char *default_value;  /* NULL: not set by default */
  bool secret;
  long min, max;              /* for KIND_INT */
  const char *doc;
};

#define AT(field) offsetof(struct config, field)
#define DEFAULT_DIR(sub) GROWTH_SOURCE_DIR "/" sub

static const struct setting settings[] = {
  { "PORT", KIND_INT, AT(port), "3000", false, 1, 65535, "TCP port of the HTTP server" },
  { "GROWTH_BIND_ADDRESS", KIND_STRING, AT(bind_address), "0.0.0.0", false, 0, 0,
    "IPv4 address the HTTP server listens on (127.0.0.1 for loopback only)" },
  { "GROWTH_HTTP_THREADS", KIND_INT, AT(http_threads), "0", false, 0, 256,
    "threads serving HTTP requests; 0 = one per CPU core (more threads than cores only adds tail latency)" },
  { "GROWTH_MAX_BODY_BYTES", KIND_INT, AT(max_body_bytes), "1048576", false, 0, 1L << 30,
    "largest request body accepted; larger bodies get 413 before they are read" },
  { "GROWTH_DASHBOARD_DIR", KIND_STRING, AT(dashboard_dir), DEFAULT_DIR("dashboard"), false, 0, 0,
    "folder of the /agents dashboard's static files" },
  { "NODE_ENV", KIND_ENVIRONMENT, AT(node_env), "development", false, 0, 0,
    "environment name: development, staging or production" },
  { "GROWTH_ENV", KIND_ENVIRONMENT, AT(growth_env), NULL, false, 0, 0,
    "environment name; wins over NODE_ENV when both are set" },
  { "ENABLE_GROWTH_AGENTS", KIND_BOOL, AT(enable_agents), "false", false, 0, 0,
    "master switch of every /api/orchestrator/ path (403 when false)" },
  { "ENABLE_GROWTH_DASHBOARD", KIND_BOOL, AT(enable_dashboard), "false", false, 0, 0,
    "mounts the /agents dashboard (404 when false)" },
  { "GROWTH_LOG_FORMAT", KIND_LOG_FORMAT, AT(log_format), "text", false, 0, 0, "text or json" },
  { "GROWTH_LOG_LEVEL", KIND_LOG_LEVEL, AT(log_level), "info", false, 0, 0, "debug, info, warn or error" },
  { "REDIS_URL", KIND_REDIS_URL, AT(redis), "redis://127.0.0.1:6379", true, 0, 0,
    "redis://[user:password@]host[:port][/db] of the queue's Redis" },
  { "GROWTH_REDIS_CONNECT_TIMEOUT_MS", KIND_INT, AT(redis_connect_timeout_ms), "1000", false, 10, 60000,
    "how long a Redis connect may take" },
  { "GROWTH_REDIS_COMMAND_TIMEOUT_MS", KIND_INT, AT(redis_command_timeout_ms), "2000", false, 10, 600000,
    "how long a Redis command may take before the connection is dropped and re-made" },
  { "GROWTH_QUEUE_NAME", KIND_QUEUE_NAME, AT(queue_name), "growth-agents", false, 0, 0,
    "name of the BullMQ queue (keys bull:<name>:*)" },
  { "GROWTH_SCRIPTS_DIR", KIND_STRING, AT(scripts_dir), DEFAULT_DIR("scripts"), false, 0, 0,
    "folder holding agents/ and lib/ Lua scripts" },
  { "DATABASE_URL", KIND_STRING, AT(database_url), NULL, true, 0, 0,
    "accepted for compatibility with the replaced service's .env; growthd does not use it" },
  { "OPENAI_API_KEY", KIND_STRING, AT(openai_api_key), NULL, true, 0, 0, "OpenAI API key (live llm backend)" },
  { "OPENAI_BASE_URL", KIND_STRING, AT(openai_base_url), "https://api.openai.com/v1", false, 0, 0,
    "base URL of the OpenAI-compatible API" },
  { "GOOGLE_SERVICE_ACCOUNT_JSON_B64", KIND_STRING, AT(google_service_account_json_b64), NULL, true, 0, 0,
    "base64 of the Google service account's JSON key (Sheets, Calendar, Drive)" },
  { "SMTP_HOST", KIND_STRING, AT(smtp_host), NULL, false, 0, 0, "SMTP server for mail (live mail backend)" },
  { "SMTP_PORT", KIND_INT, AT(smtp_port), "465", false, 1, 65535, "SMTP port (465 implicit TLS, 587 STARTTLS)" },
  { "SMTP_USER", KIND_STRING, AT(smtp_user), NULL, false, 0, 0, "SMTP login" },
  { "SMTP_PASS", KIND_STRING, AT(smtp_pass), NULL, true, 0, 0, "SMTP password" },
  { "TWILIO_ACCOUNT_SID", KIND_STRING, AT(twilio_account_sid), NULL, false, 0, 0, "Twilio account SID (optional)" },
  { "TWILIO_AUTH_TOKEN", KIND_STRING, AT(twilio_auth_token), NULL, true, 0, 0, "Twilio auth token (optional)" },
  { "TWILIO_FROM_NUMBER", KIND_STRING, AT(twilio_from_number), NULL, false, 0, 0, "Twilio sender number (optional)" },
  { "GMAIL_SENDER_ADDRESS", KIND_STRING, AT(gmail_sender_address), NULL, false, 0, 0, "From: address of mail" },
  /* access control, metrics and live events (http) */
  { "GROWTH_API_KEYS", KIND_STRING, AT(api_keys), NULL, true, 0, 0,
    "API keys as name:sha256hex pairs (comma-separated), or @FILE with one pair a line" },
  { "GROWTH_AGENTS_ALLOWLIST", KIND_STRING, AT(agents_allowlist), NULL, false, 0, 0,
    "comma-separated key names allowed on /api/orchestrator/ and /api/artifacts/ (every key when unset)" },
  { "GROWTH_AUTH", KIND_STRING, AT(auth_mode), NULL, false, 0, 0,
    "on or off; unset: on when keys are set; off runs without access control (needed in production without keys)" },
  { "GROWTH_SESSION_TTL_S", KIND_INT, AT(session_ttl_s), "28800", false, 60, 2592000,
    "lifetime of a dashboard session cookie, in seconds" },
  { "GROWTH_SSE_HEARTBEAT_S", KIND_INT, AT(sse_heartbeat_s), "15", false, 1, 300,
    "seconds between heartbeat comments on Server-Sent Event streams" },
  { "GROWTH_SSE_CLIENT_BUFFER_BYTES", KIND_INT, AT(sse_client_buffer_bytes), "262144", false, 4096, 67108864,
    "bytes of events held for one slow event-stream client before it is dropped" },
  /* media: mail, sms, pdf */
  { "GROWTH_DATA_DIR", KIND_STRING, AT(data_dir), "./var", false, 0, 0,
    "folder of the local backends' files: sheets CSV, calendar .ics, drive uploads, outbox/ of mail and sms" },
  { "GROWTH_SMTP_CA_FILE", KIND_STRING, AT(smtp_ca_file), NULL, false, 0, 0,
    "PEM file of CA certificates trusted for SMTP TLS (default: the system store)" },
  { "GROWTH_SMTP_SECURITY", KIND_STRING, AT(smtp_security), "auto", false, 0, 0,
    "SMTP transport security: auto (465 implicit TLS, other ports STARTTLS), implicit or starttls" },
  { "GROWTH_SMTP_CONNECT_TIMEOUT_MS", KIND_INT, AT(smtp_connect_timeout_ms), "10000", false, 100, 600000,
    "how long connecting to the SMTP server may take" },
  { "GROWTH_SMTP_TIMEOUT_MS", KIND_INT, AT(smtp_timeout_ms), "60000", false, 100, 3600000,
    "how long one whole SMTP submission may take" },
  /* lua runtime */
  { "GROWTH_LUA_MEMORY_MB", KIND_INT, AT(lua_memory_mb), "64", false, 1, 4096,
    "memory cap of one job's Lua VM in MB; going over fails the job with memory_limit" },
  { "GROWTH_LUA_INSTRUCTION_LIMIT", KIND_INT, AT(lua_instruction_limit), "2000000000", false, 0, 1L << 50,
    "Lua instructions one job may run (0 = no budget; the agent's timeout still applies)" },
  { "GROWTH_HOT_RELOAD", KIND_OPTIONAL_BOOL, AT(hot_reload_setting), NULL, false, 0, 0,
    "reload changed scripts while serving (default: on, off when the environment is production)" },
  /* outbound HTTP, rate limits and Google (core/net, core/providers/{sheets,calendar,drive}) */
  { "GROWTH_HTTP_CONNECT_TIMEOUT_MS", KIND_INT, AT(http_connect_timeout_ms), "5000", false, 10, 600000,
    "how long an outbound HTTP connect may take" },
  { "GROWTH_HTTP_TIMEOUT_MS", KIND_INT, AT(http_timeout_ms), "30000", false, 10, 3600000,
    "how long one outbound HTTP attempt may take in all" },
  { "GROWTH_HTTP_MAX_ATTEMPTS", KIND_INT, AT(http_max_attempts), "4", false, 1, 20,
    "attempts of an outbound call (retries on timeouts, resets, 5xx, 429) before it fails" },
  { "GROWTH_HTTP_BACKOFF_MS", KIND_INT, AT(http_backoff_ms), "500", false, 1, 600000,
    "first retry delay; doubled per retry, with jitter" },
  { "GROWTH_HTTP_BACKOFF_MAX_MS", KIND_INT, AT(http_backoff_max_ms), "32000", false, 1, 600000,
    "longest single retry delay" },
  { "GROWTH_HTTP_RETRY_AFTER_MAX_MS", KIND_INT, AT(http_retry_after_max_ms), "60000", false, 1, 3600000,
    "longest Retry-After honoured; a longer one fails the call as retryable at once" },
  { "GROWTH_HTTP_CA_FILE", KIND_STRING, AT(http_ca_file), NULL, false, 0, 0,
    "extra CA bundle for outbound TLS (verification stays on)" },
  { "GROWTH_RATE_SHEETS_PER_100S", KIND_INT, AT(rate_sheets_per_100s), "500", false, 0, 1000000,
    "Google Sheets calls per 100 s, shared by every process through Redis (0: no limit)" },
  { "GROWTH_RATE_SHEETS_WRITES_PER_MIN", KIND_INT, AT(rate_sheets_writes_per_min), "60", false, 0, 1000000,
    "Google Sheets writes per minute for the service account (0: no limit)" },
  { "GROWTH_RATE_CALENDAR_PER_SEC", KIND_INT, AT(rate_calendar_per_sec), "10", false, 0, 1000000,
    "Google Calendar calls per second (0: no limit)" },
  { "GROWTH_RATE_CALENDAR_PER_DAY", KIND_INT, AT(rate_calendar_per_day), "1000000", false, 0, 1000000000,
    "Google Calendar calls per day (0: no limit)" },
  { "GROWTH_RATE_DRIVE_PER_100S", KIND_INT, AT(rate_drive_per_100s), "1000", false, 0, 1000000,
    "Google Drive calls per 100 s (0: no limit)" },
  { "GROWTH_RATE_WAIT_MAX_MS", KIND_INT, AT(rate_wait_max_ms), "10000", false, 0, 600000,
    "longest wait for a rate-limit slot before the call fails as retryable" },
  { "GOOGLE_IMPERSONATE_SUBJECT", KIND_STRING, AT(google_impersonate_subject), NULL, false, 0, 0,
    "Workspace user the service account acts as (domain-wide delegation)" },
  { "GROWTH_GOOGLE_SHEETS_URL", KIND_STRING, AT(google_sheets_url), "https://sheets.googleapis.com", false, 0, 0,
    "base URL of the Google Sheets API" },
  { "GROWTH_GOOGLE_CALENDAR_URL", KIND_STRING, AT(google_calendar_url), "https://www.googleapis.com", false, 0, 0,
    "base URL of the Google Calendar API" },
  { "GROWTH_GOOGLE_DRIVE_URL", KIND_STRING, AT(google_drive_url), "https://www.googleapis.com", false, 0, 0,
    "base URL of the Google Drive API" },
  { "GROWTH_DRIVE_FOLDER_ID", KIND_STRING, AT(drive_folder_id), NULL, false, 0, 0,
    "shared-drive folder where new spreadsheets and uploads go (a service account owns no storage)" },
  { "GROWTH_CALENDAR_ICS", KIND_STRING, AT(calendar_ics), NULL, false, 0, 0,
    "iCalendar file the local calendar backend reads events from" },
  /* queue */
  { "GROWTH_QUEUE_PREFIX", KIND_QUEUE_NAME, AT(queue_prefix), "bull", false, 0, 0,
    "BullMQ key prefix (BullMQ's `prefix` option): keys are <prefix>:<queue>:*" },
  { "GROWTH_WORKER_CONCURRENCY", KIND_INT, AT(worker_concurrency), "8", false, 1, 1024,
    "jobs one `growthd worker` runs at once (--concurrency wins)" },
  { "GROWTH_WORKERS", KIND_INT, AT(workers), "0", false, 0, 1024,
    "jobs `growthd serve` runs at once in-process (--workers wins); 0 = API only" },
  { "GROWTH_LOCK_DURATION_MS", KIND_INT, AT(lock_duration_ms), "30000", false, 100, 3600000,
    "lock of an active job, renewed every half of it (BullMQ's lockDuration)" },
  { "GROWTH_STALLED_INTERVAL_MS", KIND_INT, AT(stalled_interval_ms), "30000", false, 100, 3600000,
    "how often the stalled-job check runs (BullMQ's stalledInterval)" },
  { "GROWTH_MAX_STALLED_COUNT", KIND_INT, AT(max_stalled_count), "1", false, 0, 1000,
    "recoveries of a stalled job before it fails (BullMQ's maxStalledCount)" },
  { "GROWTH_SHUTDOWN_GRACE_S", KIND_INT, AT(shutdown_grace_s), "30", false, 0, 3600,
    "on SIGTERM, how long running jobs may finish before they go back to the queue" },
  { "GROWTH_PROFILE", KIND_STRING, AT(profile_path), DEFAULT_DIR("scripts/profiles/demo.json"), false, 0, 0,
    "profile ({\"user\", \"inputs\"}) that a launch without a body uses: the user of every job, each agent's input" },
  /* live llm and sms backends (core/providers/llm/llm_openai.c, core/providers/sms/sms_twilio.c) */
  { "OPENAI_MODEL", KIND_STRING, AT(openai_model), "gpt-4o-mini", false, 0, 0,
    "chat model of the live llm backend (a local server's own name, e.g. llama3, with OPENAI_BASE_URL)" },
  { "OPENAI_EMBEDDING_MODEL", KIND_STRING, AT(openai_embedding_model), "text-embedding-3-small", false, 0, 0,
    "embedding model of the live llm backend" },
  { "GROWTH_LLM_TIMEOUT_MS", KIND_INT, AT(llm_timeout_ms), "120000", false, 100, 3600000,
    "how long one chat or embeddings attempt may take (models answer slower than other APIs)" },
  { "GROWTH_LLM_EMBED_BATCH", KIND_INT, AT(llm_embed_batch), "2048", false, 1, 2048,
    "texts per embeddings request (the OpenAI API takes 2048; some local servers want fewer)" },
  { "GROWTH_TWILIO_URL", KIND_STRING, AT(twilio_url), "https://api.twilio.com", false, 0, 0,
    "base URL of Twilio's REST API (the live sms backend)" },
  /* orchestrator */
  { "GROWTH_IDEMPOTENCY_TTL_S", KIND_INT, AT(idempotency_ttl_s), "86400", false, 1, 2592000,
    "seconds a launch's Idempotency-Key keeps answering with the same job ids" },
  { "GROWTH_SSE_HISTORY", KIND_INT, AT(sse_history), "1000", false, 0, 100000,
    "events kept in memory for event-stream clients that resume with Last-Event-ID" },
  { "GROWTH_MONITOR_LIMIT_MAX", KIND_INT, AT(monitor_limit_max), "1000", false, 1, 10000,
    "largest limit /api/orchestrator/monitor accepts" },
  /* reliability */
  { "GROWTH_KEEP_COMPLETED", KIND_INT, AT(keep_completed), "1000", false, 0, 100000000,
    "completed jobs kept in Redis, newest first (BullMQ's removeOnComplete count); 0 keeps every one" },
  { "GROWTH_KEEP_FAILED", KIND_INT, AT(keep_failed), "5000", false, 0, 100000000,
    "failed jobs kept in Redis, newest first (BullMQ's removeOnFail count); 0 keeps every one" },
  { "GROWTH_JOB_ATTEMPTS", KIND_INT, AT(job_attempts), "3", false, 1, 100,
    "attempts of a launched or scheduled job before it fails (BullMQ's attempts); a failed call that cannot "
    "be repeated in place (a POST that timed out) costs one" },
  { "GROWTH_JOB_BACKOFF_MS", KIND_INT, AT(job_backoff_ms), "2000", false, 1, 3600000,
    "delay before a job's second attempt, doubled for each later one (BullMQ's exponential backoff)" },
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static const char *const environment_names[] = { "development", "staging", "production" };
static const char *const log_format_names[] = { "text", "json" };
static const char *const log_level_names[] = { "debug", "info", "warn", "error" };

const char *config_environment_name(enum growth_environment environment)
{
  if (environment < ENV_DEVELOPMENT || environment > ENV_PRODUCTION)
    return "development";
  return environment_names[environment];
}

int config_parse_bool(const char *text, bool *out)
{
  static const char *const truthy[] = { "true", "1", "yes" };
  static const char *const falsy[] = { "false", "0", "no" };
  for (size_t i = 0; i < 3; i++) {
    if (strcasecmp(text, truthy[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp(text, falsy[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -1;
}

/* Index of text in names (case-insensitive), or -1. */
static int find_name(const char *text, const char *const *names, int count)
{
  for (int i = 0; i < count; i++)
    if (strcasecmp(text, names[i]) == 0)
      return i;
  return -1;
}

/* How a bad value is quoted in an error: never for secrets, shortened for long ones. */
static void quote_value(const struct setting *s, const char *value, char *out, size_t size)
{
  if (s->secret) {
    snprintf(out, size, "the value");
    return;
  }
  char shown[48];
  size_t i = 0;
  for (; value[i] && i < sizeof shown - 4; i++)
    shown[i] = isprint((unsigned char)value[i]) ? value[i] : '?';
  shown[i] = '\0';
  snprintf(out, size, "'%s%s'", shown, value[i] ? "..." : "");
}

static int parse_int(const struct setting *s, const char *value, long *out, struct growth_error *err)
{
  char quoted[64];
  quote_value(s, value, quoted, sizeof quoted);
  char *end = NULL;
  errno = 0;
  long number = strtol(value, &end, 10);
  if (!isdigit((unsigned char)value[0]) || *end != '\0' || errno == ERANGE)
    return error_set(err, ERR_BAD_CONFIG, "%s: %s is not a whole number; expected an integer from %ld to %ld",
                     s->name, quoted, s->min, s->max);
  if (number < s->min || number > s->max)
    return error_set(err, ERR_BAD_CONFIG, "%s: %s is out of range; expected an integer from %ld to %ld", s->name,
                     quoted, s->min, s->max);
  *out = number;
  return 0;
}

static int parse_named(const struct setting *s, const char *value, const char *const *names, int count, int *out,
                       struct growth_error *err)
{
  int index = find_name(value, names, count);
  if (index < 0) {
    char quoted[64], expected[128] = "";
    quote_value(s, value, quoted, sizeof quoted);
    for (int i = 0; i < count; i++)
      snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s", i ? ", " : "", names[i]);
    return error_set(err, ERR_BAD_CONFIG, "%s: %s is not a known value; expected one of %s", s->name, quoted,
                     expected);
  }
  *out = index;
  return 0;
}

/* BullMQ builds keys as bull:<name>:<suffix>; a ':' or blank in the name would corrupt them. */
static int check_queue_name(const struct setting *s, const char *value, struct growth_error *err)
{
  size_t length = strlen(value);
  if (length > 100)
    return error_set(err, ERR_BAD_CONFIG, "%s: the name is %zu characters long; expected at most 100", s->name, length);
  for (const char *p = value; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
      return error_set(err, ERR_BAD_CONFIG, "%s: the name has the character '%c'; expected letters, digits, '-', '_' or '.'",
                       s->name, isprint((unsigned char)*p) ? *p : '?');
  return 0;
}

static int load_string(const struct setting *s, const char *value, char **field, struct growth_error *err)
{
  if (!value || !*value) {
    *field = NULL;
    return 0;
  }
  if (s->kind == KIND_QUEUE_NAME && check_queue_name(s, value, err) != 0)
    return -1;
  *field = strdup(value);
  if (!*field)
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory", s->name);
  return 0;
}

static int load_setting(struct config *cfg, const struct setting *s, const char *value, struct growth_error *err)
{
  void *field = (char *)cfg + s->offset;
  if (s->kind == KIND_STRING || s->kind == KIND_QUEUE_NAME)
    return load_string(s, value, field, err);
  if (!value) {
    if (s->kind == KIND_ENVIRONMENT || s->kind == KIND_OPTIONAL_BOOL)
      *(int *)field = -1;
    return 0;
  }
  if (!*value)
    return error_set(err, ERR_BAD_CONFIG, "%s: the value is empty; expected a value or the variable left unset",
                     s->name);
  switch (s->kind) {
  case KIND_OPTIONAL_BOOL: {
    bool flag = false;
    if (config_parse_bool(value, &flag) != 0)
      return error_set(err, ERR_BAD_CONFIG, "%s: the value is not a boolean; expected true, false, 1, 0, yes or no",
                       s->name);
    *(int *)field = flag;
    return 0;
  }
  case KIND_BOOL:
    if (config_parse_bool(value, field) != 0) {
      char quoted[64];
      quote_value(s, value, quoted, sizeof quoted);
      return error_set(err, ERR_BAD_CONFIG, "%s: %s is not a boolean; expected true, false, 1, 0, yes or no",
                       s->name, quoted);
    }
    return 0;
  case KIND_INT:
    return parse_int(s, value, field, err);
  case KIND_ENVIRONMENT:
    return parse_named(s, value, environment_names, 3, field, err);
  case KIND_LOG_FORMAT:
    return parse_named(s, value, log_format_names, 2, field, err);
  case KIND_LOG_LEVEL:
    return parse_named(s, value, log_level_names, 4, field, err);
  case KIND_REDIS_URL:
    return redis_url_parse(value, field, err);
  default:
    return error_set(err, ERR_INTERNAL, "%s: unknown setting kind", s->name);
  }
}

int config_load(struct config *cfg, config_lookup_fn lookup, void *context, struct growth_error *err)
{
  memset(cfg, 0, sizeof *cfg);
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    const struct setting *s = &settings[i];
    const char *value = lookup(s->name, context);
    if (!value)
      value = s->default_value;
    if (load_setting(cfg, s, value, err) != 0) {
      config_free(cfg);
      return -1;
    }
  }
  cfg->environment = cfg->growth_env != ENV_UNSET ? (enum growth_environment)cfg->growth_env
                                                  : (enum growth_environment)cfg->node_env;
  if (cfg->environment == ENV_UNSET)
    cfg->environment = ENV_DEVELOPMENT;
  cfg->hot_reload = cfg->hot_reload_setting >= 0 ? cfg->hot_reload_setting == 1 : cfg->environment != ENV_PRODUCTION;
  return 0;
}

void config_free(struct config *cfg)
{
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    if (settings[i].kind == KIND_STRING || settings[i].kind == KIND_QUEUE_NAME) {
      char **field = (char **)((char *)cfg + settings[i].offset);
      free(*field);
      *field = NULL;
    }
  }
}

void config_print_help(FILE *out)
{
  fprintf(out, "Environment variables (the real environment wins over --env-file):\n");
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    const struct setting *s = &settings[i];
    fprintf(out, "  %-33s %s", s->name, s->doc);
    if (s->default_value)
      fprintf(out, " [default: %s]", s->default_value);
    fprintf(out, "%s\n", s->secret ? " (secret: never logged)" : "");
  }
}

static void describe_value(const struct config *cfg, const struct setting *s, char *out, size_t size)
{
  const void *field = (const char *)cfg + s->offset;
  switch (s->kind) {
  case KIND_STRING:
  case KIND_QUEUE_NAME: {
    const char *text = *(char *const *)field;
    if (s->secret)
      snprintf(out, size, "%s", text ? "(set)" : "(not set)");
    else
      snprintf(out, size, "%s", text ? text : "(not set)");
    break;
  }
  case KIND_BOOL: snprintf(out, size, "%s", *(const bool *)field ? "true" : "false"); break;
  case KIND_OPTIONAL_BOOL: {
    int flag = *(const int *)field;
    snprintf(out, size, "%s", flag < 0 ? "(not set)" : flag ? "true" : "false");
    break;
  }
  case KIND_INT: snprintf(out, size, "%ld", *(const long *)field); break;
  case KIND_ENVIRONMENT: {
    int env = *(const int *)field;
    snprintf(out, size, "%s", env == ENV_UNSET ? "(not set)" : environment_names[env]);
    break;
  }
  case KIND_LOG_FORMAT: snprintf(out, size, "%s", log_format_names[*(const int *)field]); break;
  case KIND_LOG_LEVEL: snprintf(out, size, "%s", log_level_names[*(const int *)field]); break;
  case KIND_REDIS_URL: redis_url_describe(field, out, size); break;
  }
}

void config_log_summary(const struct config *cfg)
{
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    char value[320];
    describe_value(cfg, &settings[i], value, sizeof value);
    log_debug("Config", "%s=%s", settings[i].name, value);
  }
  log_info("Config", "environment=%s agents=%s dashboard=%s queue=%s", config_environment_name(cfg->environment),
           cfg->enable_agents ? "enabled" : "disabled", cfg->enable_dashboard ? "enabled" : "disabled",
           cfg->queue_name);
}

size_t config_setting_count(void)
{
  return SETTING_COUNT;
}

const char *config_setting_name(size_t index)
{
  return index < SETTING_COUNT ? settings[index].name : NULL;
}

void config_setting_describe(const struct config *cfg, size_t index, char *out, size_t size)
{
  if (index < SETTING_COUNT)
    describe_value(cfg, &settings[index], out, size);
  else if (size)
    out[0] = '\0';
}

static size_t field_size(enum setting_kind kind)
{
  switch (kind) {
  case KIND_BOOL: return sizeof(bool);
  case KIND_INT: return sizeof(long);
  case KIND_REDIS_URL: return sizeof(struct redis_url);
  case KIND_STRING:
  case KIND_QUEUE_NAME: return sizeof(char *);
  default: return sizeof(int);
  }
}

int config_setting_copy(struct config *dst, const struct config *src, size_t index, struct growth_error *err)
{
  if (index >= SETTING_COUNT)
    return error_set(err, ERR_INTERNAL, "config: no setting number %zu", index);
  const struct setting *s = &settings[index];
  void *to = (char *)dst + s->offset;
  const void *from = (const char *)src + s->offset;
  if (s->kind == KIND_STRING || s->kind == KIND_QUEUE_NAME) {
    const char *text = *(char *const *)from;
    char *copy = text ? strdup(text) : NULL;
    if (text && !copy)
      return error_set(err, ERR_NO_MEMORY, "%s: out of memory", s->name);
    free(*(char **)to);
    *(char **)to = copy;
    return 0;
  }
  memcpy(to, from, field_size(s->kind));
  return 0;
}

int config_copy(struct config *dst, const struct config *src, struct growth_error *err)
{
  memcpy(dst, src, sizeof *dst);
  for (size_t i = 0; i < SETTING_COUNT; i++)
    if (settings[i].kind == KIND_STRING || settings[i].kind == KIND_QUEUE_NAME)
      *(char **)((char *)dst + settings[i].offset) = NULL;
  for (size_t i = 0; i < SETTING_COUNT; i++) {
    if (config_setting_copy(dst, src, i, err) != 0) {
      config_free(dst);
      return -1;
    }
  }
  return 0;
}
