/*
 * test_mail_message.c — the MIME builder and its encodings: address checks,
 * line lengths, encoded words, part structure, header injection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/mail/mail_encode.h"
#include "providers/mail/mail_message.h"

#define DATE_MS 1795772198000LL /* Fri, 27 Nov 2026 09:36:38 UTC */

static void test_addresses(void **state)
{
  (void)state;
  const char *good[] = { "a@example.com", "first.last+tag@sub.example.co.uk", "o'neil@example.org",
                         "x@a-b.example", "u_1@123.example" };
  const char *bad[] = { "", "plain", "@example.com", "a@", "a@b", "a@@b.com", ".a@example.com", "a.@example.com",
                        "a..b@example.com", "a b@example.com", "a@-x.example.com", "a@x-.example.com",
                        "a@ex..com", "é@example.com", "a@exämple.com", "a\n@example.com",
                        "a@example.com>", "<a@example.com" };
  struct growth_error err = { 0 };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    if (mail_check_address(good[i], &err) != 0)
      fail_msg("refused %s: %s", good[i], err.message);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (mail_check_address(bad[i], &err) == 0)
      fail_msg("accepted bad address '%s'", bad[i]);
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  }
  char local[80];
  memset(local, 'a', 65);
  strcpy(local + 65, "@example.com");
  assert_int_equal(mail_check_address(local, &err), -1);
}

/* Every line of text ends in CRLF and holds at most max characters. */
static void assert_lines(const char *text, size_t max)
{
  const char *line = text;
  for (const char *p = text; *p; p++) {
    if (*p == '\n') {
      assert_true(p > text && p[-1] == '\r');
      assert_true((size_t)(p - 1 - line) <= max);
      line = p + 1;
    } else if (*p == '\r') {
      assert_true(p[1] == '\n');
    }
  }
  assert_true(strlen(line) <= max);
}

static void test_quoted_printable(void **state)
{
  (void)state;
  struct mail_buffer b = { 0 };
  char long_line[400];
  memset(long_line, 'x', sizeof long_line - 1);
  long_line[sizeof long_line - 1] = '\0';
  assert_int_equal(mail_encode_quoted_printable(&b, long_line, strlen(long_line)), 0);
  assert_lines(b.data, 76);
  mail_buffer_free(&b);
  const char *text = "caf\xC3\xA9 = 1\n.dot\nend  \r\nx\t";
  assert_int_equal(mail_encode_quoted_printable(&b, text, strlen(text)), 0);
  assert_string_equal(b.data, "caf=C3=A9 =3D 1\r\n=2Edot\r\nend =20\r\nx=09");
  mail_buffer_free(&b);
  /* Encoded sequences are never cut by a soft break. */
  char accents[200] = "";
  for (int i = 0; i < 60; i++)
    strcat(accents, "\xC3\xA9");
  assert_int_equal(mail_encode_quoted_printable(&b, accents, strlen(accents)), 0);
  assert_lines(b.data, 76);
  for (char *p = strstr(b.data, "=\r\n"); p; p = strstr(p + 3, "=\r\n"))
    assert_true(p[3] == '=' || p[3] == '\0');
  mail_buffer_free(&b);
}

