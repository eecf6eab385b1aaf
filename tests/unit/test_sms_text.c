/*
 * test_sms_text.c — E.164 checks and GSM-7 / UCS-2 segment counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sms/sms_text.h"

static void test_e164_accepts_valid_numbers(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  assert_int_equal(sms_check_e164("+33612345678", &err), 0);
  assert_int_equal(sms_check_e164("+14155552345", &err), 0);
  assert_int_equal(sms_check_e164("+123456789012345", &err), 0);
}

static void test_e164_refuses_bad_numbers(void **state)
{
  (void)state;
  const char *bad[] = { "33612345678", "+", "+0612345678", "+33 612345678", "+3361234567a", "+1234567",
                        "+1234567890123456", "", "+33-612-345-678" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct growth_error err = { 0 };
    assert_int_equal(sms_check_e164(bad[i], &err), -1);
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
    assert_non_null(strstr(err.message, "E.164"));
  }
}

static char *repeat(const char *unit, size_t times)
{
  size_t len = strlen(unit);
  char *s = malloc(len * times + 1);
  assert_non_null(s);
  for (size_t i = 0; i < times; i++)
    memcpy(s + i * len, unit, len);
  s[len * times] = '\0';
  return s;
}

static void expect(const char *body, enum sms_encoding encoding, size_t units, size_t segments)
{
  struct growth_error err = { 0 };
  struct sms_segments out;
  assert_int_equal(sms_count_segments(body, &out, &err), 0);
  assert_int_equal(out.encoding, encoding);
  assert_int_equal(out.units, units);
  assert_int_equal(out.segments, segments);
}

static void test_gsm7_boundaries(void **state)
{
  (void)state;
  char *s160 = repeat("a", 160), *s161 = repeat("a", 161), *s306 = repeat("a", 306), *s307 = repeat("a", 307);
  expect("Time for your evening reflection", SMS_GSM7, 32, 1);
  expect(s160, SMS_GSM7, 160, 1);
  expect(s161, SMS_GSM7, 161, 2);
  expect(s306, SMS_GSM7, 306, 2);
  expect(s307, SMS_GSM7, 307, 3);
  free(s160), free(s161), free(s306), free(s307);
}

static void test_gsm7_accents_and_extension(void **state)
{
  (void)state;
  /* é è à ñ Ä ß are in the basic table; € and [ take two septets each. */
  expect("Café à Noël? No: café à l'été ñ Ä ß", SMS_UCS2, 35, 1); /* ë is not GSM-7 */
  expect("Prix: 5€ [promo]", SMS_GSM7, 19, 1);
  char *euros = repeat("€", 80); /* 160 septets: still one segment */
  expect(euros, SMS_GSM7, 160, 1);
  free(euros);
  /* 152 'a' then a '€': the escape pair may not be split, so it opens part two. */
  char *body = malloc(200);
  memset(body, 'a', 152);
  strcpy(body + 152, "€aaaaaaa");
  expect(body, SMS_GSM7, 161, 2);
  free(body);
}

static void test_ucs2_boundaries(void **state)
{
  (void)state;
  char *s70 = repeat("ж", 70), *s71 = repeat("ж", 71), *s134 = repeat("ж", 134), *s135 = repeat("ж", 135);
  expect(s70, SMS_UCS2, 70, 1);
  expect(s71, SMS_UCS2, 71, 2);
  expect(s134, SMS_UCS2, 134, 2);
  expect(s135, SMS_UCS2, 135, 3);
  free(s70), free(s71), free(s134), free(s135);
  /* An emoji is a surrogate pair: two units, never split across parts. */
  expect("Bravo 🎉", SMS_UCS2, 8, 1);
  char *body = malloc(300);
  memset(body, 'a', 66);
  strcpy(body + 66, "🎉a");
  expect(body, SMS_UCS2, 69, 1);
  memset(body, 'a', 66);
  strcpy(body + 66, "🎉aaaa");
  expect(body, SMS_UCS2, 72, 2);
  free(body);
}

static void test_refuses_over_ten_segments(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sms_segments out;
  char *ok = repeat("a", 1530), *over = repeat("a", 1531), *ucs2_over = repeat("ж", 671);
  assert_int_equal(sms_check_body(ok, &out, &err), 0);
  assert_int_equal(out.segments, 10);
  assert_int_equal(sms_check_body(over, &out, &err), -1);
  assert_int_equal(err.code, ERR_TOO_LARGE);
  assert_non_null(strstr(err.message, "11 GSM-7 segments"));
  assert_int_equal(sms_check_body(ucs2_over, &out, &err), -1);
  assert_non_null(strstr(err.message, "UCS-2"));
  free(ok), free(over), free(ucs2_over);
}

static void test_refuses_empty_and_invalid_utf8(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sms_segments out;
  assert_int_equal(sms_count_segments("", &out, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_int_equal(sms_count_segments("abc\xC3", &out, &err), -1);
  assert_non_null(strstr(err.message, "byte 3"));
  assert_int_equal(sms_count_segments("\xC0\xAF", &out, &err), -1);     /* overlong '/' */
  assert_int_equal(sms_count_segments("\xED\xA0\x80", &out, &err), -1); /* a lone surrogate */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_e164_accepts_valid_numbers),
    cmocka_unit_test(test_e164_refuses_bad_numbers),
    cmocka_unit_test(test_gsm7_boundaries),
    cmocka_unit_test(test_gsm7_accents_and_extension),
    cmocka_unit_test(test_ucs2_boundaries),
    cmocka_unit_test(test_refuses_over_ten_segments),
    cmocka_unit_test(test_refuses_empty_and_invalid_utf8),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
