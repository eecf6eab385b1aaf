/*
 * error.h — the one error-code set of growthd.
 *
 * Every layer reports failure the same way: a function returns -1 and fills a
 * `struct growth_error` that the caller owns. The code is a stable identifier
 * (the same names reach HTTP error bodies and Lua error tables), the message
 * says what failed, with what, and what was expected. `retryable` tells the
 * queue whether trying again later may succeed; `status` carries an upstream
 * HTTP status when there was one (0 otherwise).
 */
#ifndef GROWTH_BASE_ERROR_H
#define GROWTH_BASE_ERROR_H

#include <stdarg.h>

enum error_code {
  ERR_NONE = 0,
  ERR_BAD_ARGUMENT,   /* the caller passed something invalid */
  ERR_BAD_CONFIG,     /* a setting is missing or malformed */
  ERR_NOT_FOUND,
  ERR_CONFLICT,
  ERR_TOO_LARGE,
  ERR_UNAUTHORIZED,   /* credentials missing or refused */
  ERR_FORBIDDEN,
  ERR_RATE_LIMITED,
  ERR_TIMEOUT,
  ERR_UNAVAILABLE,    /* a dependency (Redis, an API) cannot be reached */
  ERR_UPSTREAM,       /* a dependency answered with an error */
  ERR_NO_MEMORY,
  ERR_IO,
  ERR_INTERNAL,
  ERR_MEMORY_LIMIT,   /* a Lua job went over its memory cap */
  ERR_SCRIPT,         /* an agent script raised an error */
  ERR_LLM_UNAVAILABLE, /* no model answers: offline mode without the agent's offline function */
  ERR_CODE_COUNT
};

#define ERROR_MESSAGE_MAX 512

struct growth_error {
  enum error_code code;
  int retryable;
  int status;
  char message[ERROR_MESSAGE_MAX];
};

/* The stable snake_case name of a code ("bad_argument", "rate_limited", ...). */
const char *error_code_name(enum error_code code);

/* Sets code and message (printf-style); retryable defaults by code. Always returns -1. */
int error_set(struct growth_error *err, enum error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int error_setv(struct growth_error *err, enum error_code code, const char *fmt, va_list ap);

/* Prefixes the existing message with context ("loading x: " + message). Returns -1. */
int error_prefix(struct growth_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void error_clear(struct growth_error *err);

/* The code whose name is name ("rate_limited" -> ERR_RATE_LIMITED); ERR_NONE when unknown. */
enum error_code error_code_from_name(const char *name);

#endif
