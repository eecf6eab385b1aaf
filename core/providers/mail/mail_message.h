/*
 * mail_message.h — builds a complete RFC 5322 / MIME message.
 *
 * The shape follows what the content needs:
 *   text only                      text/plain
 *   text + html                    multipart/alternative (text first, as RFC 2046 orders it)
 *   either + attachments           multipart/mixed: the body above, then each attachment
 * Text parts are UTF-8 in quoted-printable, attachments base64, every line ends
 * in CRLF and stays within 78 characters (so far below SMTP's 998). Headers:
 * Date (RFC 5322, UTC), From, To, Subject, Message-ID, MIME-Version; non-ASCII
 * display names and subjects become RFC 2047 encoded words; non-ASCII file
 * names use RFC 2231. CR or LF inside a header value is refused, which rules
 * out header injection.
 *
 * Addresses are checked before anything is built: local@domain with a
 * dot-atom local part of at most 64 characters (RFC 5322 atext), a domain of
 * LDH labels with at least one dot, 254 characters at most. A bad address is
 * bad_argument with the address quoted.
 */
#ifndef GROWTH_PROVIDERS_MAIL_MESSAGE_H
#define GROWTH_PROVIDERS_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define MAIL_MAX_RECIPIENTS 50
#define MAIL_MAX_ATTACHMENT_BYTES (18 * 1024 * 1024)  /* all attachments; base64 makes ~24 MB */
#define MAIL_MESSAGE_ID_SIZE 128

struct mail_address {
  const char *name;   /* display name, may be NULL */
  const char *email;
};

struct mail_attachment {
  const char *filename;
  const char *content_type;  /* NULL: application/octet-stream */
  const unsigned char *data;
  size_t len;
};

struct mail_message {
  struct mail_address from;
  const struct mail_address *to;
  size_t to_count;
  const char *subject;
  const char *text;
  const char *html;  /* may be NULL */
  const struct mail_attachment *attachments;
  size_t attachment_count;
  /* NULL, or an idempotency key: the Message-ID is derived from it (the same key, the same id), so the
   * local outbox, which names a file by the id, keeps one message however often it is sent */
  const char *idempotency_key;
};

/* 0 when email is an acceptable address, else -1 with bad_argument. */
int mail_check_address(const char *email, struct growth_error *err);

/* Builds the message dated date_ms (Unix ms). On success *out (free with free()) holds
 * *len bytes plus a NUL, and message_id the Message-ID without angle brackets. */
int mail_message_build(const struct mail_message *message, int64_t date_ms, char **out, size_t *len,
                       char message_id[MAIL_MESSAGE_ID_SIZE], struct growth_error *err);

#endif
