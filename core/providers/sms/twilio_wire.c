/*
 * twilio_wire.c — Twilio request and answer formats (see twilio_wire.h).
 */
#include "providers/sms/twilio_wire.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sms/sms_text.h"

static int hex_run(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isxdigit((unsigned char)s[i]))
      return 0;
  return s[n] == '\0';
}

int twilio_check_account_sid(const char *sid, struct growth_error *err)
{
  if (!sid || strncmp(sid, "AC", 2) != 0 || strlen(sid) != 34 || !hex_run(sid + 2, 32))
    return error_set(err, ERR_BAD_CONFIG, "sms: TWILIO_ACCOUNT_SID is not 'AC' followed by 32 hex digits");
  return 0;
}

char *twilio_messages_path(const char *account_sid, struct growth_error *err)
{
  if (twilio_check_account_sid(account_sid, err) != 0)
    return NULL;
  static const char fmt[] = "/2010-04-01/Accounts/%s/Messages.json";
  size_t size = sizeof fmt + strlen(account_sid);
  char *path = malloc(size);
  if (!path) {
    error_set(err, ERR_NO_MEMORY, "sms: out of memory");
    return NULL;
  }
  snprintf(path, size, fmt, account_sid);
  return path;
}

/* Appends the form encoding of text: letters, digits and *-._ as they are, space as '+'. */
static size_t form_encode(char *out, const char *text)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (isalnum(*p) || strchr("*-._", *p)) {
      out[n++] = (char)*p;
    } else if (*p == ' ') {
      out[n++] = '+';
    } else {
      out[n++] = '%';
      out[n++] = hex[*p >> 4];
      out[n++] = hex[*p & 15];
    }
  }
  return n;
}

char *twilio_form_body(const char *to, const char *from, const char *body, struct growth_error *err)
{
  struct sms_segments segments;
  if (sms_check_e164(to, err) != 0 || sms_check_sender(from, err) != 0 || sms_check_body(body, &segments, err) != 0)
    return NULL;
  size_t size = 3 * (strlen(to) + strlen(from) + strlen(body)) + 32;
  char *out = malloc(size);
  if (!out) {
    error_set(err, ERR_NO_MEMORY, "sms: out of memory");
    return NULL;
  }
  size_t n = 0;
  memcpy(out + n, "To=", 3), n += 3;
  n += form_encode(out + n, to);
  memcpy(out + n, "&From=", 6), n += 6;
  n += form_encode(out + n, from);
  memcpy(out + n, "&Body=", 6), n += 6;
  n += form_encode(out + n, body);
  out[n] = '\0';
  return out;
}

int twilio_message_parse(const char *body, size_t len, char sid[SMS_SID_SIZE], char *status, size_t status_size,
                         struct growth_error *err)
{
  json_t *answer = json_loadb(body, len, 0, NULL);
  const char *found_sid = json_string_value(json_object_get(answer, "sid"));
  const char *found_status = json_string_value(json_object_get(answer, "status"));
  int ok = found_sid && found_status && strlen(found_sid) == 34 &&
           (strncmp(found_sid, "SM", 2) == 0 || strncmp(found_sid, "MM", 2) == 0) && hex_run(found_sid + 2, 32);
  if (ok) {
    memcpy(sid, found_sid, SMS_SID_SIZE);
    snprintf(status, status_size, "%s", found_status);
  } else {
    error_set(err, ERR_UPSTREAM, "sms: Twilio's answer has no valid message sid and status");
    err->retryable = 0;
  }
  json_decref(answer);
  return ok ? 0 : -1;
}

int twilio_error(int status, const char *body, size_t len, struct growth_error *err)
{
  json_t *answer = body ? json_loadb(body, len, 0, NULL) : NULL;
  long code = (long)json_integer_value(json_object_get(answer, "code"));
  const char *message = json_string_value(json_object_get(answer, "message"));
  char shown[201];
  snprintf(shown, sizeof shown, "%s", message ? message : "no message");
  for (char *p = shown; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';

  enum error_code kind;
  int retryable = -1;  /* -1: the code's default */
  if (code == 20003 || status == 401)
    kind = ERR_UNAUTHORIZED;
  else if (code == 20404 || status == 404)
    kind = ERR_NOT_FOUND;
  else if (code == 20429 || status == 429)
    kind = ERR_RATE_LIMITED;
  else if (code == 21211 || code == 21604 || code == 21602 || code == 21617)
    kind = ERR_BAD_ARGUMENT;
  else if (code == 21603 || code == 21606 || code == 21659)
    kind = ERR_BAD_CONFIG;
  else if (code == 21608 || code == 21610 || code == 21614)
    kind = ERR_UPSTREAM, retryable = 0;
  else if (status >= 500)
    kind = ERR_UNAVAILABLE;
  else if (status >= 400)
    kind = ERR_BAD_ARGUMENT;
  else
    kind = ERR_UPSTREAM;
  error_set(err, kind, "sms: Twilio answered %d (code %ld): %s", status, code, shown);
  if (retryable >= 0)
    err->retryable = retryable;
  err->status = status;
  json_decref(answer);
  return -1;
}
