/*
 * test_pdf_document.c — the PDF builder's C API: output framing, page flow,
 * and every refusal (bad UTF-8, bad numbers, use after finish, unwritable path).
 * Lives in the media suite for its LeakSanitizer settings (tests/lsan.supp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>

#include "providers/pdf/pdf_document.h"
#include "providers/pdf/pdf_fonts.h"

static struct pdf_document *new_document(enum pdf_page_size size)
{
  struct growth_error err = { 0 };
  struct pdf_metadata metadata = { .title = "T\xC3\xADtulo", .author = "A", .date = "2026-11-27T09:00:00+01:00" };
  struct pdf_document *doc = pdf_document_new(size, &metadata, &err);
  if (!doc)
    fail_msg("pdf_document_new: %s", err.message);
  return doc;
}

static int contains(const unsigned char *bytes, size_t len, const char *needle)
{
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(bytes + i, needle, n) == 0)
      return 1;
  return 0;
}

static void test_output_is_a_pdf(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct pdf_document *doc = new_document(PDF_PAGE_LETTER);
  assert_int_equal(pdf_add_title(doc, "Hello", &err), 0);
  assert_int_equal(pdf_add_page_break(doc, &err), 0);
  assert_int_equal(pdf_add_page_break(doc, &err), 0); /* an empty page is not ended twice */
  assert_int_equal(pdf_document_page_count(doc), 2);
  assert_int_equal(pdf_add_paragraph(doc, "World", &err), 0);
  unsigned char *bytes = NULL;
  size_t len = 0;
  assert_int_equal(pdf_document_finish(doc, &bytes, &len, &err), 0);
  assert_true(len > 1000);
  assert_memory_equal(bytes, "%PDF-1.5", 8);
  assert_true(contains(bytes + len - 8, 8, "%%EOF"));
  assert_true(contains(bytes, len, "/MediaBox [ 0 0 612 792 ]"));
  assert_true(contains(bytes, len, "/Count 2"));
  free(bytes);
  /* Nothing can be added or finished again. */
  assert_int_equal(pdf_add_paragraph(doc, "late", &err), -1);
  assert_int_equal(err.code, ERR_INTERNAL);
  assert_int_equal(pdf_document_finish(doc, &bytes, &len, &err), -1);
  pdf_document_free(doc);
}

static void test_refuses_bad_text_and_numbers(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct pdf_document *doc = new_document(PDF_PAGE_A4);
  assert_int_equal(pdf_add_paragraph(doc, "ok \xE2\x82", &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_string_equal(err.message, "pdf: a paragraph is not valid UTF-8 (at byte 3)");
  assert_int_equal(pdf_add_heading(doc, "x", 3, &err), -1);
  assert_string_equal(err.message, "pdf: heading level 3; expected 1 or 2");
  const char *items[] = { "a", NULL };
  assert_int_equal(pdf_add_bullets(doc, items, 2, &err), -1);
  assert_string_equal(err.message, "pdf: bullet item 2 is missing; expected a UTF-8 string");
  const char *labels[] = { "a", "b" };
  const double values[] = { 1.0, NAN };
  struct pdf_bar_chart chart = { .count = 2, .labels = labels, .values = values };
  assert_int_equal(pdf_add_bar_chart(doc, &chart, &err), -1);
  assert_string_equal(err.message, "pdf: bar value 2 is not a finite number");
  const char *five[] = { "1", "2", "3", "4", "5" };
  struct pdf_ikigai diagram = { .items = { five }, .item_counts = { 5 } };
  assert_int_equal(pdf_add_ikigai(doc, &diagram, &err), -1);
  assert_string_equal(err.message, "pdf: Ikigai circle 'What you love' has 5 items; expected at most 4");
  struct pdf_scatter empty = { 0 };
  assert_int_equal(pdf_add_scatter(doc, &empty, &err), -1);
  struct pdf_table table = { .columns = 0 };
  assert_int_equal(pdf_add_table(doc, &table, &err), -1);
  /* The refusals left the document usable. */
  assert_int_equal(pdf_add_paragraph(doc, "still fine", &err), 0);
  pdf_document_free(doc);
}

static void test_refuses_bad_metadata(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  const char *dates[] = { "2026-11-27", "2026-11-27T09:00:00", "2026-13-01T00:00:00Z", "2026-11-27T09:00:00+1:00",
                          "2026-11-27T09:00:00Zjunk" };
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
    struct pdf_metadata metadata = { .date = dates[i] };
    assert_null(pdf_document_new(PDF_PAGE_A4, &metadata, &err));
    assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  }
  struct pdf_metadata bad_title = { .title = "\xFF" };
  assert_null(pdf_document_new(PDF_PAGE_A4, &bad_title, &err));
  enum pdf_page_size size;
  assert_int_equal(pdf_page_size_parse("letter", &size, &err), 0);
  assert_int_equal(size, PDF_PAGE_LETTER);
  assert_int_equal(pdf_page_size_parse("A3", &size, &err), -1);
}

static void test_write_file(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  char dir[] = "/tmp/growth-pdf-unit-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/report.pdf", dir);
  struct pdf_document *doc = new_document(PDF_PAGE_A4);
  assert_int_equal(pdf_add_paragraph(doc, "file", &err), 0);
  assert_int_equal(pdf_document_write_file(doc, path, &err), 0);
  pdf_document_free(doc);
  assert_int_equal(access(path, R_OK), 0);
  unlink(path);
  snprintf(path, sizeof path, "%s/missing/report.pdf", dir);
  doc = new_document(PDF_PAGE_A4);
  assert_int_equal(pdf_document_write_file(doc, path, &err), -1);
  assert_int_equal(err.code, ERR_IO);
  pdf_document_free(doc);
  assert_int_equal(rmdir(dir), 0); /* nothing, not even a temporary file, was left behind */
}

