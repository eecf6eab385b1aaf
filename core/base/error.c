/*
 * error.c — names and constructors for the shared error codes (see error.h).
 */
#include "base/error.h"

#include <stdio.h>
#include <string.h>

static const char *const code_names[ERR_CODE_COUNT] = {
  [ERR_NONE] = "none",
  [ERR_BAD_ARGUMENT] = "bad_argument",
  [ERR_BAD_CONFIG] = "bad_config",
  [ERR_NOT_FOUND] = "not_found",
  [ERR_CONFLICT] = "conflict",
  [ERR_TOO_LARGE] = "too_large",
  [ERR_UNAUTHORIZED] = "unauthorized",
  [ERR_FORBIDDEN] = "forbidden",
  [ERR_RATE_LIMITED] = "rate_limited",
  [ERR_TIMEOUT] = "timeout",
  [ERR_UNAVAILABLE] = "unavailable",
  [ERR_UPSTREAM] = "upstream_error",
  [ERR_NO_MEMORY] = "no_memory",
  [ERR_IO] = "io_error",
  [ERR_INTERNAL] = "internal",
  [ERR_MEMORY_LIMIT] = "memory_limit",
  [ERR_SCRIPT] = "script_error",
  [ERR_LLM_UNAVAILABLE] = "llm_unavailable",
};

const char *error_code_name(enum error_code code)
{
  if ((int)code < 0 || code >= ERR_CODE_COUNT)
    return "internal";
  return code_names[code];
}

enum error_code error_code_from_name(const char *name)
{
  for (int code = ERR_NONE + 1; name && code < ERR_CODE_COUNT; code++)
    if (strcmp(code_names[code], name) == 0)
      return (enum error_code)code;
  return ERR_NONE;
}

static int code_is_retryable(enum error_code code)
{
  return code == ERR_RATE_LIMITED || code == ERR_TIMEOUT || code == ERR_UNAVAILABLE;
}

int error_setv(struct growth_error *err, enum error_code code, const char *fmt, va_list ap)
{
  if (!err)
    return -1;
  err->code = code;
  err->retryable = code_is_retryable(code);
  err->status = 0;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return -1;
}

int error_set(struct growth_error *err, enum error_code code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  error_setv(err, code, fmt, ap);
  va_end(ap);
  return -1;
}

int error_prefix(struct growth_error *err, const char *fmt, ...)
{
  if (!err)
    return -1;
  char prefix[ERROR_MESSAGE_MAX];
  char joined[2 * ERROR_MESSAGE_MAX + 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  snprintf(joined, sizeof joined, "%s: %s", prefix, err->message);
  snprintf(err->message, sizeof err->message, "%.*s", ERROR_MESSAGE_MAX - 1, joined);
  return -1;
}

void error_clear(struct growth_error *err)
{
  if (err)
    memset(err, 0, sizeof *err);
}
