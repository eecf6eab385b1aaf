/*
 * log.h — one line per event on stderr.
 *
 * Text lines read "2026-11-27T09:30:00.123Z INFO  [Orchestrator] Launching 5 agents",
 * keeping the rollout guide's "[Component] message" shape so existing log
 * searches keep matching. With GROWTH_LOG_FORMAT=json each line is a JSON object
 * with time, level, component and message (and method/path/status/latencyMs for
 * access lines). Lines are written whole under a lock, so threads never interleave.
 * Callers must never pass secrets: nothing here can tell them apart.
 */
#ifndef GROWTH_BASE_LOG_H
#define GROWTH_BASE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void log_configure(enum log_format format, enum log_level min_level);

void log_write(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One access-log line: "[HTTP] GET /health 200 0.21ms". */
void log_access(const char *method, const char *path, int status, double latency_ms);

#define log_debug(component, ...) log_write(LOG_DEBUG, component, __VA_ARGS__)
#define log_info(component, ...) log_write(LOG_INFO, component, __VA_ARGS__)
#define log_warn(component, ...) log_write(LOG_WARN, component, __VA_ARGS__)
#define log_error(component, ...) log_write(LOG_ERROR, component, __VA_ARGS__)

#endif
