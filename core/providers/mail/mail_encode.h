/*
 * mail_encode.h — the byte-level encodings of an Internet message, and the
 * growing buffer they write into.
 *
 * - base64 bodies (RFC 2045): 76 characters a line, CRLF line ends;
 * - quoted-printable bodies (RFC 2045): CRLF hard breaks kept (a bare LF in the
 *   input becomes CRLF too), "=" soft breaks keep every line within 76
 *   characters, trailing blanks encoded, so the text survives any relay;
 * - encoded words for header text (RFC 2047): "=?UTF-8?B?...?=", each at most
 *   75 characters and never cutting a UTF-8 sequence, folded onto continuation
 *   lines;
 * - RFC 2231 parameters for non-ASCII file names: filename*=UTF-8''%E2%82%AC.pdf.
 *
 * Every append returns 0, or -1 once the buffer could not grow; the failure is
 * sticky, so a writer may check once at the end.
 */
#ifndef GROWTH_PROVIDERS_MAIL_ENCODE_H
#define GROWTH_PROVIDERS_MAIL_ENCODE_H

#include <stddef.h>

struct mail_buffer {
  char *data;  /* NUL-terminated while not failed */
  size_t len, cap;
  int failed;
};

int mail_buffer_append(struct mail_buffer *b, const char *data, size_t len);
int mail_buffer_puts(struct mail_buffer *b, const char *text);
int mail_buffer_printf(struct mail_buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mail_buffer_free(struct mail_buffer *b);

/* 1 when text (len bytes) is valid UTF-8 without NUL bytes. */
int mail_encode_valid_utf8(const char *text, size_t len);

/* 1 when text needs no encoding in a header: printable ASCII and spaces only. */
int mail_encode_header_safe(const char *text);

int mail_encode_base64(struct mail_buffer *b, const unsigned char *data, size_t len);
int mail_encode_quoted_printable(struct mail_buffer *b, const char *text, size_t len);

/* Appends text as encoded words; used is how many characters the current header line
 * already holds, so the first word can go on a new line when it would not fit. */
int mail_encode_header_words(struct mail_buffer *b, const char *text, size_t used);

/* Appends '; name="value"' (quoted, escaped) when value is printable ASCII, otherwise
 * '; name*=UTF-8''percent-encoded' (RFC 2231). */
int mail_encode_parameter(struct mail_buffer *b, const char *name, const char *value);

#endif
