/*
 * redis_url.c — REDIS_URL parsing (see redis_url.h).
 */
#include "base/redis_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEME "redis://"

static int hex_value(char ch)
{
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = (char)tolower((unsigned char)ch);
  return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Copies [start, end) to out, decoding %XX; -1 on a bad escape or when out is too small. */
static int percent_decode(const char *start, const char *end, char *out, size_t size)
{
  size_t length = 0;
  for (const char *p = start; p < end; p++) {
    char ch = *p;
    if (ch == '%') {
      if (end - p < 3 || hex_value(p[1]) < 0 || hex_value(p[2]) < 0)
        return -1;
      ch = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
      p += 2;
    }
    if (length + 1 >= size)
      return -1;
    out[length++] = ch;
  }
  out[length] = '\0';
  return 0;
}

static int parse_number(const char *start, const char *end, long min, long max, long *out)
{
  if (start == end || end - start > 9)
    return -1;
  long value = 0;
  for (const char *p = start; p < end; p++) {
    if (!isdigit((unsigned char)*p))
      return -1;
    value = value * 10 + (*p - '0');
  }
  if (value < min || value > max)
    return -1;
  *out = value;
  return 0;
}

static int parse_credentials(const char *start, const char *end, struct redis_url *url, struct growth_error *err)
{
  const char *colon = memchr(start, ':', (size_t)(end - start));
  const char *user_end = colon ? colon : end;
  if (percent_decode(start, user_end, url->username, sizeof url->username) != 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the username has a bad %%-escape or is too long; "
                     "expected redis://[user:password@]host[:port][/db]");
  if (colon && percent_decode(colon + 1, end, url->password, sizeof url->password) != 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the password has a bad %%-escape or is too long; "
                     "expected redis://[user:password@]host[:port][/db]");
  return 0;
}

static int parse_host_port(const char *start, const char *end, struct redis_url *url, struct growth_error *err)
{
  const char *host_end;
  const char *port_start = NULL;
  if (*start == '[') {
    const char *close = memchr(start, ']', (size_t)(end - start));
    if (!close)
      return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the IPv6 host has no closing ']'; expected redis://[::1]:6379");
    host_end = close;
    start++;
    if (close + 1 < end) {
      if (close[1] != ':')
        return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: unexpected text after the IPv6 host; expected ':port'");
      port_start = close + 2;
    }
  } else {
    const char *colon = memchr(start, ':', (size_t)(end - start));
    host_end = colon ? colon : end;
    port_start = colon ? colon + 1 : NULL;
  }
  size_t host_length = (size_t)(host_end - start);
  if (host_length == 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the host is empty; expected redis://host[:port][/db]");
  if (host_length >= sizeof url->host)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the host is longer than %zu characters", sizeof url->host - 1);
  for (const char *p = start; p < host_end; p++)
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_' || *p == ':'))
      return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the host has a character '%c' that no host name has; "
                       "expected a host name or IP address", isprint((unsigned char)*p) ? *p : '?');
  memcpy(url->host, start, host_length);
  url->host[host_length] = '\0';
  long port = 6379;
  if (port_start && parse_number(port_start, end, 1, 65535, &port) != 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the port is not a number in 1-65535");
  url->port = (int)port;
  return 0;
}

int redis_url_parse(const char *text, struct redis_url *url, struct growth_error *err)
{
  memset(url, 0, sizeof *url);
  if (strncmp(text, "rediss://", 9) == 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: rediss:// (TLS) is not supported by this build; "
                     "expected redis://host[:port][/db]");
  if (strncmp(text, SCHEME, strlen(SCHEME)) != 0)
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the scheme is not redis://; expected redis://[user:password@]host[:port][/db]");
  const char *authority = text + strlen(SCHEME);
  const char *authority_end = authority + strcspn(authority, "/?#");
  const char *at = NULL;
  for (const char *p = authority; p < authority_end; p++)
    if (*p == '@')
      at = p;
  if (at && parse_credentials(authority, at, url, err) != 0)
    return -1;
  if (parse_host_port(at ? at + 1 : authority, authority_end, url, err) != 0)
    return -1;
  const char *rest = authority_end;
  long db = 0;
  if (*rest == '/') {
    const char *db_end = rest + 1 + strcspn(rest + 1, "?#");
    if (db_end > rest + 1 && parse_number(rest + 1, db_end, 0, 15999, &db) != 0)
      return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: the database '/%.*s' is not a number; expected /0, /1, ...",
                       (int)(db_end - rest - 1 > 16 ? 16 : db_end - rest - 1), rest + 1);
    rest = db_end;
  }
  if (*rest != '\0')
    return error_set(err, ERR_BAD_CONFIG, "REDIS_URL: query strings and fragments are not supported; "
                     "expected redis://[user:password@]host[:port][/db]");
  url->db = (int)db;
  return 0;
}

void redis_url_describe(const struct redis_url *url, char *out, size_t size)
{
  int ipv6 = strchr(url->host, ':') != NULL;
  snprintf(out, size, "%s%s%s:%d/%d", ipv6 ? "[" : "", url->host, ipv6 ? "]" : "", url->port, url->db);
}
