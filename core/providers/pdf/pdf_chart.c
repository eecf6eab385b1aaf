/*
 * pdf_chart.c — bar charts and scatter plots (see pdf_document.h).
 *
 * Both draw into a box the width of the text column: an optional title line,
 * a plot area with round tick values and light grid lines, and text in the
 * body font. Axis ranges come from the data: a bar chart always includes 0,
 * a scatter plot pads its ranges by a twentieth so no point sits on an edge.
 */
#include "providers/pdf/pdf_layout.h"

#include <math.h>
#include <stdio.h>

#define BAR_CHART_HEIGHT 230.0
#define SCATTER_HEIGHT 280.0
#define AXIS_LABEL_WIDTH 44.0
#define CATEGORY_LABEL_HEIGHT 30.0
#define MAX_BARS 60

struct plot_area {
  double x, y, width, height;
  double lo, hi;  /* value range of the vertical axis */
};

static double value_to_y(const struct plot_area *a, double value)
{
  return a->y + a->height - (value - a->lo) / (a->hi - a->lo) * a->height;
}

static double draw_title(struct pdf_document *doc, const char *title)
{
  if (!title)
    return 0;
  cairo_set_source_rgb(doc->cr, 0.12, 0.16, 0.24);
  double h = pdf_draw_centered(doc, PDF_BOLD_FONT, title, PDF_MARGIN + pdf_content_width(doc) / 2, doc->y,
                               pdf_content_width(doc));
  cairo_set_source_rgb(doc->cr, 0, 0, 0);
  return h + 6;
}

/* Horizontal grid lines and tick labels on the left of the area. */
static void draw_value_axis(struct pdf_document *doc, const struct plot_area *a, double first, double step, int count)
{
  cairo_t *cr = doc->cr;
  cairo_set_line_width(cr, 0.4);
  for (int i = 0; i < count; i++) {
    double value = first + step * i;
    double y = value_to_y(a, value);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_move_to(cr, a->x, y);
    cairo_line_to(cr, a->x + a->width, y);
    cairo_stroke(cr);
    char text[32];
    pdf_format_number(value, text, sizeof text);
    PangoLayout *layout = pdf_text_layout(doc, PDF_SMALL_FONT, text, AXIS_LABEL_WIDTH - 6);
    if (!layout)
      continue;
    pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    double h;
    pdf_layout_size(layout, NULL, &h);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    pdf_draw_layout(doc, layout, a->x - AXIS_LABEL_WIDTH, y - h / 2);
    g_object_unref(layout);
  }
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, a->x, a->y);
  cairo_line_to(cr, a->x, a->y + a->height);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
}

static int check_numbers(const double *values, size_t count, const char *what, struct growth_error *err)
{
  for (size_t i = 0; i < count; i++)
    if (!isfinite(values[i]))
      return error_set(err, ERR_BAD_ARGUMENT, "pdf: %s %zu is not a finite number", what, i + 1);
  return 0;
}

int pdf_add_bar_chart(struct pdf_document *doc, const struct pdf_bar_chart *chart, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  if (chart->count == 0 || chart->count > MAX_BARS)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a bar chart has %zu bars; expected 1 to %d", chart->count, MAX_BARS);
  if ((chart->title && pdf_check_text(chart->title, "the chart title", err) != 0) ||
      check_numbers(chart->values, chart->count, "bar value", err) != 0)
    return -1;
  for (size_t i = 0; i < chart->count; i++)
    if (pdf_check_text(chart->labels[i], "a bar label", err) != 0)
      return -1;

  pdf_block_gap(doc, PDF_BLOCK_GAP);
  if (pdf_ensure_space(doc, BAR_CHART_HEIGHT, err) != 0)
    return -1;
  double top = doc->y;
  double title_height = draw_title(doc, chart->title);
  double lo = 0, hi = 0;
  for (size_t i = 0; i < chart->count; i++) {
    lo = fmin(lo, chart->values[i]);
    hi = fmax(hi, chart->values[i]);
  }
  double first, step;
  int ticks;
  /* Headroom, so the tallest bar's value label stays inside the plot. */
  pdf_nice_ticks(lo * 1.08, hi * 1.08, &first, &step, &ticks);
  struct plot_area a = { .x = PDF_MARGIN + AXIS_LABEL_WIDTH, .y = top + title_height + 8,
                         .width = pdf_content_width(doc) - AXIS_LABEL_WIDTH,
                         .lo = first, .hi = first + step * (ticks - 1) };
  a.height = BAR_CHART_HEIGHT - title_height - 8 - CATEGORY_LABEL_HEIGHT;
  draw_value_axis(doc, &a, first, step, ticks);

  cairo_t *cr = doc->cr;
  double slot = a.width / (double)chart->count;
  double zero = value_to_y(&a, 0);
  for (size_t i = 0; i < chart->count; i++) {
    double x = a.x + slot * (double)i + slot * 0.15;
    double y = value_to_y(&a, chart->values[i]);
    double r, g, b;
    pdf_palette(0, &r, &g, &b);
    cairo_set_source_rgb(cr, r, g, b);
    cairo_rectangle(cr, x, fmin(y, zero), slot * 0.7, fabs(zero - y));
    cairo_fill(cr);
    char text[32];
    pdf_format_number(chart->values[i], text, sizeof text);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    double label_y = chart->values[i] >= 0 ? y - 11 : y + 1;
    pdf_draw_centered(doc, PDF_SMALL_FONT, text, x + slot * 0.35, label_y, slot);
    PangoLayout *label = pdf_text_layout(doc, PDF_SMALL_FONT, chart->labels[i], slot - 2);
    if (label) {
      pango_layout_set_alignment(label, PANGO_ALIGN_CENTER);
      pango_layout_set_height(label, (int)(CATEGORY_LABEL_HEIGHT - 4) * PANGO_SCALE);
      pango_layout_set_ellipsize(label, PANGO_ELLIPSIZE_END);
      pdf_draw_layout(doc, label, a.x + slot * (double)i + 1, a.y + a.height + 3);
      g_object_unref(label);
    }
  }
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, a.x, zero);
  cairo_line_to(cr, a.x + a.width, zero);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  doc->y = top + BAR_CHART_HEIGHT + PDF_BLOCK_GAP;
  return pdf_check_cairo(doc, "a bar chart", err);
}

