/*
 * mail_message.c — checks a message and writes it as RFC 5322 / MIME bytes
 * (see mail_message.h).
 *
 * Boundaries and the Message-ID carry random hex from OpenSSL. A boundary
 * starts with "=_", which can never occur in quoted-printable or base64 output,
 * so no part can contain it.
 */
#include "providers/mail/mail_message.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/mail/mail_encode.h"

#define MAX_FILENAME_BYTES 200
#define MAX_NAME_BYTES 200  /* a display name; keeps every header line far below 998 octets */

static int is_atext(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int check_domain(const char *domain)
{
  size_t len = strlen(domain), label = 0, dots = 0;
  if (len == 0 || len > 253)
    return -1;
  for (size_t i = 0; i <= len; i++) {
    unsigned char c = (unsigned char)domain[i];
    if (c == '.' || c == '\0') {
      if (label == 0 || label > 63 || domain[i - 1] == '-')
        return -1;
      if (c == '.')
        dots++;
      label = 0;
      continue;
    }
    int ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ldh || (label == 0 && c == '-'))
      return -1;
    label++;
  }
  return dots >= 1 ? 0 : -1;
}

int mail_check_address(const char *email, struct growth_error *err)
{
  const char *at = email ? strrchr(email, '@') : NULL;
  size_t local_len = at ? (size_t)(at - email) : 0;
  int ok = at && local_len >= 1 && local_len <= 64 && strlen(email) <= 254 && email[0] != '.' && at[-1] != '.';
  for (size_t i = 0; ok && i < local_len; i++)
    ok = is_atext((unsigned char)email[i]) || (email[i] == '.' && email[i + 1] != '.');
  if (ok)
    ok = check_domain(at + 1) == 0;
  if (!ok)
    return error_set(err, ERR_BAD_ARGUMENT, "mail: '%.80s' is not a valid e-mail address; expected name@domain.tld",
                     email ? email : "");
  return 0;
}

static int check_header_text(const char *text, const char *what, struct growth_error *err)
{
  if (!mail_encode_valid_utf8(text, strlen(text)))
    return error_set(err, ERR_BAD_ARGUMENT, "mail: the %s is not valid UTF-8", what);
  if (strpbrk(text, "\r\n"))
    return error_set(err, ERR_BAD_ARGUMENT, "mail: the %s holds a line break; expected one line", what);
  return 0;
}

static int check_name(const char *name, const char *what, struct growth_error *err)
{
  if (strlen(name) > MAX_NAME_BYTES)
    return error_set(err, ERR_BAD_ARGUMENT, "mail: the %s is %zu bytes long; expected at most %d", what, strlen(name),
                     MAX_NAME_BYTES);
  return check_header_text(name, what, err);
}

static int check_message(const struct mail_message *m, struct growth_error *err)
{
  if (m->to_count == 0 || m->to_count > MAIL_MAX_RECIPIENTS)
    return error_set(err, ERR_BAD_ARGUMENT, "mail: %zu recipients; expected 1 to %d", m->to_count, MAIL_MAX_RECIPIENTS);
  if (mail_check_address(m->from.email, err) != 0)
    return error_prefix(err, "mail: the sender (GMAIL_SENDER_ADDRESS)");
  if (m->from.name && check_name(m->from.name, "sender's name", err) != 0)
    return -1;
  for (size_t i = 0; i < m->to_count; i++) {
    if (mail_check_address(m->to[i].email, err) != 0 ||
        (m->to[i].name && check_name(m->to[i].name, "recipient's name", err) != 0))
      return -1;
  }
  if (!m->subject || check_header_text(m->subject, "subject", err) != 0)
    return m->subject ? -1 : error_set(err, ERR_BAD_ARGUMENT, "mail: the subject is missing");
  if (!m->text || !mail_encode_valid_utf8(m->text, strlen(m->text)))
    return error_set(err, ERR_BAD_ARGUMENT, "mail: the text body is %s; expected UTF-8 text",
                     m->text ? "not valid UTF-8" : "missing");
  if (m->html && !mail_encode_valid_utf8(m->html, strlen(m->html)))
    return error_set(err, ERR_BAD_ARGUMENT, "mail: the html body is not valid UTF-8");
  size_t total = 0;
  for (size_t i = 0; i < m->attachment_count; i++) {
    const struct mail_attachment *a = &m->attachments[i];
    if (!a->filename || !*a->filename || strlen(a->filename) > MAX_FILENAME_BYTES || strchr(a->filename, '/'))
      return error_set(err, ERR_BAD_ARGUMENT, "mail: attachment %zu needs a file name of 1 to %d bytes without '/'",
                       i + 1, MAX_FILENAME_BYTES);
    if (check_header_text(a->filename, "attachment's file name", err) != 0)
      return -1;
    const char *type = a->content_type ? a->content_type : "application/octet-stream";
    const char *slash = strchr(type, '/');
    int ok = slash && slash != type && slash[1] && strlen(type) < 128;
    for (const char *p = type; ok && *p; p++)
      ok = p == slash || (*p > ' ' && *p < 127 && !strchr("()<>@,;:\\\"/[]?=", *p));
    if (!ok)
      return error_set(err, ERR_BAD_ARGUMENT, "mail: attachment '%.60s' has content type '%.60s'; expected type/subtype",
                       a->filename, type);
    total += a->len;
  }
  if (total > MAIL_MAX_ATTACHMENT_BYTES)
    return error_set(err, ERR_TOO_LARGE, "mail: attachments hold %zu bytes; expected at most %d", total,
                     MAIL_MAX_ATTACHMENT_BYTES);
  return 0;
}