/* Worker threads render at the same time (pango keeps one font map per thread). */
static void *render_in_thread(void *arg)
{
  size_t *len = arg;
  struct growth_error err = { 0 };
  struct pdf_document *doc = new_document(PDF_PAGE_A4);
  const char *labels[] = { "Mon", "Tue", "Wed" };
  const double values[] = { 30, 45, 20 };
  struct pdf_bar_chart chart = { .title = "Deep work", .count = 3, .labels = labels, .values = values };
  struct pdf_ikigai diagram = { 0 };
  unsigned char *bytes = NULL;
  int rc = 0;
  for (int i = 0; i < 20 && rc == 0; i++)
    rc = pdf_add_paragraph(doc, "Les journées avec une marche après le déjeuner sont plus calmes.", &err);
  if (rc == 0)
    rc = pdf_add_bar_chart(doc, &chart, &err);
  if (rc == 0)
    rc = pdf_add_ikigai(doc, &diagram, &err);
  if (rc == 0)
    rc = pdf_document_finish(doc, &bytes, len, &err);
  if (rc != 0 || memcmp(bytes, "%PDF-", 5) != 0)
    *len = 0;
  free(bytes);
  pdf_document_free(doc);
  return NULL;
}

static void test_threads_render_concurrently(void **state)
{
  (void)state;
  enum { THREADS = 4 };
  pthread_t threads[THREADS];
  size_t lengths[THREADS] = { 0 };
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&threads[i], NULL, render_in_thread, &lengths[i]), 0);
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_join(threads[i], NULL), 0);
  for (int i = 0; i < THREADS; i++) {
    assert_true(lengths[i] > 1000);
    assert_int_equal(lengths[i], lengths[0]); /* the same document, byte count for byte count */
  }
}

/* The provider's own fontconfig configuration is current and holds DejaVu faces only (the system's has
 * some 160 on the build machine), unless the environment names a configuration. */
static void test_fonts_are_dejavu_only(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct pdf_document *doc = pdf_document_new(PDF_PAGE_A4, NULL, &err);
  assert_non_null(doc);
  pdf_document_free(doc);
  if (getenv("FONTCONFIG_FILE") || getenv("FONTCONFIG_PATH")) {
    assert_int_equal(pdf_fonts_own_config(), 0);
    return;
  }
  assert_int_equal(pdf_fonts_own_config(), 1);
  FcFontSet *fonts = FcConfigGetFonts(FcConfigGetCurrent(), FcSetSystem);
  assert_non_null(fonts);
  assert_true(fonts->nfont >= 2);
  for (int i = 0; i < fonts->nfont; i++) {
    FcChar8 *family = NULL;
    assert_int_equal(FcPatternGetString(fonts->fonts[i], FC_FAMILY, 0, &family), FcResultMatch);
    assert_memory_equal(family, "DejaVu", 6);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_output_is_a_pdf),
    cmocka_unit_test(test_refuses_bad_text_and_numbers),
    cmocka_unit_test(test_refuses_bad_metadata),
    cmocka_unit_test(test_write_file),
    cmocka_unit_test(test_threads_render_concurrently),
    cmocka_unit_test(test_fonts_are_dejavu_only),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  pdf_shutdown();
  return failed;
}
