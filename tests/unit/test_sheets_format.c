/*
 * test_sheets_format.c — the local Sheets backend's formats: RFC 4180 CSV both ways
 * (quoting, doubled quotes, fields across lines, CRLF and LF, malformed input) and
 * A1 range notation (sheets, quoted names, open ranges, refusals).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sheets/a1_range.h"
#include "providers/sheets/csv.h"

static void test_csv_encode(void **state)
{
  (void)state;
  json_t *rows = json_pack("[[s,s,s,s,s],[s],[]]", "plain", "a,b", "say \"hi\"", "two\nlines", " x", "", "");
  size_t size = 0;
  char *text = csv_encode(rows, &size);
  assert_string_equal(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" x\"\r\n\r\n\r\n");
  assert_int_equal(size, strlen(text));
  free(text);
  json_decref(rows);
}

static void test_csv_round_trip(void **state)
{
  (void)state;
  json_t *rows = json_pack("[[s,s,s],[s,s]]", "a\r\nb", ",", "\"\"", "", "end");
  size_t size = 0;
  char *text = csv_encode(rows, &size);
  struct growth_error err = { 0 };
  json_t *back = csv_decode(text, size, "t", &err);
  assert_non_null(back);
  assert_true(json_equal(rows, back));
  json_decref(back);
  free(text);
  json_decref(rows);
}

static void test_csv_decode_variants(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  const char *text = "a,b\nc,\"d\"\"e\"\r\nf,";
  json_t *rows = csv_decode(text, strlen(text), "t", &err);
  json_t *expected = json_pack("[[s,s],[s,s],[s,s]]", "a", "b", "c", "d\"e", "f", "");
  assert_true(json_equal(rows, expected));
  json_decref(rows);
  json_decref(expected);
  assert_null(csv_decode("a,\"open\nnever", 13, "sheet.csv", &err));
  assert_string_equal(err.message, "sheet.csv: line 1: a quoted field is not closed");
  assert_null(csv_decode("a\nb\"c", 5, "sheet.csv", &err));
  assert_string_equal(err.message, "sheet.csv: line 2: a quote inside an unquoted field");
  assert_null(csv_decode("\"a\"b", 4, "sheet.csv", &err));
  assert_string_equal(err.message, "sheet.csv: line 1: text after a closing quote");
  assert_null(csv_decode("ok,\xc3(\r\n", 7, "sheet.csv", &err));
  assert_string_equal(err.message, "sheet.csv: line 1: the text is not valid UTF-8");
  json_t *empty = csv_decode("", 0, "t", &err);
  assert_int_equal(json_array_size(empty), 0);
  json_decref(empty);
}

/* Random tables over an alphabet rich in separators survive encode then decode unchanged. */
static void test_csv_random_round_trips(void **state)
{
  (void)state;
  static const char alphabet[] = "ab ,\"\r\n'=;\t";   /* single bytes: any pick is valid UTF-8 */
  unsigned int seed = 12345;
  for (int round = 0; round < 2000; round++) {
    json_t *rows = json_array();
    int row_count = 1 + (int)(rand_r(&seed) % 4);
    for (int r = 0; r < row_count; r++) {
      json_t *row = json_array();
      int cells = 1 + (int)(rand_r(&seed) % 4);
      for (int c = 0; c < cells; c++) {
        char cell[16];
        int length = (int)(rand_r(&seed) % 8);
        for (int i = 0; i < length; i++)
          cell[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        cell[length] = '\0';
        json_array_append_new(row, json_stringn(cell, (size_t)length));
      }
      json_array_append_new(rows, row);
    }
    size_t size = 0;
    char *text = csv_encode(rows, &size);
    struct growth_error err = { 0 };
    json_t *back = csv_decode(text, size, "random", &err);
    if (!back || !json_equal(rows, back))
      fail_msg("round %d did not survive: %s", round, back ? "different table" : err.message);
    json_decref(back);
    free(text);
    json_decref(rows);
  }
}

/* Arbitrary text never crashes the A1 parser, and what it accepts has sane bounds. */
static void test_a1_random_text(void **state)
{
  (void)state;
  static const char alphabet[] = "AZaz09!:'$ ";
  unsigned int seed = 777;
  for (int round = 0; round < 20000; round++) {
    char text[24];
    int length = (int)(rand_r(&seed) % 20);
    for (int i = 0; i < length; i++)
      text[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
    text[length] = '\0';
    struct a1_range r;
    if (a1_parse(text, &r) == 0) {
      assert_true(r.first_column >= 0 && r.first_row >= 0);
      assert_true(r.last_column == -1 || r.last_column >= r.first_column);
      assert_true(r.last_row == -1 || r.last_row >= r.first_row);
    }
  }
}

static void test_a1(void **state)
{
  (void)state;
  struct a1_range r;
  assert_int_equal(a1_parse("Entries!A1:C10", &r), 0);
  assert_string_equal(r.sheet, "Entries");
  assert_int_equal(r.first_column, 0);
  assert_int_equal(r.first_row, 0);
  assert_int_equal(r.last_column, 2);
  assert_int_equal(r.last_row, 9);
  assert_int_equal(a1_parse("'It''s mine'!B:D", &r), 0);
  assert_string_equal(r.sheet, "It's mine");
  assert_int_equal(r.first_column, 1);
  assert_int_equal(r.last_column, 3);
  assert_int_equal(r.last_row, -1);
  assert_int_equal(a1_parse("Sheet1", &r), 0);
  assert_string_equal(r.sheet, "Sheet1");
  assert_int_equal(r.last_row, -1);
  assert_int_equal(a1_parse("AA3", &r), 0);
  assert_string_equal(r.sheet, "");
  assert_int_equal(r.first_column, 26);
  assert_int_equal(r.first_row, 2);
  assert_int_equal(a1_parse("B2:C", &r), 0);
  assert_int_equal(r.last_row, -1);
  assert_int_equal(r.last_column, 2);
  assert_int_equal(a1_parse("", &r), -1);
  assert_int_equal(a1_parse("S!A1:1B", &r), -1);
  assert_int_equal(a1_parse("S!C1:A1", &r), -1);
  assert_int_equal(a1_parse("S!A0", &r), -1);
  assert_int_equal(a1_parse("'open!A1", &r), -1);
  assert_int_equal(a1_parse("!A1", &r), -1);
  char name[8];
  a1_column_name(0, name);
  assert_string_equal(name, "A");
  a1_column_name(27, name);
  assert_string_equal(name, "AB");
  a1_column_name(701, name);
  assert_string_equal(name, "ZZ");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_csv_encode),
    cmocka_unit_test(test_csv_round_trip),
    cmocka_unit_test(test_csv_decode_variants),
    cmocka_unit_test(test_csv_random_round_trips),
    cmocka_unit_test(test_a1),
    cmocka_unit_test(test_a1_random_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
