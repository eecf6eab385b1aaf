/*
 * fuzz_mail_message.c — the MIME builder on hostile fields. Input lines: recipient
 * address, recipient name, subject, text, html; the rest is an attachment. When the
 * builder accepts, the output must be a safe message: CRLF line ends only, lines
 * within 998 octets, ASCII headers, and and no Cc or Bcc header smuggled in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/mail/mail_message.h"

#define FIELDS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *copy = malloc(size + 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  char *fields[FIELDS] = { 0 };
  char *rest = copy;
  for (int i = 0; i < FIELDS; i++) {
    fields[i] = rest;
    char *newline = memchr(rest, '\n', (size_t)(copy + size - rest));
    if (!newline) {
      rest = copy + size;
      for (int j = i + 1; j < FIELDS; j++)
        fields[j] = rest;
      break;
    }
    *newline = '\0';
    rest = newline + 1;
  }
  struct mail_address to = { fields[1][0] ? fields[1] : NULL, fields[0] };
  struct mail_attachment attachment = { "fuzz \xC3\xA9.bin", "application/octet-stream", (const uint8_t *)rest,
                                        (size_t)(copy + size - rest) };
  struct mail_message m = { .from = { "Growth", "agent@example.com" }, .to = &to, .to_count = 1,
                            .subject = fields[2], .text = fields[3], .html = fields[4][0] ? fields[4] : NULL,
                            .attachments = &attachment, .attachment_count = 1 };
  struct growth_error err = { 0 };
  char *out = NULL, id[MAIL_MESSAGE_ID_SIZE];
  size_t len = 0;
  if (mail_message_build(&m, 1795772198000LL, &out, &len, id, &err) == 0) {
    size_t line = 0, header_end = len;
    char *blank = strstr(out, "\r\n\r\n");
    if (blank)
      header_end = (size_t)(blank - out);
    for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)out[i];
      if (c == '\n' && (i == 0 || out[i - 1] != '\r'))
        abort();
      if (c == '\r' && (i + 1 >= len || out[i + 1] != '\n'))
        abort();
      if (i < header_end && (c >= 0x80 || c == 0))
        abort();
      line = c == '\n' ? 0 : line + 1;
      if (line > 998)
        abort();
    }
    /* No header may be smuggled in: the header section has no Bcc or Cc line. */
    out[header_end] = '\0';
    if (strstr(out, "\r\nBcc:") || strstr(out, "\r\nCc:"))
      abort();
    free(out);
  }
  free(copy);
  return 0;
}