static int random_hex(char *out, size_t bytes)
{
  unsigned char random[32];
  if (bytes > sizeof random || RAND_bytes(random, (int)bytes) != 1)
    return -1;
  for (size_t i = 0; i < bytes; i++)
    snprintf(out + 2 * i, 3, "%02x", random[i]);
  return 0;
}

/* The first 16 bytes of SHA-256(key) as 32 hex digits. */
static int keyed_hex(const char *key, char out[33])
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(key, strlen(key), digest, &size, EVP_sha256(), NULL) != 1 || size < 16)
    return -1;
  for (size_t i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  return 0;
}

static void format_date(int64_t date_ms, char *out, size_t size)
{
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  time_t t = (time_t)(date_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "Name <email>" with the name quoted or encoded; used = characters already on the line. */
static void write_address(struct mail_buffer *b, const struct mail_address *a, size_t used)
{
  if (a->name && *a->name) {
    if (mail_encode_header_safe(a->name)) {
      mail_buffer_puts(b, "\"");
      for (const char *p = a->name; *p; p++) {
        if (*p == '"' || *p == '\\')
          mail_buffer_puts(b, "\\");
        mail_buffer_append(b, p, 1);
      }
      mail_buffer_puts(b, "\" ");
    } else {
      mail_encode_header_words(b, a->name, used);
      mail_buffer_puts(b, " ");
    }
  }
  mail_buffer_printf(b, "<%s>", a->email);
}

static void write_text_part(struct mail_buffer *b, const char *subtype, const char *text)
{
  mail_buffer_printf(b, "Content-Type: text/%s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                     subtype);
  mail_encode_quoted_printable(b, text, strlen(text));
  mail_buffer_puts(b, "\r\n");
}

/* The body: text/plain alone, or multipart/alternative with the html. */
static void write_body(struct mail_buffer *b, const struct mail_message *m, const char *boundary)
{
  if (!m->html) {
    write_text_part(b, "plain", m->text);
    return;
  }
  mail_buffer_printf(b, "Content-Type: multipart/alternative;\r\n boundary=\"%s_alt\"\r\n\r\n", boundary);
  mail_buffer_printf(b, "--%s_alt\r\n", boundary);
  write_text_part(b, "plain", m->text);
  mail_buffer_printf(b, "--%s_alt\r\n", boundary);
  write_text_part(b, "html", m->html);
  mail_buffer_printf(b, "--%s_alt--\r\n", boundary);
}

static void write_attachment(struct mail_buffer *b, const struct mail_attachment *a)
{
  mail_buffer_printf(b, "Content-Type: %s", a->content_type ? a->content_type : "application/octet-stream");
  mail_encode_parameter(b, "name", a->filename);
  mail_buffer_puts(b, "\r\nContent-Disposition: attachment");
  mail_encode_parameter(b, "filename", a->filename);
  mail_buffer_puts(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  mail_encode_base64(b, a->data, a->len);
}

static void write_headers(struct mail_buffer *b, const struct mail_message *m, int64_t date_ms, const char *id)
{
  char date[64];
  format_date(date_ms, date, sizeof date);
  mail_buffer_printf(b, "Date: %s\r\nFrom: ", date);
  write_address(b, &m->from, 6);
  mail_buffer_puts(b, "\r\nTo: ");
  for (size_t i = 0; i < m->to_count; i++) {
    if (i > 0)
      mail_buffer_puts(b, ",\r\n ");
    write_address(b, &m->to[i], 4);
  }
  mail_buffer_puts(b, "\r\nSubject: ");
  if (mail_encode_header_safe(m->subject) && strlen(m->subject) <= 900)
    mail_buffer_puts(b, m->subject);
  else
    mail_encode_header_words(b, m->subject, 9);
  mail_buffer_printf(b, "\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", id);
}

int mail_message_build(const struct mail_message *m, int64_t date_ms, char **out, size_t *len,
                       char message_id[MAIL_MESSAGE_ID_SIZE], struct growth_error *err)
{
  if (check_message(m, err) != 0)
    return -1;
  char id_random[33], boundary[48];
  if (random_hex(id_random, 16) != 0 || random_hex(boundary + 9, 12) != 0)
    return error_set(err, ERR_INTERNAL, "mail: the random generator failed");
  memcpy(boundary, "=_growth_", 9);
  if (m->idempotency_key) {
    char keyed[33];
    if (keyed_hex(m->idempotency_key, keyed) != 0)
      return error_set(err, ERR_INTERNAL, "mail: cannot hash the idempotency key");
    snprintf(message_id, MAIL_MESSAGE_ID_SIZE, "k.%s@%s", keyed, strrchr(m->from.email, '@') + 1);
  } else {
    snprintf(message_id, MAIL_MESSAGE_ID_SIZE, "%lld.%s@%s", (long long)date_ms, id_random,
             strrchr(m->from.email, '@') + 1);
  }

  struct mail_buffer b = { 0 };
  write_headers(&b, m, date_ms, message_id);
  if (m->attachment_count == 0) {
    write_body(&b, m, boundary);
  } else {
    mail_buffer_printf(&b, "Content-Type: multipart/mixed;\r\n boundary=\"%s_mix\"\r\n\r\n"
                           "This is a multi-part message in MIME format.\r\n", boundary);
    mail_buffer_printf(&b, "--%s_mix\r\n", boundary);
    write_body(&b, m, boundary);
    for (size_t i = 0; i < m->attachment_count; i++) {
      mail_buffer_printf(&b, "--%s_mix\r\n", boundary);
      write_attachment(&b, &m->attachments[i]);
    }
    mail_buffer_printf(&b, "--%s_mix--\r\n", boundary);
  }
  if (b.failed) {
    mail_buffer_free(&b);
    return error_set(err, ERR_NO_MEMORY, "mail: out of memory while building the message");
  }
  *out = b.data;
  *len = b.len;
  return 0;
}
