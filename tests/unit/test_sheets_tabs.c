/*
 * test_sheets_tabs.c — sheets_ensure_sheet on the local backend (CSV files in a temporary data
 * folder): a tab added once with its headers, found again, headers only into an empty first row,
 * appends and reads through the new tab, and every argument refused before anything is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "providers/sheets/sheets.h"

#include "support/unit_support.h"

struct fixture {
  char data[64];
  struct config config;
  struct sheets *sheets;
  char id[64];
};

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->data, sizeof f->data, "/tmp/growth-tabs-XXXXXX");
  assert_non_null(mkdtemp(f->data));
  const char *pairs[] = { "GROWTH_DATA_DIR", f->data, NULL };
  struct growth_error err = { 0 };
  assert_int_equal(config_load(&f->config, unit_lookup_pairs, pairs, &err), 0);
  f->sheets = sheets_open(&f->config, NULL, &err);
  assert_non_null(f->sheets);
  json_t *spec = json_pack("{s:s, s:[s,s]}", "title", "Journal", "headers", "Date", "Energy"), *out = NULL;
  assert_int_equal(sheets_create(f->sheets, spec, &out, &err), 0);
  snprintf(f->id, sizeof f->id, "%s", json_string_value(json_object_get(out, "id")));
  json_decref(out);
  json_decref(spec);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  char command[128];
  sheets_free(f->sheets);
  config_free(&f->config);
  snprintf(command, sizeof command, "rm -rf '%s'", f->data);
  assert_int_equal(system(command), 0);
  free(f);
  return 0;
}

static json_t *ensure(struct fixture *f, const char *spec_text, struct growth_error *err)
{
  json_t *spec = json_loads(spec_text, 0, NULL), *out = NULL;
  assert_non_null(spec);
  int result = sheets_ensure_sheet(f->sheets, f->id, spec, &out, err);
  json_decref(spec);
  assert_true(result == 0 ? out != NULL : out == NULL);
  return out;
}

static json_t *read_range(struct fixture *f, const char *range)
{
  struct growth_error err = { 0 };
  json_t *rows = NULL;
  assert_int_equal(sheets_read(f->sheets, f->id, range, &rows, &err), 0);
  return rows;
}

static void assert_json(json_t *value, const char *expected)
{
  char *text = json_dumps(value, JSON_COMPACT);
  assert_string_equal(text, expected);
  free(text);
}

static void test_a_tab_is_added_once_with_its_headers(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  json_t *first = ensure(f, "{\"title\": \"Summaries\", \"headers\": [\"Date\", \"Summary\"]}", &err);
  assert_non_null(first);
  assert_true(json_is_true(json_object_get(first, "created")));
  assert_int_equal(json_integer_value(json_object_get(first, "sheet_id")), 1);
  assert_string_equal(json_string_value(json_object_get(first, "title")), "Summaries");
  const char *url = json_string_value(json_object_get(first, "url"));
  assert_non_null(strstr(url, "/Summaries.csv"));
  assert_int_equal(strncmp(url, "file://", 7), 0);
  json_decref(first);

  json_t *rows = json_pack("[[s,s]]", "2026-11-27", "calm"), *out = NULL;
  assert_int_equal(sheets_append(f->sheets, f->id, "Summaries!A1", rows, &out, &err), 0);
  assert_string_equal(json_string_value(json_object_get(out, "updated_range")), "Summaries!A2:B2");
  json_decref(out);
  json_decref(rows);

  json_t *again = ensure(f, "{\"title\": \"Summaries\", \"headers\": [\"Other\"]}", &err);
  assert_non_null(again);
  assert_true(json_is_false(json_object_get(again, "created")));
  assert_int_equal(json_integer_value(json_object_get(again, "sheet_id")), 1);
  json_decref(again);

  json_t *back = read_range(f, "'Summaries'!A1:B");
  assert_json(back, "[[\"Date\",\"Summary\"],[\"2026-11-27\",\"calm\"]]");
  json_decref(back);
  back = read_range(f, "A:B");   /* no sheet name: still the first sheet */
  assert_json(back, "[[\"Date\",\"Energy\"]]");
  json_decref(back);
}

