/*
 * pdf_text.c — the text blocks: title, headings, paragraphs, bullet lists and
 * page breaks (see pdf_document.h).
 *
 * Text flows line by line: pango wraps the whole block once, then each line
 * is placed on its baseline and a line that would cross the bottom margin
 * opens the next page. So a paragraph longer than a page simply continues.
 */
#include "providers/pdf/pdf_layout.h"

#include <stdio.h>

#define TITLE_FONT "DejaVu Sans Bold 22"
#define HEADING1_FONT "DejaVu Sans Bold 15"
#define HEADING2_FONT "DejaVu Sans Bold 12.5"
#define LINE_LEADING 1.3  /* line pitch as a multiple of the line's own height */
#define BULLET_INDENT 16.0

static int refuse_if_done(struct pdf_document *doc, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  return 0;
}

/* Places the lines of layout at x, starting at doc->y, breaking pages between lines. A
 * marker (the bullet) is drawn left of the first line, on its baseline. */
static int flow_lines(struct pdf_document *doc, PangoLayout *layout, double x, double leading,
                      const char *marker, struct growth_error *err)
{
  PangoLayoutIter *iter = pango_layout_get_iter(layout);
  if (!iter)
    return error_set(err, ERR_NO_MEMORY, "pdf: out of memory while setting text");
  int first = 1;
  do {
    PangoLayoutLine *line = pango_layout_iter_get_line_readonly(iter);
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(iter, NULL, &logical);
    double height = (double)logical.height / PANGO_SCALE;
    double baseline = (double)(pango_layout_iter_get_baseline(iter) - logical.y) / PANGO_SCALE;
    if (pdf_ensure_space(doc, height, err) != 0) {
      pango_layout_iter_free(iter);
      return -1;
    }
    cairo_move_to(doc->cr, x + (double)logical.x / PANGO_SCALE, doc->y + baseline);
    pango_cairo_show_layout_line(doc->cr, line);
    if (first && marker) {
      cairo_move_to(doc->cr, x - BULLET_INDENT + 4, doc->y + baseline);
      PangoLayout *bullet = pdf_text_layout(doc, PDF_BODY_FONT, marker, 0);
      if (bullet) {
        pango_cairo_show_layout_line(doc->cr, pango_layout_get_line_readonly(bullet, 0));
        g_object_unref(bullet);
      }
    }
    first = 0;
    doc->y += height * leading;
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  return pdf_check_cairo(doc, "text", err);
}

static int add_text(struct pdf_document *doc, const char *font, const char *text, double x, double width,
                    double leading, const char *marker, struct growth_error *err)
{
  PangoLayout *layout = pdf_text_layout(doc, font, text, width);
  if (!layout)
    return error_set(err, ERR_NO_MEMORY, "pdf: out of memory while setting text");
  int rc = flow_lines(doc, layout, x, leading, marker, err);
  g_object_unref(layout);
  return rc;
}

int pdf_add_title(struct pdf_document *doc, const char *text, struct growth_error *err)
{
  if (refuse_if_done(doc, err) != 0 || pdf_check_text(text, "the title", err) != 0)
    return -1;
  pdf_block_gap(doc, 2 * PDF_BLOCK_GAP);
  if (add_text(doc, TITLE_FONT, text, PDF_MARGIN, pdf_content_width(doc), 1.15, NULL, err) != 0)
    return -1;
  doc->y += 4;
  cairo_set_source_rgb(doc->cr, 0.231, 0.447, 0.690);
  cairo_set_line_width(doc->cr, 1.5);
  cairo_move_to(doc->cr, PDF_MARGIN, doc->y);
  cairo_line_to(doc->cr, PDF_MARGIN + pdf_content_width(doc), doc->y);
  cairo_stroke(doc->cr);
  cairo_set_source_rgb(doc->cr, 0, 0, 0);
  doc->y += 2 * PDF_BLOCK_GAP;
  return pdf_check_cairo(doc, "the title", err);
}

int pdf_add_heading(struct pdf_document *doc, const char *text, int level, struct growth_error *err)
{
  if (refuse_if_done(doc, err) != 0 || pdf_check_text(text, "a heading", err) != 0)
    return -1;
  if (level != 1 && level != 2)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: heading level %d; expected 1 or 2", level);
  if (pdf_flush_heading(doc, err) != 0)
    return -1;
  const char *font = level == 1 ? HEADING1_FONT : HEADING2_FONT;
  PangoLayout *layout = pdf_text_layout(doc, font, text, pdf_content_width(doc));
  if (!layout)
    return error_set(err, ERR_NO_MEMORY, "pdf: out of memory while setting text");
  pdf_block_gap(doc, level == 1 ? 2.2 * PDF_BLOCK_GAP : 1.5 * PDF_BLOCK_GAP);
  /* Drawn by the next block's pdf_ensure_space, on the page where that block starts. */
  doc->pending_heading = layout;
  doc->pending_heading_space = PDF_BLOCK_GAP / 2;
  return 0;
}

int pdf_add_paragraph(struct pdf_document *doc, const char *text, struct growth_error *err)
{
  if (refuse_if_done(doc, err) != 0 || pdf_check_text(text, "a paragraph", err) != 0)
    return -1;
  pdf_block_gap(doc, PDF_BLOCK_GAP);
  return add_text(doc, PDF_BODY_FONT, text, PDF_MARGIN, pdf_content_width(doc), LINE_LEADING, NULL, err);
}

int pdf_add_bullets(struct pdf_document *doc, const char *const *items, size_t count, struct growth_error *err)
{
  if (refuse_if_done(doc, err) != 0)
    return -1;
  if (count == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a bullet list has no items; expected at least one");
  for (size_t i = 0; i < count; i++) {
    char what[48];
    snprintf(what, sizeof what, "bullet item %zu", i + 1);
    if (pdf_check_text(items[i], what, err) != 0)
      return -1;
  }
  pdf_block_gap(doc, PDF_BLOCK_GAP);
  for (size_t i = 0; i < count; i++) {
    if (add_text(doc, PDF_BODY_FONT, items[i], PDF_MARGIN + BULLET_INDENT, pdf_content_width(doc) - BULLET_INDENT,
                 LINE_LEADING, "\u2022", err) != 0)
      return -1;
    doc->y += 2;
  }
  return 0;
}

int pdf_add_page_break(struct pdf_document *doc, struct growth_error *err)
{
  if (refuse_if_done(doc, err) != 0)
    return -1;
  if (pdf_flush_heading(doc, err) != 0)
    return -1;
  if (!doc->page_has_content)
    return 0;
  return pdf_next_page(doc, err);
}
