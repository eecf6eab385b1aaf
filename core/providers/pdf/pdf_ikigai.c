/*
 * pdf_ikigai.c — the Ikigai diagram (see pdf_document.h).
 *
 * Geometry, in units of the diagram's side S: four circles of radius 0.3 S
 * whose centres sit 0.2 S above, left of, right of and below the middle. Then
 * each circle has a lune of its own 0.28 S across, where its label and items
 * go (centred 0.36 S from the middle); each pair of neighbours shares a region
 * around the diagonal point at 0.17 S, where the overlap's name goes (inside
 * both circles, outside the other two); and all four cover the middle, where
 * the centre label goes. Fills are translucent, so overlaps darken as in the
 * usual drawing.
 */
#include "providers/pdf/pdf_layout.h"

#include <math.h>
#include <stdio.h>

#define IKIGAI_MAX_SIDE 380.0
#define IKIGAI_MAX_ITEMS 4
#define CENTER_FONT "DejaVu Sans Bold 13"

static const char *const default_labels[PDF_IKIGAI_CIRCLES] = {
  "What you love", "What you are good at", "What the world needs", "What you can be paid for",
};
static const char *const default_overlaps[PDF_IKIGAI_OVERLAPS] = { "Passion", "Mission", "Profession", "Vocation" };

/* Circle centres and label anchors as multiples of S from the middle: love (top),
 * good at (left), world needs (right), paid for (bottom). */
static const double circle_at[PDF_IKIGAI_CIRCLES][2] = { { 0, -0.2 }, { -0.2, 0 }, { 0.2, 0 }, { 0, 0.2 } };
static const double label_at[PDF_IKIGAI_CIRCLES][2] = { { 0, -0.36 }, { -0.36, 0 }, { 0.36, 0 }, { 0, 0.36 } };
/* passion = love + good at, mission = love + world needs, profession = good at + paid
 * for, vocation = world needs + paid for. */
static const double overlap_at[PDF_IKIGAI_OVERLAPS][2] = { { -0.17, -0.17 }, { 0.17, -0.17 }, { -0.17, 0.17 },
                                                           { 0.17, 0.17 } };

static int check_diagram(const struct pdf_ikigai *d, struct growth_error *err)
{
  if (d->center && pdf_check_text(d->center, "the Ikigai centre label", err) != 0)
    return -1;
  for (int c = 0; c < PDF_IKIGAI_CIRCLES; c++) {
    if (d->labels[c] && pdf_check_text(d->labels[c], "an Ikigai circle label", err) != 0)
      return -1;
    if (d->item_counts[c] > IKIGAI_MAX_ITEMS)
      return error_set(err, ERR_BAD_ARGUMENT, "pdf: Ikigai circle '%s' has %zu items; expected at most %d",
                       d->labels[c] ? d->labels[c] : default_labels[c], d->item_counts[c], IKIGAI_MAX_ITEMS);
    for (size_t i = 0; i < d->item_counts[c]; i++)
      if (pdf_check_text(d->items[c][i], "an Ikigai item", err) != 0)
        return -1;
  }
  for (int o = 0; o < PDF_IKIGAI_OVERLAPS; o++)
    if (d->overlaps[o] && pdf_check_text(d->overlaps[o], "an Ikigai overlap label", err) != 0)
      return -1;
  return 0;
}

/* A circle's label (bold) and its items (one per line), centred as a block on x, y. */
static void draw_circle_text(struct pdf_document *doc, const char *label, const char *const *items, size_t count,
                             double x, double y, double width)
{
  PangoLayout *parts[1 + IKIGAI_MAX_ITEMS];
  double heights[1 + IKIGAI_MAX_ITEMS], total = 0;
  size_t n = 0;
  parts[n++] = pdf_text_layout(doc, PDF_BOLD_FONT, label, width);
  for (size_t i = 0; i < count; i++)
    parts[n++] = pdf_text_layout(doc, PDF_SMALL_FONT, items[i], width);
  for (size_t i = 0; i < n; i++) {
    heights[i] = 0;
    if (!parts[i])
      continue;
    pango_layout_set_alignment(parts[i], PANGO_ALIGN_CENTER);
    pdf_layout_size(parts[i], NULL, &heights[i]);
    total += heights[i] + (i == 0 ? 3 : 1);
  }
  double top = y - total / 2;
  for (size_t i = 0; i < n; i++) {
    if (!parts[i])
      continue;
    cairo_set_source_rgb(doc->cr, i == 0 ? 0.1 : 0.25, i == 0 ? 0.1 : 0.25, i == 0 ? 0.15 : 0.25);
    pdf_draw_layout(doc, parts[i], x - width / 2, top);
    top += heights[i] + (i == 0 ? 3 : 1);
    g_object_unref(parts[i]);
  }
}

int pdf_add_ikigai(struct pdf_document *doc, const struct pdf_ikigai *d, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  if (check_diagram(d, err) != 0)
    return -1;
  double side = fmin(pdf_content_width(doc), IKIGAI_MAX_SIDE);
  pdf_block_gap(doc, PDF_BLOCK_GAP);
  if (pdf_ensure_space(doc, side, err) != 0)
    return -1;
  double mx = PDF_MARGIN + pdf_content_width(doc) / 2, my = doc->y + side / 2;
  cairo_t *cr = doc->cr;
  for (int c = 0; c < PDF_IKIGAI_CIRCLES; c++) {
    double r, g, b;
    pdf_palette((size_t)c, &r, &g, &b);
    cairo_new_path(cr);
    cairo_arc(cr, mx + circle_at[c][0] * side, my + circle_at[c][1] * side, 0.3 * side, 0, 2 * M_PI);
    cairo_set_source_rgba(cr, r, g, b, 0.28);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, r, g, b, 0.9);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
  }
  for (int c = 0; c < PDF_IKIGAI_CIRCLES; c++)
    draw_circle_text(doc, d->labels[c] ? d->labels[c] : default_labels[c], d->items[c], d->item_counts[c],
                     mx + label_at[c][0] * side, my + label_at[c][1] * side, 0.27 * side);
  for (int o = 0; o < PDF_IKIGAI_OVERLAPS; o++) {
    PangoLayout *layout = pdf_text_layout(doc, PDF_SMALL_FONT, d->overlaps[o] ? d->overlaps[o] : default_overlaps[o],
                                          0.16 * side);
    if (!layout)
      continue;
    pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
    double h;
    pdf_layout_size(layout, NULL, &h);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.3);
    pdf_draw_layout(doc, layout, mx + overlap_at[o][0] * side - 0.08 * side, my + overlap_at[o][1] * side - h / 2);
    g_object_unref(layout);
  }
  PangoLayout *center = pdf_text_layout(doc, CENTER_FONT, d->center ? d->center : "Ikigai", 0.2 * side);
  if (center) {
    pango_layout_set_alignment(center, PANGO_ALIGN_CENTER);
    double h;
    pdf_layout_size(center, NULL, &h);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.1);
    pdf_draw_layout(doc, center, mx - 0.1 * side, my - h / 2);
    g_object_unref(center);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  doc->y += side + PDF_BLOCK_GAP;
  return pdf_check_cairo(doc, "the Ikigai diagram", err);
}
