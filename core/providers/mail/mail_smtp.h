/*
 * mail_smtp.h — the live mail backend: submits a prebuilt message over SMTP
 * with libcurl.
 *
 * Transport security is never optional: port 465 uses implicit TLS
 * (smtps://), any other port (587 for submission) plain SMTP upgraded with
 * STARTTLS, required (CURLUSESSL_ALL), so credentials never travel in clear
 * and a server without STARTTLS is refused. GROWTH_SMTP_SECURITY (implicit or
 * starttls) overrides the choice by port, for servers on unusual ports. Certificates are always verified;
 * GROWTH_SMTP_CA_FILE adds a CA bundle (a private or test CA) instead of the
 * system store.
 *
 * Failures are classified by RFC 5321 and libcurl's result:
 *   unauthorized   login refused (535) — check SMTP_USER / SMTP_PASS
 *   bad_config     no STARTTLS offered, certificate not trusted, 530 (auth required)
 *   unavailable    cannot connect, connection lost, or a 4xx reply (retryable)
 *   timeout        connect or total timeout reached (retryable)
 *   upstream_error a 5xx reply such as 550/553/554 (not retryable)
 * err->status holds the last SMTP reply code when there was one.
 */
#ifndef GROWTH_PROVIDERS_MAIL_SMTP_H
#define GROWTH_PROVIDERS_MAIL_SMTP_H

#include <stddef.h>

#include "base/error.h"

struct mail_smtp_settings {
  const char *host;
  long port;
  const char *user;      /* NULL: no AUTH */
  const char *password;
  const char *ca_file;   /* NULL: the system's CA store */
  const char *security;  /* "auto" or NULL (by port), "implicit" or "starttls" */
  long connect_timeout_ms;
  long timeout_ms;
};

/* Sends message (len bytes, CRLF lines) from the envelope sender to each recipient. */
int mail_smtp_send(const struct mail_smtp_settings *settings, const char *from, const char *const *recipients,
                   size_t recipient_count, const char *message, size_t len, struct growth_error *err);

#endif
