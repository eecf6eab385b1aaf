/*
 * redis_url.h — parses REDIS_URL the way ioredis reads it:
 * redis://[[username]:password@]host[:port][/db], with IPv6 hosts in brackets
 * and percent-escapes in the username and password. Errors never repeat the
 * URL: it may hold a password.
 */
#ifndef GROWTH_BASE_REDIS_URL_H
#define GROWTH_BASE_REDIS_URL_H

#include <stddef.h>

#include "base/error.h"

struct redis_url {
  char host[256];
  int port;
  int db;
  char username[128];
  char password[256];
};

/* Fills url from text; on error returns -1 with err naming the problem ("REDIS_URL: ..."). */
int redis_url_parse(const char *text, struct redis_url *url, struct growth_error *err);

/* Writes "host:port/db" (never the credentials) for logs. */
void redis_url_describe(const struct redis_url *url, char *out, size_t size);

#endif
