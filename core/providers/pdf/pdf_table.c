/*
 * pdf_table.c — simple tables (see pdf_document.h).
 *
 * Column widths: each column's natural width is its widest unwrapped cell
 * (capped at the page width), and the page width is shared in proportion to
 * those, with a floor so a short column stays readable. Cells wrap inside
 * their column; a row is as tall as its tallest cell and is never split. A row
 * that does not fit opens a new page, where the header row is drawn again.
 */
#include "providers/pdf/pdf_layout.h"

#include <stdio.h>
#include <stdlib.h>

#define CELL_PAD 4.0
#define MIN_COLUMN_SHARE 0.6  /* of an equal share */
#define MAX_COLUMNS 32

static const char *cell_text(const char *text)
{
  return text ? text : "";
}

static void column_widths(struct pdf_document *doc, const struct pdf_table *t, double *widths)
{
  double page = pdf_content_width(doc), total = 0;
  for (size_t c = 0; c < t->columns; c++) {
    double natural = 0;
    for (size_t r = 0; r <= t->rows; r++) {
      const char *text = r == 0 ? (t->header ? t->header[c] : NULL) : t->cells[(r - 1) * t->columns + c];
      if (!text)
        continue;
      PangoLayout *layout = pdf_text_layout(doc, r == 0 ? PDF_BOLD_FONT : PDF_BODY_FONT, text, 0);
      if (!layout)
        continue;
      double w;
      pdf_layout_size(layout, &w, NULL);
      g_object_unref(layout);
      if (w > natural)
        natural = w;
    }
    natural = natural + 2 * CELL_PAD;
    if (natural > page)
      natural = page;
    double floor_width = MIN_COLUMN_SHARE * page / (double)t->columns;
    widths[c] = natural < floor_width ? floor_width : natural;
    total += widths[c];
  }
  for (size_t c = 0; c < t->columns; c++)
    widths[c] = widths[c] * page / total;
}

/* Lays out one row's cells; returns the row height, or -1 when out of memory. */
static double layout_row(struct pdf_document *doc, const char *const *texts, size_t columns, const double *widths,
                         const char *font, PangoLayout **layouts)
{
  double height = 0;
  for (size_t c = 0; c < columns; c++) {
    layouts[c] = pdf_text_layout(doc, font, cell_text(texts ? texts[c] : NULL), widths[c] - 2 * CELL_PAD);
    if (!layouts[c]) {
      for (size_t k = 0; k < c; k++)
        g_object_unref(layouts[k]);
      return -1;
    }
    double h;
    pdf_layout_size(layouts[c], NULL, &h);
    if (h > height)
      height = h;
  }
  return height + 2 * CELL_PAD;
}

/* Height of a row without drawing it; -1 when out of memory. */
static double measure_row(struct pdf_document *doc, const char *const *texts, size_t columns, const double *widths,
                          const char *font)
{
  PangoLayout *layouts[MAX_COLUMNS];
  double height = layout_row(doc, texts, columns, widths, font, layouts);
  for (size_t c = 0; height >= 0 && c < columns; c++)
    g_object_unref(layouts[c]);
  return height;
}

static void draw_row(struct pdf_document *doc, PangoLayout **layouts, size_t columns, const double *widths,
                     double height, int header, int shaded)
{
  cairo_t *cr = doc->cr;
  double x = PDF_MARGIN;
  if (header || shaded) {
    if (header)
      cairo_set_source_rgb(cr, 0.86, 0.90, 0.95);
    else
      cairo_set_source_rgb(cr, 0.965, 0.965, 0.965);
    cairo_rectangle(cr, PDF_MARGIN, doc->y, pdf_content_width(doc), height);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 0.5);
  for (size_t c = 0; c < columns; c++) {
    cairo_rectangle(cr, x, doc->y, widths[c], height);
    cairo_stroke(cr);
    x += widths[c];
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  x = PDF_MARGIN;
  for (size_t c = 0; c < columns; c++) {
    pdf_draw_layout(doc, layouts[c], x + CELL_PAD, doc->y + CELL_PAD);
    x += widths[c];
  }
  doc->y += height;
}

static int place_row(struct pdf_document *doc, const struct pdf_table *t, const char *const *texts, int header,
                     int shaded, const double *widths, struct growth_error *err)
{
  PangoLayout *layouts[MAX_COLUMNS];
  double height = layout_row(doc, texts, t->columns, widths, header ? PDF_BOLD_FONT : PDF_BODY_FONT, layouts);
  if (height < 0)
    return error_set(err, ERR_NO_MEMORY, "pdf: out of memory while laying out a table");
  int new_page = doc->y + height > pdf_content_bottom(doc) && doc->y > PDF_MARGIN;
  int rc = pdf_ensure_space(doc, height, err);
  if (rc == 0 && new_page && !header && t->header)
    rc = place_row(doc, t, t->header, 1, 0, widths, err);
  if (rc == 0)
    draw_row(doc, layouts, t->columns, widths, height, header, shaded);
  for (size_t c = 0; c < t->columns; c++)
    g_object_unref(layouts[c]);
  return rc == 0 ? pdf_check_cairo(doc, "a table row", err) : -1;
}

int pdf_add_table(struct pdf_document *doc, const struct pdf_table *t, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  if (t->columns == 0 || t->columns > MAX_COLUMNS)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a table has %zu columns; expected 1 to %d", t->columns, MAX_COLUMNS);
  if (t->rows == 0 && !t->header)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a table has neither rows nor a header");
  for (size_t i = 0; i < t->rows * t->columns; i++) {
    char what[96];
    snprintf(what, sizeof what, "table cell (row %zu, column %zu)", i / t->columns + 1, i % t->columns + 1);
    if (t->cells[i] && pdf_check_text(t->cells[i], what, err) != 0)
      return -1;
  }
  for (size_t c = 0; t->header && c < t->columns; c++)
    if (t->header[c] && pdf_check_text(t->header[c], "a table header cell", err) != 0)
      return -1;
  double widths[MAX_COLUMNS];
  column_widths(doc, t, widths);
  pdf_block_gap(doc, PDF_BLOCK_GAP);
  if (t->header && t->rows > 0) {
    /* The header row never ends a page alone: it moves on with the first row. */
    double header = measure_row(doc, t->header, t->columns, widths, PDF_BOLD_FONT);
    double first = measure_row(doc, t->cells, t->columns, widths, PDF_BODY_FONT);
    if (header < 0 || first < 0)
      return error_set(err, ERR_NO_MEMORY, "pdf: out of memory while laying out a table");
    if (pdf_ensure_space(doc, header + first, err) != 0)
      return -1;
  }
  if (t->header && place_row(doc, t, t->header, 1, 0, widths, err) != 0)
    return -1;
  for (size_t r = 0; r < t->rows; r++)
    if (place_row(doc, t, t->cells + r * t->columns, 0, (int)(r % 2), widths, err) != 0)
      return -1;
  doc->y += PDF_BLOCK_GAP;
  return 0;
}