static void test_headers_go_into_an_empty_first_row_only(void **state)
{
  struct fixture *f = *state;
  struct growth_error err = { 0 };
  json_t *out = ensure(f, "{\"title\": \"Notes\"}", &err);
  assert_true(json_is_true(json_object_get(out, "created")));
  json_decref(out);
  json_t *empty = read_range(f, "Notes");
  assert_int_equal(json_array_size(empty), 0);
  json_decref(empty);
  /* a call that failed before its headers were written: the next one writes them */
  out = ensure(f, "{\"title\": \"Notes\", \"headers\": [\"When\", \"What\"]}", &err);
  assert_true(json_is_false(json_object_get(out, "created")));
  json_decref(out);
  json_t *back = read_range(f, "Notes");
  assert_json(back, "[[\"When\",\"What\"]]");
  json_decref(back);
  /* the first sheet has headers: left as they are */
  out = ensure(f, "{\"title\": \"Sheet1\", \"headers\": [\"x\"]}", &err);
  assert_int_equal(json_integer_value(json_object_get(out, "sheet_id")), 0);
  json_decref(out);
  back = read_range(f, "Sheet1");
  assert_json(back, "[[\"Date\",\"Energy\"]]");
  json_decref(back);
}

static void test_arguments_are_refused_before_anything_is_written(void **state)
{
  struct fixture *f = *state;
  static const struct {
    const char *spec, *message;
  } cases[] = {
    { "{}", "sheets.ensure_sheet: title must be a non-empty string, got nil" },
    { "{\"title\": \"\"}", "sheets.ensure_sheet: title must be a non-empty string, got a string" },
    { "{\"title\": 3}", "sheets.ensure_sheet: title must be a non-empty string, got a number" },
    { "{\"title\": \"a\\u0007b\"}", "sheets.ensure_sheet: title must not contain control characters" },
    { "{\"title\": \"T\", \"headers\": \"a\"}", "sheets.ensure_sheet: headers must be a list of strings, got a string" },
    { "{\"title\": \"T\", \"headers\": [\"a\", null]}", "sheets.ensure_sheet: headers[2] must be a string, got nil" },
    { "[1]", "sheets.ensure_sheet: the second argument must be a table {title=..., headers=...}, got a list" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct growth_error err = { 0 };
    json_t *spec = json_loads(cases[i].spec, 0, NULL), *out = NULL;
    assert_non_null(spec);
    assert_int_equal(sheets_ensure_sheet(f->sheets, f->id, spec, &out, &err), -1);
    assert_null(out);
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
    assert_string_equal(err.message, cases[i].message);
    json_decref(spec);
  }
  char title[160];
  memset(title, 'x', 101);
  title[101] = '\0';
  json_t *spec = json_pack("{s:s}", "title", title), *out = NULL;
  struct growth_error err = { 0 };
  assert_int_equal(sheets_ensure_sheet(f->sheets, f->id, spec, &out, &err), -1);
  assert_non_null(strstr(err.message, "title has 101 characters (101 bytes)"));
  assert_int_equal(sheets_ensure_sheet(f->sheets, "bad id", spec, &out, &err), -1);
  assert_non_null(strstr(err.message, "is not a spreadsheet id"));
  json_decref(spec);
  spec = json_pack("{s:s}", "title", "T");
  assert_int_equal(sheets_ensure_sheet(f->sheets, "local-0000000000000000", spec, &out, &err), -1);
  assert_int_equal(err.code, ERR_NOT_FOUND);
  json_decref(spec);
  json_t *names = read_range(f, "Sheet1");   /* the spreadsheet is as it was */
  assert_int_equal(json_array_size(names), 1);
  json_decref(names);
  char meta[256];
  snprintf(meta, sizeof meta, "%s/sheets/%s/meta.json", f->data, f->id);
  json_t *described = json_load_file(meta, 0, NULL);
  assert_json(json_object_get(described, "sheets"), "[\"Sheet1\"]");
  json_decref(described);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_a_tab_is_added_once_with_its_headers, setup, teardown),
    cmocka_unit_test_setup_teardown(test_headers_go_into_an_empty_first_row_only, setup, teardown),
    cmocka_unit_test_setup_teardown(test_arguments_are_refused_before_anything_is_written, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
