/*
 * pdf_document.c — the document's life cycle and page flow (see pdf_document.h),
 * plus the drawing helpers the block files share (pdf_layout.h).
 *
 * Cairo writes the PDF through a stream callback into a growing memory buffer,
 * so one code path serves both "give me the bytes" and "write this file" (the
 * file is written from the buffer, atomically, by local_files_write). Pango lays text out in a
 * context set to 72 dpi, so font sizes are points, the PDF's own unit. The
 * fonts come from growth.pdf's own fontconfig configuration (pdf_fonts.h).
 */
#include "providers/pdf/pdf_layout.h"
#include "providers/local_files.h"
#include "providers/pdf/pdf_fonts.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const double palette[][3] = {
  { 0.231, 0.447, 0.690 }, { 0.867, 0.518, 0.322 }, { 0.333, 0.659, 0.408 }, { 0.769, 0.306, 0.322 },
  { 0.506, 0.447, 0.698 }, { 0.576, 0.471, 0.376 }, { 0.855, 0.545, 0.765 }, { 0.549, 0.549, 0.549 },
};

static cairo_status_t write_to_buffer(void *closure, const unsigned char *data, unsigned int length)
{
  struct pdf_buffer *out = closure;
  if (out->len + length > out->cap) {
    size_t cap = out->cap ? out->cap : 64 * 1024;
    while (cap < out->len + length)
      cap *= 2;
    unsigned char *grown = realloc(out->data, cap);
    if (!grown) {
      out->failed = 1;
      return CAIRO_STATUS_WRITE_ERROR;
    }
    out->data = grown;
    out->cap = cap;
  }
  memcpy(out->data + out->len, data, length);
  out->len += length;
  return CAIRO_STATUS_SUCCESS;
}

int pdf_page_size_parse(const char *name, enum pdf_page_size *out, struct growth_error *err)
{
  if (name && strcasecmp(name, "A4") == 0)
    *out = PDF_PAGE_A4;
  else if (name && strcasecmp(name, "Letter") == 0)
    *out = PDF_PAGE_LETTER;
  else
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: page size '%.32s' is unknown; expected A4 or Letter",
                     name ? name : "");
  return 0;
}

/* Accepts "YYYY-MM-DDThh:mm:ss" followed by "Z" or "+hh:mm"/"-hh:mm", as cairo wants. */
static int check_date(const char *date, struct growth_error *err)
{
  int year, month, day, hour, minute, second, consumed = 0;
  if (sscanf(date, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &consumed) == 6 &&
      consumed == 19 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
      second <= 60) {
    const char *zone = date + 19;
    if (strcmp(zone, "Z") == 0)
      return 0;
    int zh, zm, zone_consumed = 0;
    if ((zone[0] == '+' || zone[0] == '-') && sscanf(zone + 1, "%2d:%2d%n", &zh, &zm, &zone_consumed) == 2 &&
        zone_consumed == 5 && zone[6] == '\0' && zh <= 14 && zm <= 59)
      return 0;
  }
  return error_set(err, ERR_BAD_ARGUMENT, "pdf: date '%.40s' is not ISO 8601; expected YYYY-MM-DDThh:mm:ss with Z or +hh:mm",
                   date);
}

static void set_metadata(struct pdf_document *doc, const struct pdf_metadata *metadata)
{
  cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_CREATOR, "growthd");
  if (!metadata)
    return;
  if (metadata->title)
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_TITLE, metadata->title);
  if (metadata->author)
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_AUTHOR, metadata->author);
  if (metadata->subject)
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_SUBJECT, metadata->subject);
  char now[32];
  const char *date = metadata->date;
  if (!date) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    date = now;
  }
  cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
}