static int check_scatter(const struct pdf_scatter *plot, struct growth_error *err)
{
  if (plot->group_count == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a scatter plot has no groups; expected at least one");
  if ((plot->title && pdf_check_text(plot->title, "the plot title", err) != 0) ||
      (plot->x_label && pdf_check_text(plot->x_label, "the x axis label", err) != 0) ||
      (plot->y_label && pdf_check_text(plot->y_label, "the y axis label", err) != 0))
    return -1;
  size_t points = 0;
  for (size_t g = 0; g < plot->group_count; g++) {
    const struct pdf_scatter_group *group = &plot->groups[g];
    if (pdf_check_text(group->label, "a group label", err) != 0 ||
        check_numbers(group->xs, group->count, "x of point", err) != 0 ||
        check_numbers(group->ys, group->count, "y of point", err) != 0)
      return -1;
    for (size_t i = 0; group->point_labels && i < group->count; i++)
      if (group->point_labels[i] && pdf_check_text(group->point_labels[i], "a point label", err) != 0)
        return -1;
    points += group->count;
  }
  if (points == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: a scatter plot has no points; expected at least one");
  return 0;
}

static void data_range(const struct pdf_scatter *plot, int axis_y, double *lo, double *hi)
{
  *lo = INFINITY, *hi = -INFINITY;
  for (size_t g = 0; g < plot->group_count; g++)
    for (size_t i = 0; i < plot->groups[g].count; i++) {
      double v = axis_y ? plot->groups[g].ys[i] : plot->groups[g].xs[i];
      *lo = fmin(*lo, v);
      *hi = fmax(*hi, v);
    }
  double pad = (*hi - *lo) / 20.0;
  *lo -= pad, *hi += pad;
}

static void draw_x_axis(struct pdf_document *doc, const struct plot_area *a, double xlo, double xhi)
{
  double first, step;
  int ticks;
  pdf_nice_ticks(xlo, xhi, &first, &step, &ticks);
  cairo_set_line_width(doc->cr, 0.4);
  for (int i = 0; i < ticks; i++) {
    double value = first + step * i;
    if (value < xlo - 1e-9 || value > xhi + 1e-9)
      continue;
    double x = a->x + (value - xlo) / (xhi - xlo) * a->width;
    cairo_set_source_rgb(doc->cr, 0.85, 0.85, 0.85);
    cairo_move_to(doc->cr, x, a->y);
    cairo_line_to(doc->cr, x, a->y + a->height);
    cairo_stroke(doc->cr);
    char text[32];
    pdf_format_number(value, text, sizeof text);
    cairo_set_source_rgb(doc->cr, 0.3, 0.3, 0.3);
    pdf_draw_centered(doc, PDF_SMALL_FONT, text, x, a->y + a->height + 3, 60);
  }
  cairo_set_source_rgb(doc->cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(doc->cr, 0.8);
  cairo_move_to(doc->cr, a->x, a->y + a->height);
  cairo_line_to(doc->cr, a->x + a->width, a->y + a->height);
  cairo_stroke(doc->cr);
}

/* The legend: one swatch and label per group, in a row above the plot area. */
static double draw_legend(struct pdf_document *doc, const struct pdf_scatter *plot, double y)
{
  double x = PDF_MARGIN + AXIS_LABEL_WIDTH;
  for (size_t g = 0; g < plot->group_count; g++) {
    PangoLayout *layout = pdf_text_layout(doc, PDF_SMALL_FONT, plot->groups[g].label, 0);
    if (!layout)
      continue;
    double w, h;
    pdf_layout_size(layout, &w, &h);
    if (x + w + 20 > PDF_MARGIN + pdf_content_width(doc) && x > PDF_MARGIN + AXIS_LABEL_WIDTH) {
      x = PDF_MARGIN + AXIS_LABEL_WIDTH;
      y += h + 3;
    }
    double r, gr, b;
    pdf_palette(g, &r, &gr, &b);
    cairo_set_source_rgb(doc->cr, r, gr, b);
    cairo_new_path(doc->cr);
    cairo_arc(doc->cr, x + 4, y + h / 2, 3.5, 0, 2 * M_PI);
    cairo_fill(doc->cr);
    cairo_set_source_rgb(doc->cr, 0.2, 0.2, 0.2);
    pdf_draw_layout(doc, layout, x + 11, y);
    g_object_unref(layout);
    x += w + 26;
    if (g + 1 == plot->group_count)
      y += h + 6;
  }
  return y;
}

int pdf_add_scatter(struct pdf_document *doc, const struct pdf_scatter *plot, struct growth_error *err)
{
  if (doc->finished || doc->broken)
    return error_set(err, ERR_INTERNAL, "pdf: the document was already finished or failed earlier");
  if (check_scatter(plot, err) != 0)
    return -1;
  pdf_block_gap(doc, PDF_BLOCK_GAP);
  if (pdf_ensure_space(doc, SCATTER_HEIGHT, err) != 0)
    return -1;
  double top = doc->y;
  double y = top + draw_title(doc, plot->title);
  y = draw_legend(doc, plot, y);
  double xlo, xhi, ylo, yhi;
  data_range(plot, 0, &xlo, &xhi);
  data_range(plot, 1, &ylo, &yhi);
  if (!(xhi > xlo))
    xlo -= 1, xhi += 1;
  if (!(yhi > ylo))
    ylo -= 1, yhi += 1;
  double bottom_labels = 16 + (plot->x_label ? 14 : 0);
  struct plot_area a = { .x = PDF_MARGIN + AXIS_LABEL_WIDTH, .y = y + 4,
                         .width = pdf_content_width(doc) - AXIS_LABEL_WIDTH, .lo = ylo, .hi = yhi };
  a.height = top + SCATTER_HEIGHT - bottom_labels - a.y;

  double first, step;
  int ticks;
  pdf_nice_ticks(ylo, yhi, &first, &step, &ticks);
  while (ticks > 0 && first < ylo - 1e-9)
    first += step, ticks--;
  while (ticks > 0 && first + step * (ticks - 1) > yhi + 1e-9)
    ticks--;
  draw_value_axis(doc, &a, first, step, ticks);
  draw_x_axis(doc, &a, xlo, xhi);
  if (plot->x_label) {
    cairo_set_source_rgb(doc->cr, 0.2, 0.2, 0.2);
    pdf_draw_centered(doc, PDF_SMALL_FONT, plot->x_label, a.x + a.width / 2, a.y + a.height + 16, a.width);
  }
  if (plot->y_label) {
    cairo_save(doc->cr);
    cairo_translate(doc->cr, PDF_MARGIN - 4, a.y + a.height / 2);
    cairo_rotate(doc->cr, -M_PI / 2);
    cairo_set_source_rgb(doc->cr, 0.2, 0.2, 0.2);
    pdf_draw_centered(doc, PDF_SMALL_FONT, plot->y_label, 0, -12, a.height);
    cairo_restore(doc->cr);
  }

  cairo_t *cr = doc->cr;
  for (size_t g = 0; g < plot->group_count; g++) {
    const struct pdf_scatter_group *group = &plot->groups[g];
    double r, gr, b, cx = 0, cy = 0;
    pdf_palette(g, &r, &gr, &b);
    for (size_t i = 0; i < group->count; i++) {
      double px = a.x + (group->xs[i] - xlo) / (xhi - xlo) * a.width;
      double py = value_to_y(&a, group->ys[i]);
      cx += px, cy += py;
      cairo_set_source_rgba(cr, r, gr, b, 0.85);
      cairo_new_path(cr);
      cairo_arc(cr, px, py, 3.5, 0, 2 * M_PI);
      cairo_fill(cr);
      if (group->point_labels && group->point_labels[i]) {
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        PangoLayout *label = pdf_text_layout(doc, PDF_SMALL_FONT, group->point_labels[i], 0);
        if (label) {
          pdf_draw_layout(doc, label, px + 5, py - 5);
          g_object_unref(label);
        }
      }
    }
    if (group->count == 0)
      continue;
    /* The group's name at its centre, on a pale backing so points do not hide it. */
    cx /= (double)group->count, cy /= (double)group->count;
    PangoLayout *name = pdf_text_layout(doc, PDF_BOLD_FONT, group->label, 0);
    if (name) {
      double w, h;
      pdf_layout_size(name, &w, &h);
      cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
      cairo_rectangle(cr, cx - w / 2 - 3, cy - h / 2 - 1, w + 6, h + 2);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, r * 0.7, gr * 0.7, b * 0.7);
      pdf_draw_layout(doc, name, cx - w / 2, cy - h / 2);
      g_object_unref(name);
    }
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  doc->y = top + SCATTER_HEIGHT + PDF_BLOCK_GAP;
  return pdf_check_cairo(doc, "a scatter plot", err);
}
