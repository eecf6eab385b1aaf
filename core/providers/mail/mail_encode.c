/*
 * mail_encode.c — base64, quoted-printable, RFC 2047 words and RFC 2231
 * parameters into a growing buffer (see mail_encode.h).
 */
#include "providers/mail/mail_encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CHARS 76
#define WORD_MAX_BYTES 45  /* 45 bytes -> 60 base64 characters -> a 72-character word */

static const char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex_digits[] = "0123456789ABCDEF";

static int grow(struct mail_buffer *b, size_t extra)
{
  if (b->failed)
    return -1;
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) {
    b->failed = 1;
    return -1;
  }
  b->data = data;
  b->cap = cap;
  return 0;
}

int mail_buffer_append(struct mail_buffer *b, const char *data, size_t len)
{
  if (grow(b, len) != 0)
    return -1;
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int mail_buffer_puts(struct mail_buffer *b, const char *text)
{
  return mail_buffer_append(b, text, strlen(text));
}

int mail_buffer_printf(struct mail_buffer *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int needed = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (needed < 0 || grow(b, (size_t)needed) != 0)
    return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)needed + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)needed;
  return 0;
}

void mail_buffer_free(struct mail_buffer *b)
{
  free(b->data);
  memset(b, 0, sizeof *b);
}

/* Length of the UTF-8 sequence at s (at most len bytes), or 0 when invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
  if (s[0] == 0)
    return 0;
  if (s[0] < 0x80)
    return 1;
  size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || n > len)
    return 0;
  unsigned cp = s[0] & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

int mail_encode_valid_utf8(const char *text, size_t len)
{
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_sequence(s + i, len - i);
    if (n == 0)
      return 0;
    i += n;
  }
  return 1;
}

int mail_encode_header_safe(const char *text)
{
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    if (*p < 0x20 || *p > 0x7E)
      return 0;
  return 1;
}

static void base64_group(const unsigned char *in, size_t n, char out[4])
{
  unsigned v = (unsigned)in[0] << 16 | (n > 1 ? (unsigned)in[1] << 8 : 0) | (n > 2 ? in[2] : 0);
  out[0] = base64_alphabet[(v >> 18) & 63];
  out[1] = base64_alphabet[(v >> 12) & 63];
  out[2] = n > 1 ? base64_alphabet[(v >> 6) & 63] : '=';
  out[3] = n > 2 ? base64_alphabet[v & 63] : '=';
}

/* Base64 of data without line breaks. */
static int base64_run(struct mail_buffer *b, const unsigned char *data, size_t len)
{
  if (grow(b, (len + 2) / 3 * 4) != 0)
    return -1;
  for (size_t i = 0; i < len; i += 3) {
    base64_group(data + i, len - i < 3 ? len - i : 3, b->data + b->len);
    b->len += 4;
  }
  b->data[b->len] = '\0';
  return 0;
}

int mail_encode_base64(struct mail_buffer *b, const unsigned char *data, size_t len)
{
  const size_t per_line = LINE_MAX_CHARS / 4 * 3;  /* 57 bytes -> 76 characters */
  for (size_t i = 0; i < len; i += per_line) {
    size_t n = len - i < per_line ? len - i : per_line;
    if (base64_run(b, data + i, n) != 0 || mail_buffer_append(b, "\r\n", 2) != 0)
      return -1;
  }
  return b->failed ? -1 : 0;
}

int mail_encode_quoted_printable(struct mail_buffer *b, const char *text, size_t len)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t column = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
      continue;  /* the '\n' that follows makes the break */
    if (c == '\n') {
      mail_buffer_append(b, "\r\n", 2);
      column = 0;
      continue;
    }
    int at_line_end = i + 1 == len || s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n');
    /* A '.' opening a line is encoded too, so no relay's dot handling can touch it. */
    int literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && column == 0)) ||
                  ((c == ' ' || c == '\t') && !at_line_end);
    char encoded[3] = { '=', hex_digits[c >> 4], hex_digits[c & 15] };
    size_t width = literal ? 1 : 3;
    /* Keep room for the soft break's "=" unless this character ends the line. */
    if (column + width > (at_line_end ? LINE_MAX_CHARS : LINE_MAX_CHARS - 1)) {
      mail_buffer_append(b, "=\r\n", 3);
      column = 0;
      if (c == '.')
        literal = 0, width = 3;
    }
    mail_buffer_append(b, literal ? (const char *)&s[i] : encoded, width);
    column += width;
  }
  return b->failed ? -1 : 0;
}

int mail_encode_header_words(struct mail_buffer *b, const char *text, size_t used)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t len = strlen(text);
  /* The first word fills what is left of the current line (it starts on a new line when
   * fewer than 4 characters of payload would fit); the others get whole lines. */
  size_t first_room = used + 12 + 4 <= LINE_MAX_CHARS + 2 ? (LINE_MAX_CHARS + 2 - used - 12) / 4 * 3 : 0;
  if (first_room > WORD_MAX_BYTES)
    first_room = WORD_MAX_BYTES;
  int first = 1;
  if (first_room == 0) {
    mail_buffer_append(b, "\r\n ", 3);
    first = 0;
  }
  for (size_t i = 0; i < len || first;) {
    size_t room = first ? first_room : WORD_MAX_BYTES, chunk = 0;
    while (i + chunk < len) {
      size_t n = utf8_sequence(s + i + chunk, len - i - chunk);
      if (n == 0)
        n = 1;  /* callers validate UTF-8; never loop on a bad byte */
      if (chunk + n > room)
        break;
      chunk += n;
    }
    if (chunk == 0 && i < len) {  /* not even one character fits this line */
      mail_buffer_append(b, "\r\n ", 3);
      first = 0;
      continue;
    }
    if (i > 0)
      mail_buffer_append(b, "\r\n ", 3);
    mail_buffer_puts(b, "=?UTF-8?B?");
    base64_run(b, s + i, chunk);
    mail_buffer_puts(b, "?=");
    i += chunk;
    first = 0;
  }
  return b->failed ? -1 : 0;
}

int mail_encode_parameter(struct mail_buffer *b, const char *name, const char *value)
{
  if (mail_encode_header_safe(value)) {
    mail_buffer_printf(b, "; %s=\"", name);
    for (const char *p = value; *p; p++) {
      if (*p == '"' || *p == '\\')
        mail_buffer_append(b, "\\", 1);
      mail_buffer_append(b, p, 1);
    }
    return mail_buffer_append(b, "\"", 1);
  }
  mail_buffer_printf(b, ";\r\n %s*=UTF-8''", name);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("!#$&+-.^_`|~", *p) != NULL;
    if (plain) {
      mail_buffer_append(b, (const char *)p, 1);
    } else {
      char encoded[3] = { '%', hex_digits[*p >> 4], hex_digits[*p & 15] };
      mail_buffer_append(b, encoded, 3);
    }
  }
  return b->failed ? -1 : 0;
}