struct pdf_document *pdf_document_new(enum pdf_page_size size, const struct pdf_metadata *metadata,
                                      struct growth_error *err)
{
  if (metadata) {
    if ((metadata->title && pdf_check_text(metadata->title, "title", err) != 0) ||
        (metadata->author && pdf_check_text(metadata->author, "author", err) != 0) ||
        (metadata->subject && pdf_check_text(metadata->subject, "subject", err) != 0) ||
        (metadata->date && check_date(metadata->date, err) != 0))
      return NULL;
  }
  pdf_fonts_init();
  struct pdf_document *doc = calloc(1, sizeof *doc);
  if (!doc) {
    error_set(err, ERR_NO_MEMORY, "pdf: out of memory");
    return NULL;
  }
  doc->page_width = size == PDF_PAGE_LETTER ? 612.0 : 595.276;
  doc->page_height = size == PDF_PAGE_LETTER ? 792.0 : 841.890;
  doc->surface = cairo_pdf_surface_create_for_stream(write_to_buffer, &doc->out, doc->page_width, doc->page_height);
  if (cairo_surface_status(doc->surface) != CAIRO_STATUS_SUCCESS) {
    error_set(err, ERR_NO_MEMORY, "pdf: cannot create the PDF surface: %s",
              cairo_status_to_string(cairo_surface_status(doc->surface)));
    goto fail_surface;
  }
  cairo_pdf_surface_restrict_to_version(doc->surface, CAIRO_PDF_VERSION_1_5);
  set_metadata(doc, metadata);
  doc->cr = cairo_create(doc->surface);
  if (cairo_status(doc->cr) != CAIRO_STATUS_SUCCESS) {
    error_set(err, ERR_NO_MEMORY, "pdf: cannot create the drawing context");
    goto fail_cr;
  }
  doc->pango = pango_cairo_create_context(doc->cr);
  if (!doc->pango) {
    error_set(err, ERR_NO_MEMORY, "pdf: cannot create the text layout context");
    goto fail_pango;
  }
  pango_cairo_context_set_resolution(doc->pango, 72.0);
  doc->page = 1;
  doc->y = PDF_MARGIN;
  return doc;

fail_pango:
  cairo_destroy(doc->cr);
fail_cr:
fail_surface:
  cairo_surface_destroy(doc->surface);
  free(doc->out.data);
  free(doc);
  return NULL;
}

void pdf_document_free(struct pdf_document *doc)
{
  if (!doc)
    return;
  if (doc->pending_heading)
    g_object_unref(doc->pending_heading);
  g_object_unref(doc->pango);
  cairo_destroy(doc->cr);
  cairo_surface_destroy(doc->surface);
  free(doc->out.data);
  free(doc);
}

int pdf_document_page_count(const struct pdf_document *doc)
{
  return doc->page;
}

double pdf_content_width(const struct pdf_document *doc)
{
  return doc->page_width - 2 * PDF_MARGIN;
}

double pdf_content_bottom(const struct pdf_document *doc)
{
  return doc->page_height - PDF_MARGIN - PDF_FOOTER_HEIGHT;
}

static void draw_footer(struct pdf_document *doc)
{
  char number[16];
  snprintf(number, sizeof number, "%d", doc->page);
  cairo_save(doc->cr);
  cairo_set_source_rgb(doc->cr, 0.45, 0.45, 0.45);
  pdf_draw_centered(doc, PDF_SMALL_FONT, number, doc->page_width / 2, doc->page_height - PDF_MARGIN, 60);
  cairo_restore(doc->cr);
}

