/*
 * pdf_layout.h — shared inside core/providers/pdf only: the document's state
 * and the flow helpers the block files (text, table, charts, diagram) use.
 * Not part of the public API; other modules include pdf_document.h.
 */
#ifndef GROWTH_PROVIDERS_PDF_LAYOUT_H
#define GROWTH_PROVIDERS_PDF_LAYOUT_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "providers/pdf/pdf_document.h"

#define PDF_MARGIN 56.7         /* 2 cm */
#define PDF_FOOTER_HEIGHT 24.0
#define PDF_BODY_FONT "DejaVu Sans 10.5"
#define PDF_SMALL_FONT "DejaVu Sans 8.5"
#define PDF_BOLD_FONT "DejaVu Sans Bold 10.5"
#define PDF_BLOCK_GAP 8.0

struct pdf_buffer {
  unsigned char *data;
  size_t len, cap;
  int failed;
};

struct pdf_document {
  double page_width, page_height;
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoContext *pango;
  struct pdf_buffer out;
  double y;            /* top of the free space on the page */
  int page;            /* 1-based number of the page being filled */
  int page_has_content;
  int finished, broken;
  /* A heading waits here until the next block knows its own height, so that heading
   * and block start on the same page ("keep with next"). */
  PangoLayout *pending_heading;
  double pending_heading_space;  /* gap to leave below it */
};

/* Width of the text column. */
double pdf_content_width(const struct pdf_document *doc);
/* Lowest y that content may reach on a page. */
double pdf_content_bottom(const struct pdf_document *doc);

/* Ends the current page and starts the next one. */
int pdf_next_page(struct pdf_document *doc, struct growth_error *err);
/* Starts a new page unless height fits below y (a block taller than a page is placed at
 * the top of a fresh page). */
int pdf_ensure_space(struct pdf_document *doc, double height, struct growth_error *err);
/* Draws a pending heading now (before a page break or the end). */
int pdf_flush_heading(struct pdf_document *doc, struct growth_error *err);
/* Adds the gap between blocks, unless at the top of a page or right below a heading. */
void pdf_block_gap(struct pdf_document *doc, double gap);

/* A layout in font (a pango font description string) wrapped at width points (<= 0: no
 * wrapping). NULL when out of memory. */
PangoLayout *pdf_text_layout(struct pdf_document *doc, const char *font, const char *text, double width);
/* Size of a layout in points. */
void pdf_layout_size(PangoLayout *layout, double *width, double *height);
/* Draws a layout with its top-left corner at x, y. */
void pdf_draw_layout(struct pdf_document *doc, PangoLayout *layout, double x, double y);
/* Draws text centred on cx, with its top at y, wrapped at width; returns its height. */
double pdf_draw_centered(struct pdf_document *doc, const char *font, const char *text, double cx, double y,
                         double width);

/* Checks cairo's state after drawing; sets err when cairo failed. */
int pdf_check_cairo(struct pdf_document *doc, const char *what, struct growth_error *err);

/* The chart palette: colour i (cycled) as r, g, b in 0..1. */
void pdf_palette(size_t i, double *r, double *g, double *b);

/* Round axis ticks covering lo..hi: first tick, step and count (at most 12). */
void pdf_nice_ticks(double lo, double hi, double *first, double *step, int *count);
/* A tick value as short text ("0.5", "20", "1.2e+06"). */
void pdf_format_number(double value, char *out, size_t size);

/* Refuses NULL text and text that is not valid UTF-8. what names the field. */
int pdf_check_text(const char *text, const char *what, struct growth_error *err);

#endif