static void test_base64_lines(void **state)
{
  (void)state;
  struct mail_buffer b = { 0 };
  unsigned char data[200];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)i;
  assert_int_equal(mail_encode_base64(&b, data, sizeof data), 0);
  assert_lines(b.data, 76);
  assert_int_equal(strncmp(b.data, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n", 78), 0);
  assert_string_equal(b.data + b.len - 14, "wMHCw8TFxsc=\r\n");
  mail_buffer_free(&b);
  assert_int_equal(mail_encode_base64(&b, (const unsigned char *)"ab", 2), 0);
  assert_string_equal(b.data, "YWI=\r\n");
  mail_buffer_free(&b);
}

static void test_encoded_words(void **state)
{
  (void)state;
  struct mail_buffer b = { 0 };
  const char *subject = "\xC3\xA9t\xC3\xA9 \xE2\x80\x94 un sujet tr\xC3\xA8s long pour voir le repli des mots encod\xC3\xA9s "
                        "sur plusieurs lignes \xE2\x9C\xA8";
  assert_int_equal(mail_encode_header_words(&b, subject, 9), 0);
  /* Each word within 75 characters, lines folded with CRLF SP, words decode to whole characters. */
  char *copy = strdup(b.data);
  size_t words = 0;
  for (char *word = strtok(copy, "\r\n "); word; word = strtok(NULL, "\r\n ")) {
    assert_true(strlen(word) <= 75);
    assert_int_equal(strncmp(word, "=?UTF-8?B?", 10), 0);
    assert_string_equal(word + strlen(word) - 2, "?=");
    words++;
  }
  assert_true(words >= 3);
  assert_true(strlen(b.data) - strlen(strstr(b.data, "\r\n ")) + 9 <= 78);
  free(copy);
  mail_buffer_free(&b);
}

static void test_parameters(void **state)
{
  (void)state;
  struct mail_buffer b = { 0 };
  mail_encode_parameter(&b, "filename", "report \"final\".pdf");
  assert_string_equal(b.data, "; filename=\"report \\\"final\\\".pdf\"");
  mail_buffer_free(&b);
  mail_encode_parameter(&b, "filename", "r\xC3\xA9sum\xC3\xA9 1.pdf");
  assert_string_equal(b.data, ";\r\n filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf");
  mail_buffer_free(&b);
}

static const struct mail_address to[] = { { "Zo\xC3\xAB", "zoe@example.com" }, { NULL, "bob@example.org" } };

static char *build(const struct mail_message *m, struct growth_error *err, char id[MAIL_MESSAGE_ID_SIZE])
{
  char *out = NULL;
  size_t len = 0;
  if (mail_message_build(m, DATE_MS, &out, &len, id, err) != 0)
    return NULL;
  assert_int_equal(strlen(out), len);
  return out;
}

static void test_text_only_message(void **state)
{
  (void)state;
  struct mail_message m = { .from = { "Growth Agents", "agent@example.com" }, .to = to, .to_count = 2,
                            .subject = "Weekly report", .text = "Hello\nWorld" };
  struct growth_error err = { 0 };
  char id[MAIL_MESSAGE_ID_SIZE];
  char *out = build(&m, &err, id);
  assert_non_null(out);
  assert_lines(out, 78);
  assert_non_null(strstr(out, "Date: Fri, 27 Nov 2026 09:36:38 +0000\r\n"));
  assert_non_null(strstr(out, "From: \"Growth Agents\" <agent@example.com>\r\n"));
  assert_non_null(strstr(out, "To: =?UTF-8?B?Wm/Dqw==?= <zoe@example.com>,\r\n <bob@example.org>\r\n"));
  assert_non_null(strstr(out, "Subject: Weekly report\r\n"));
  assert_non_null(strstr(out, "MIME-Version: 1.0\r\n"));
  assert_non_null(strstr(out, "Content-Type: text/plain; charset=UTF-8\r\n"));
  assert_non_null(strstr(out, "\r\n\r\nHello\r\nWorld\r\n"));
  assert_null(strstr(out, "multipart"));
  assert_int_equal(strncmp(id, "1795772198000.", 14), 0);
  assert_string_equal(id + strlen(id) - 12, "@example.com");
  char header[160];
  snprintf(header, sizeof header, "Message-ID: <%s>\r\n", id);
  assert_non_null(strstr(out, header));
  free(out);
}

static void test_multipart_message(void **state)
{
  (void)state;
  const unsigned char pdf[] = "%PDF-1.5 fake";
  struct mail_attachment attachment = { "report.pdf", "application/pdf", pdf, sizeof pdf - 1 };
  struct mail_message m = { .from = { NULL, "agent@example.com" }, .to = to, .to_count = 1, .subject = "S",
                            .text = "plain", .html = "<p>html</p>", .attachments = &attachment,
                            .attachment_count = 1 };
  struct growth_error err = { 0 };
  char id[MAIL_MESSAGE_ID_SIZE];
  char *out = build(&m, &err, id);
  assert_non_null(out);
  assert_lines(out, 78);
  const char *mixed = strstr(out, "Content-Type: multipart/mixed;\r\n boundary=\"");
  const char *alternative = strstr(out, "Content-Type: multipart/alternative;\r\n boundary=");
  const char *plain = strstr(out, "Content-Type: text/plain");
  const char *html = strstr(out, "Content-Type: text/html");
  const char *attached = strstr(out, "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
                                     "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
                                     "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjUgZmFrZQ==\r\n");
  assert_true(mixed && alternative && plain && html && attached);
  assert_true(mixed < alternative && alternative < plain && plain < html && html < attached);
  assert_non_null(strstr(out, "_alt--\r\n"));
  assert_string_equal(out + strlen(out) - 6, "ix--\r\n");   /* the message ends with the mixed part's close */
  free(out);
}

static void test_refusals(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  char id[MAIL_MESSAGE_ID_SIZE];
  struct mail_message m = { .from = { NULL, "agent@example.com" }, .to = to, .to_count = 1, .subject = "S",
                            .text = "t" };
  m.subject = "Hi\r\nBcc: victim@example.com";
  assert_null(build(&m, &err, id));
  assert_string_equal(err.message, "mail: the subject holds a line break; expected one line");
  m.subject = "S";
  struct mail_address injected = { "Eve\nBcc: x@example.com", "eve@example.com" };
  m.to = &injected;
  assert_null(build(&m, &err, id));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  m.to = to;
  m.to_count = 0;
  assert_null(build(&m, &err, id));
  m.to_count = 1;
  m.text = "bad \xC3";
  assert_null(build(&m, &err, id));
  assert_string_equal(err.message, "mail: the text body is not valid UTF-8; expected UTF-8 text");
  m.text = "t";
  m.from.email = "nobody";
  assert_null(build(&m, &err, id));
  assert_non_null(strstr(err.message, "GMAIL_SENDER_ADDRESS"));
  m.from.email = "agent@example.com";
  struct mail_attachment bad_type = { "a.pdf", "pdf", (const unsigned char *)"x", 1 };
  m.attachments = &bad_type;
  m.attachment_count = 1;
  assert_null(build(&m, &err, id));
  assert_non_null(strstr(err.message, "expected type/subtype"));
  struct mail_attachment big = { "big.bin", NULL, (const unsigned char *)"x", MAIL_MAX_ATTACHMENT_BYTES + 1 };
  m.attachments = &big;
  assert_null(build(&m, &err, id));
  assert_int_equal(err.code, ERR_TOO_LARGE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_addresses),
    cmocka_unit_test(test_quoted_printable),
    cmocka_unit_test(test_base64_lines),
    cmocka_unit_test(test_encoded_words),
    cmocka_unit_test(test_parameters),
    cmocka_unit_test(test_text_only_message),
    cmocka_unit_test(test_multipart_message),
    cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