int pdf_check_cairo(struct pdf_document *doc, const char *what, struct growth_error *err)
{
  cairo_status_t status = cairo_status(doc->cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status(doc->surface);
  if (status == CAIRO_STATUS_SUCCESS && !doc->out.failed)
    return 0;
  doc->broken = 1;
  return error_set(err, doc->out.failed || status == CAIRO_STATUS_NO_MEMORY ? ERR_NO_MEMORY : ERR_INTERNAL,
                   "pdf: drawing %s failed: %s", what,
                   doc->out.failed ? "out of memory for the output" : cairo_status_to_string(status));
}

int pdf_next_page(struct pdf_document *doc, struct growth_error *err)
{
  draw_footer(doc);
  cairo_show_page(doc->cr);
  doc->page++;
  doc->y = PDF_MARGIN;
  doc->page_has_content = 0;
  return pdf_check_cairo(doc, "a page break", err);
}

#define KEEP_WITH_NEXT_MIN 40.0  /* at least three body lines follow a heading */

int pdf_ensure_space(struct pdf_document *doc, double height, struct growth_error *err)
{
  doc->page_has_content = 1;
  double heading_height = 0;
  if (doc->pending_heading) {
    pdf_layout_size(doc->pending_heading, NULL, &heading_height);
    heading_height += doc->pending_heading_space;
    if (height < KEEP_WITH_NEXT_MIN)
      height = KEEP_WITH_NEXT_MIN;
  }
  if (doc->y + heading_height + height > pdf_content_bottom(doc) && doc->y > PDF_MARGIN) {
    if (pdf_next_page(doc, err) != 0)
      return -1;
    doc->page_has_content = 1;
  }
  if (doc->pending_heading) {
    cairo_set_source_rgb(doc->cr, 0.12, 0.16, 0.24);
    pdf_draw_layout(doc, doc->pending_heading, PDF_MARGIN, doc->y);
    cairo_set_source_rgb(doc->cr, 0, 0, 0);
    g_object_unref(doc->pending_heading);
    doc->pending_heading = NULL;
    doc->y += heading_height;
  }
  return 0;
}

int pdf_flush_heading(struct pdf_document *doc, struct growth_error *err)
{
  if (!doc->pending_heading)
    return 0;
  return pdf_ensure_space(doc, 0, err);
}

void pdf_block_gap(struct pdf_document *doc, double gap)
{
  if (doc->y > PDF_MARGIN && !doc->pending_heading)
    doc->y += gap;
}

PangoLayout *pdf_text_layout(struct pdf_document *doc, const char *font, const char *text, double width)
{
  PangoLayout *layout = pango_layout_new(doc->pango);
  if (!layout)
    return NULL;
  PangoFontDescription *description = pango_font_description_from_string(font);
  pango_layout_set_font_description(layout, description);
  pango_font_description_free(description);
  if (width > 0) {
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_text(layout, text, -1);
  return layout;
}

void pdf_layout_size(PangoLayout *layout, double *width, double *height)
{
  int w, h;
  pango_layout_get_size(layout, &w, &h);
  if (width)
    *width = (double)w / PANGO_SCALE;
  if (height)
    *height = (double)h / PANGO_SCALE;
}

void pdf_draw_layout(struct pdf_document *doc, PangoLayout *layout, double x, double y)
{
  cairo_move_to(doc->cr, x, y);
  pango_cairo_show_layout(doc->cr, layout);
}

double pdf_draw_centered(struct pdf_document *doc, const char *font, const char *text, double cx, double y,
                         double width)
{
  PangoLayout *layout = pdf_text_layout(doc, font, text, width);
  if (!layout)
    return 0;
  pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
  double height;
  pdf_layout_size(layout, NULL, &height);
  pdf_draw_layout(doc, layout, cx - width / 2, y);
  g_object_unref(layout);
  return height;
}

void pdf_palette(size_t i, double *r, double *g, double *b)
{
  const double *c = palette[i % (sizeof palette / sizeof palette[0])];
  *r = c[0], *g = c[1], *b = c[2];
}

void pdf_nice_ticks(double lo, double hi, double *first, double *step, int *count)
{
  if (!(hi > lo)) {
    double pad = fabs(lo) > 0 ? fabs(lo) * 0.5 : 1.0;
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / 5.0;
  double magnitude = pow(10.0, floor(log10(raw)));
  double fraction = raw / magnitude;
  double nice = fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 2.5 ? 2.5 : fraction <= 5.0 ? 5.0 : 10.0;
  *step = nice * magnitude;
  *first = floor(lo / *step) * *step;
  double last = ceil(hi / *step) * *step;
  *count = (int)lround((last - *first) / *step) + 1;
  if (*count > 12)
    *count = 12;
}

void pdf_format_number(double value, char *out, size_t size)
{
  if (fabs(value) < 1e-12)
    value = 0.0;
  snprintf(out, size, "%.6g", value);
}

int pdf_check_text(const char *text, const char *what, struct growth_error *err)
{
  if (!text)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: %s is missing; expected a UTF-8 string", what);
  const gchar *end = NULL;
  if (!g_utf8_validate(text, -1, &end))
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: %s is not valid UTF-8 (at byte %ld)", what, (long)(end - text));
  return 0;
}

int pdf_document_finish(struct pdf_document *doc, unsigned char **bytes, size_t *len, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  if (pdf_flush_heading(doc, err) != 0)
    return -1;
  draw_footer(doc);
  cairo_show_page(doc->cr);
  if (pdf_check_cairo(doc, "the last page", err) != 0)
    return -1;
  cairo_surface_finish(doc->surface);
  doc->finished = 1;
  if (pdf_check_cairo(doc, "the end of the document", err) != 0)
    return -1;
  *bytes = doc->out.data;
  *len = doc->out.len;
  doc->out.data = NULL;
  doc->out.len = doc->out.cap = 0;
  return 0;
}

int pdf_document_write_file(struct pdf_document *doc, const char *path, struct growth_error *err)
{
  unsigned char *bytes = NULL;
  size_t len = 0;
  if (pdf_document_finish(doc, &bytes, &len, err) != 0)
    return -1;
  int rc = local_files_write(path, bytes, len, err);
  free(bytes);
  return rc == 0 ? 0 : error_prefix(err, "pdf");
}

void pdf_shutdown(void)
{
  /* Only pango's font map: cairo_debug_reset_static_data() and FcFini() assert at
   * random while cairo's font cache still holds fontconfig patterns. What fontconfig
   * keeps is listed in tests/lsan.supp. */
  pango_cairo_font_map_set_default(NULL);
}
