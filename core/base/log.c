/*
 * log.c — formatting and writing of log lines (see log.h).
 *
 * Each line is built in a stack buffer and written with one fwrite under
 * stderr's own lock; a message longer than the buffer is cut, never split.
 * JSON lines are built with jansson so messages are escaped correctly.
 */
#include "base/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/json_text.h"

#define LOG_LINE_MAX 2048

static enum log_format current_format = LOG_FORMAT_TEXT;
static enum log_level current_min_level = LOG_INFO;

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
static const char *const level_names_lower[] = { "debug", "info", "warn", "error" };

void log_configure(enum log_format format, enum log_level min_level)
{
  current_format = format;
  current_min_level = min_level;
}

static void write_line(const char *line, size_t length)
{
  flockfile(stderr);
  fwrite(line, 1, length, stderr);
  fputc('\n', stderr);
  funlockfile(stderr);
}

static void write_json(json_t *object)
{
  char *text = json_dumps(object, JSON_COMPACT);
  if (text) {
    size_t length = 0;
    while (text[length])
      length++;
    write_line(text, length);
    free(text);
  }
  json_decref(object);
}

static json_t *json_base(enum log_level level, const char *component, const char *message)
{
  char when[32];
  clock_format_iso(clock_wall_ms(), when, sizeof when);
  return json_pack("{s:s, s:s, s:s, s:o}", "time", when, "level", level_names_lower[level],
                   "component", component, "message", json_text_lossy(message));
}

static void emit(enum log_level level, const char *component, const char *message)
{
  if (current_format == LOG_FORMAT_JSON) {
    json_t *object = json_base(level, component, message);
    if (object)
      write_json(object);
    return;
  }
  char when[32];
  char line[LOG_LINE_MAX];
  clock_format_iso(clock_wall_ms(), when, sizeof when);
  int length = snprintf(line, sizeof line, "%s %-5s [%s] %s", when, level_names[level], component, message);
  if (length < 0)
    return;
  if ((size_t)length >= sizeof line)
    length = sizeof line - 1;
  write_line(line, (size_t)length);
}

void log_write(enum log_level level, const char *component, const char *fmt, ...)
{
  if (level < current_min_level)
    return;
  char message[LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  emit(level, component, message);
}

void log_access(const char *method, const char *path, int status, double latency_ms)
{
  if (LOG_INFO < current_min_level)
    return;
  char message[LOG_LINE_MAX];
  snprintf(message, sizeof message, "%s %s %d %.2fms", method, path, status, latency_ms);
  if (current_format == LOG_FORMAT_TEXT) {
    emit(LOG_INFO, "HTTP", message);
    return;
  }
  json_t *object = json_base(LOG_INFO, "HTTP", message);
  if (!object)
    return;
  json_object_set_new(object, "method", json_string(method));
  json_object_set_new(object, "path", json_text_lossy(path));
  json_object_set_new(object, "status", json_integer(status));
  json_object_set_new(object, "latencyMs", json_real(latency_ms));
  write_json(object);
}
