/*
 * mail_smtp.c — SMTP submission through libcurl (see mail_smtp.h).
 *
 * The message is streamed from memory by a read callback (CURLOPT_UPLOAD);
 * libcurl does the dot-stuffing and sends SIZE= from CURLOPT_INFILESIZE_LARGE.
 * One easy handle per message: sends are rare, and nothing is shared between
 * threads.
 */
#include "providers/mail/mail_smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/mail/mail_message.h"

#define IMPLICIT_TLS_PORT 465

struct upload {
  const char *data;
  size_t len, pos;
};

static size_t read_message(char *buffer, size_t size, size_t count, void *userdata)
{
  struct upload *up = userdata;
  size_t room = size * count, left = up->len - up->pos;
  size_t n = left < room ? left : room;
  memcpy(buffer, up->data + up->pos, n);
  up->pos += n;
  return n;
}

static int check_settings(const struct mail_smtp_settings *s, struct growth_error *err)
{
  if (!s->host || !*s->host)
    return error_set(err, ERR_BAD_CONFIG, "mail: SMTP_HOST is not set; expected the SMTP server's host name");
  for (const char *p = s->host; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
      return error_set(err, ERR_BAD_CONFIG, "mail: SMTP_HOST '%.60s' is not a host name or IPv4 address", s->host);
  if (s->port < 1 || s->port > 65535)
    return error_set(err, ERR_BAD_CONFIG, "mail: SMTP_PORT %ld is out of range; expected 465 or 587", s->port);
  if (s->security && strcmp(s->security, "auto") != 0 && strcmp(s->security, "implicit") != 0 &&
      strcmp(s->security, "starttls") != 0)
    return error_set(err, ERR_BAD_CONFIG, "mail: GROWTH_SMTP_SECURITY '%.20s' is unknown; expected auto, implicit or starttls",
                     s->security);
  if (s->user && !s->password)
    return error_set(err, ERR_BAD_CONFIG, "mail: SMTP_USER is set but SMTP_PASS is not");
  return 0;
}

/* Turns a failed transfer into the error codes of mail_smtp.h. */
static int classify(CURLcode rc, long reply, const char *detail, const struct mail_smtp_settings *s,
                    struct growth_error *err)
{
  const char *text = *detail ? detail : curl_easy_strerror(rc);
  int result;
  switch (rc) {
  case CURLE_LOGIN_DENIED:
    result = error_set(err, ERR_UNAUTHORIZED, "mail: %s:%ld refused the login of '%s' (reply %ld); check SMTP_USER and SMTP_PASS",
                       s->host, s->port, s->user ? s->user : "", reply);
    break;
  case CURLE_USE_SSL_FAILED:
    result = error_set(err, ERR_BAD_CONFIG, "mail: %s:%ld does not offer STARTTLS; refusing to send without TLS "
                       "(use port 465 for implicit TLS)", s->host, s->port);
    break;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
    result = error_set(err, ERR_BAD_CONFIG, "mail: the TLS certificate of %s:%ld is not trusted: %s "
                       "(GROWTH_SMTP_CA_FILE names extra CAs)", s->host, s->port, text);
    break;
  case CURLE_OPERATION_TIMEDOUT:
    result = error_set(err, ERR_TIMEOUT, "mail: %s:%ld did not finish in time: %s", s->host, s->port, text);
    break;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
    result = error_set(err, ERR_UNAVAILABLE, "mail: cannot connect to %s:%ld: %s", s->host, s->port, text);
    break;
  default:
    if (reply == 530)
      result = error_set(err, ERR_BAD_CONFIG, "mail: %s:%ld requires authentication or TLS (reply 530): %s",
                         s->host, s->port, text);
    else if (reply >= 500)
      result = error_set(err, ERR_UPSTREAM, "mail: %s:%ld refused the message (reply %ld): %s", s->host, s->port,
                         reply, text);
    else if (reply >= 400)
      result = error_set(err, ERR_UNAVAILABLE, "mail: %s:%ld deferred the message (reply %ld, temporary): %s",
                         s->host, s->port, reply, text);
    else
      result = error_set(err, ERR_UNAVAILABLE, "mail: sending through %s:%ld failed: %s", s->host, s->port, text);
  }
  err->status = (int)reply;
  return result;
}

int mail_smtp_send(const struct mail_smtp_settings *s, const char *from, const char *const *recipients,
                   size_t recipient_count, const char *message, size_t len, struct growth_error *err)
{
  if (check_settings(s, err) != 0)
    return -1;
  if (recipient_count == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "mail: no recipients");
  /* The envelope goes into SMTP commands verbatim: only checked addresses may. */
  if (mail_check_address(from, err) != 0)
    return error_prefix(err, "mail: the envelope sender");
  for (size_t i = 0; i < recipient_count; i++)
    if (mail_check_address(recipients[i], err) != 0)
      return -1;
  int result = -1;
  char url[320], sender[320], detail[CURL_ERROR_SIZE] = "";
  struct curl_slist *rcpt = NULL;
  struct upload up = { .data = message, .len = len };
  CURL *h = curl_easy_init();
  if (!h)
    return error_set(err, ERR_NO_MEMORY, "mail: cannot create a libcurl handle");
  for (size_t i = 0; i < recipient_count; i++) {
    char angle[320];
    snprintf(angle, sizeof angle, "<%s>", recipients[i]);
    struct curl_slist *grown = curl_slist_append(rcpt, angle);
    if (!grown) {
      error_set(err, ERR_NO_MEMORY, "mail: out of memory for the recipient list");
      goto done;
    }
    rcpt = grown;
  }
  int implicit_tls = s->security && strcmp(s->security, "auto") != 0 ? strcmp(s->security, "implicit") == 0
                                                                     : s->port == IMPLICIT_TLS_PORT;
  snprintf(url, sizeof url, "%s://%s:%ld", implicit_tls ? "smtps" : "smtp", s->host, s->port);
  snprintf(sender, sizeof sender, "<%s>", from);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!implicit_tls)
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (s->user) {
    curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
  }
  if (s->ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, s->ca_file);
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, sender);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(h, CURLOPT_READDATA, &up);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, s->timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);

  CURLcode rc = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (rc != CURLE_OK) {
    classify(rc, reply, detail, s, err);
    goto done;
  }
  result = 0;

done:
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(h);
  return result;
}
