/*
 * http_message.c — reading answers and encoding URL parts for the HTTP client
 * (declared in http_client.h): JSON bodies, header lookup, Retry-After and
 * percent-encoding. Pure functions, no network, so they are unit tested alone.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http_client.h"

json_t *http_response_json(const struct http_response *response, const char *what, struct growth_error *err)
{
  json_error_t parse_error;
  if (!response->body || response->body_size == 0) {
    error_set(err, ERR_UPSTREAM, "%s: the answer (status %ld) has an empty body; expected JSON", what,
              response->status);
    err->status = (int)response->status;
    return NULL;
  }
  json_t *root = json_loadb(response->body, response->body_size, 0, &parse_error);
  if (!root) {
    error_set(err, ERR_UPSTREAM, "%s: the answer (status %ld) is not JSON (%s at byte %d)", what, response->status,
              parse_error.text, parse_error.position);
    err->status = (int)response->status;
    return NULL;
  }
  return root;
}

int http_response_header(const struct http_response *response, const char *name, char *out, size_t size)
{
  if (!response->headers)
    return -1;
  size_t name_length = strlen(name);
  for (const char *line = response->headers; *line;) {
    const char *end = strpbrk(line, "\r\n");
    size_t length = end ? (size_t)(end - line) : strlen(line);
    if (length > name_length && line[name_length] == ':' && strncasecmp(line, name, name_length) == 0) {
      const char *value = line + name_length + 1;
      const char *value_end = line + length;
      while (value < value_end && (*value == ' ' || *value == '\t'))
        value++;
      while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
        value_end--;
      snprintf(out, size, "%.*s", (int)(value_end - value), value);
      return 0;
    }
    line += length;
    while (*line == '\r' || *line == '\n')
      line++;
  }
  return -1;
}

void http_response_free(struct http_response *response)
{
  if (!response)
    return;
  free(response->body);
  free(response->headers);
  response->body = NULL;
  response->headers = NULL;
  response->body_size = 0;
}

long http_retry_after_ms(const char *value, long long now_s)
{
  if (!value || !*value)
    return -1;
  if (isdigit((unsigned char)value[0])) {
    char *end = NULL;
    long long seconds = strtoll(value, &end, 10);
    while (end && (*end == ' ' || *end == '\t'))
      end++;
    if (!end || *end != '\0' || seconds < 0 || seconds > 86400LL * 7)
      return -1;
    return (long)(seconds * 1000);
  }
  time_t when = curl_getdate(value, NULL);
  if (when < 0)
    return -1;
  long long delta = (long long)when - now_s;
  return delta > 0 ? (long)(delta * 1000) : 0;
}

char *http_escape(const char *text)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t length = strlen(text);
  char *out = malloc(length * 3 + 1);
  if (!out)
    return NULL;
  size_t used = 0;
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)text[i];
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out[used++] = (char)c;
    } else {
      out[used++] = '%';
      out[used++] = hex[c >> 4];
      out[used++] = hex[c & 15];
    }
  }
  out[used] = '\0';
  return out;
}
