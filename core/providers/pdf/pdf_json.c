/*
 * pdf_json.c — JSON document descriptions to PDF (format in pdf_json.h).
 *
 * Each block type has a reader that checks the JSON shape, gathers the
 * pointers into the C structs of pdf_document.h and calls the builder. The
 * strings stay owned by the JSON; only the pointer arrays are allocated, in
 * one block per call, freed before the reader returns.
 */
#include "providers/pdf/pdf_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int shape_error(struct growth_error *err, const char *what)
{
  return error_set(err, ERR_BAD_ARGUMENT, "%s", what);
}

static const char *optional_string(const json_t *object, const char *key, int *bad)
{
  const json_t *value = json_object_get(object, key);
  if (!value || json_is_null(value))
    return NULL;
  if (!json_is_string(value)) {
    *bad = 1;
    return NULL;
  }
  return json_string_value(value);
}

/* Collects the strings of a JSON array; NULL (with *bad when not all strings, or empty). */
static const char **string_array(const json_t *array, size_t *count, int *bad)
{
  *count = json_array_size(array);
  if (!json_is_array(array) || *count == 0) {
    *bad = 1;
    return NULL;
  }
  const char **out = calloc(*count, sizeof *out);
  if (!out)
    return NULL;
  for (size_t i = 0; i < *count; i++) {
    out[i] = json_string_value(json_array_get(array, i));
    if (!out[i]) {
      *bad = 1;
      free(out);
      return NULL;
    }
  }
  return out;
}

static int read_text_block(struct pdf_document *doc, const json_t *block, const char *type, struct growth_error *err)
{
  int bad = 0;
  const char *text = optional_string(block, "text", &bad);
  if (!text)
    return shape_error(err, "\"text\" must be a string");
  if (strcmp(type, "title") == 0)
    return pdf_add_title(doc, text, err);
  if (strcmp(type, "paragraph") == 0)
    return pdf_add_paragraph(doc, text, err);
  const json_t *level = json_object_get(block, "level");
  if (level && !json_is_integer(level))
    return shape_error(err, "\"level\" must be 1 or 2");
  return pdf_add_heading(doc, text, level ? (int)json_integer_value(level) : 1, err);
}

static int read_bullets(struct pdf_document *doc, const json_t *block, struct growth_error *err)
{
  int bad = 0;
  size_t count;
  const char **items = string_array(json_object_get(block, "items"), &count, &bad);
  if (!items)
    return bad ? shape_error(err, "\"items\" must be a non-empty array of strings")
               : error_set(err, ERR_NO_MEMORY, "out of memory");
  int rc = pdf_add_bullets(doc, items, count, err);
  free(items);
  return rc;
}

/* A table cell as text: strings as they are, numbers and booleans printed into scratch. */
static const char *cell_text(const json_t *cell, char *scratch, size_t size)
{
  if (json_is_string(cell))
    return json_string_value(cell);
  if (json_is_integer(cell))
    snprintf(scratch, size, "%lld", (long long)json_integer_value(cell));
  else if (json_is_real(cell))
    snprintf(scratch, size, "%.6g", json_real_value(cell));
  else if (json_is_boolean(cell))
    snprintf(scratch, size, "%s", json_is_true(cell) ? "yes" : "no");
  else if (json_is_null(cell))
    return NULL;
  else
    return scratch + size;  /* marks an object or array, refused by the caller */
  return scratch;
}

#define CELL_SCRATCH 32

static int read_table(struct pdf_document *doc, const json_t *block, struct growth_error *err)
{
  const json_t *header = json_object_get(block, "header"), *rows = json_object_get(block, "rows");
  if ((header && !json_is_array(header)) || (rows && !json_is_array(rows)))
    return shape_error(err, "\"header\" and \"rows\" must be arrays");
  size_t columns = header ? json_array_size(header) : json_array_size(json_array_get(rows, 0));
  size_t row_count = rows ? json_array_size(rows) : 0;
  if (columns == 0)
    return shape_error(err, "a table needs a non-empty \"header\" or first row");
  size_t cells = (row_count + 1) * columns;
  const char **texts = calloc(cells, sizeof *texts);
  char *scratch = calloc(cells, CELL_SCRATCH);
  int rc = -1;
  if (!texts || !scratch) {
    error_set(err, ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  for (size_t r = 0; r <= row_count; r++) {
    const json_t *row = r == 0 ? header : json_array_get(rows, r - 1);
    if (!row)
      continue;
    if (!json_is_array(row) || json_array_size(row) != columns) {
      error_set(err, ERR_BAD_ARGUMENT, "row %zu has %zu cells; expected an array of %zu", r, json_array_size(row),
                columns);
      goto done;
    }
    for (size_t c = 0; c < columns; c++) {
      char *slot = scratch + (r * columns + c) * CELL_SCRATCH;
      const char *text = cell_text(json_array_get(row, c), slot, CELL_SCRATCH);
      if (text == slot + CELL_SCRATCH) {
        error_set(err, ERR_BAD_ARGUMENT, "row %zu, column %zu: a cell must be a string, number, boolean or null",
                  r, c + 1);
        goto done;
      }
      texts[r * columns + c] = text;
    }
  }
  struct pdf_table table = { .columns = columns, .rows = row_count, .header = header ? texts : NULL,
                             .cells = texts + columns };
  rc = pdf_add_table(doc, &table, err);
done:
  free(scratch);
  free(texts);
  return rc;
}

static int read_bar_chart(struct pdf_document *doc, const json_t *block, struct growth_error *err)
{
  int bad = 0;
  size_t count;
  const json_t *values = json_object_get(block, "values");
  const char *title = optional_string(block, "title", &bad);
  const char **labels = string_array(json_object_get(block, "labels"), &count, &bad);
  if (!labels)
    return bad ? shape_error(err, "\"labels\" must be a non-empty array of strings")
               : error_set(err, ERR_NO_MEMORY, "out of memory");
  double *numbers = calloc(count, sizeof *numbers);
  int rc = -1;
  if (!numbers) {
    error_set(err, ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  if (bad || !json_is_array(values) || json_array_size(values) != count) {
    error_set(err, ERR_BAD_ARGUMENT, "\"values\" must be an array of %zu numbers, one per label", count);
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    const json_t *v = json_array_get(values, i);
    if (!json_is_number(v)) {
      error_set(err, ERR_BAD_ARGUMENT, "value %zu is not a number", i + 1);
      goto done;
    }
    numbers[i] = json_number_value(v);
  }
  struct pdf_bar_chart chart = { .title = title, .count = count, .labels = labels, .values = numbers };
  rc = pdf_add_bar_chart(doc, &chart, err);
done:
  free(numbers);
  free(labels);
  return rc;
}

static int read_group(const json_t *group, size_t g, struct pdf_scatter_group *out, double *xs, double *ys,
                      const char **names, struct growth_error *err)
{
  int bad = 0;
  out->label = optional_string(group, "label", &bad);
  const json_t *points = json_object_get(group, "points");
  if (!out->label || !json_is_array(points))
    return error_set(err, ERR_BAD_ARGUMENT, "group %zu needs a \"label\" string and a \"points\" array", g + 1);
  out->count = json_array_size(points);
  out->xs = xs, out->ys = ys, out->point_labels = names;
  for (size_t i = 0; i < out->count; i++) {
    const json_t *p = json_array_get(points, i);
    size_t n = json_array_size(p);
    if (!json_is_array(p) || n < 2 || n > 3 || !json_is_number(json_array_get(p, 0)) ||
        !json_is_number(json_array_get(p, 1)) || (n == 3 && !json_is_string(json_array_get(p, 2))))
      return error_set(err, ERR_BAD_ARGUMENT, "group %zu, point %zu: expected [x, y] or [x, y, \"label\"]", g + 1,
                       i + 1);
    xs[i] = json_number_value(json_array_get(p, 0));
    ys[i] = json_number_value(json_array_get(p, 1));
    names[i] = n == 3 ? json_string_value(json_array_get(p, 2)) : NULL;
  }
  return 0;
}

static int read_scatter(struct pdf_document *doc, const json_t *block, struct growth_error *err)
{
  int bad = 0;
  struct pdf_scatter plot = { .title = optional_string(block, "title", &bad),
                              .x_label = optional_string(block, "x_label", &bad),
                              .y_label = optional_string(block, "y_label", &bad) };
  const json_t *groups = json_object_get(block, "groups");
  if (bad || !json_is_array(groups) || json_array_size(groups) == 0)
    return shape_error(err, "\"groups\" must be a non-empty array, and titles strings");
  size_t total = 0;
  for (size_t g = 0; g < json_array_size(groups); g++)
    total += json_array_size(json_object_get(json_array_get(groups, g), "points"));
  plot.group_count = json_array_size(groups);
  struct pdf_scatter_group *parts = calloc(plot.group_count, sizeof *parts);
  double *numbers = calloc(2 * total + 1, sizeof *numbers);
  const char **names = calloc(total + 1, sizeof *names);
  int rc = -1;
  if (!parts || !numbers || !names) {
    error_set(err, ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  size_t used = 0;
  for (size_t g = 0; g < plot.group_count; g++) {
    if (read_group(json_array_get(groups, g), g, &parts[g], numbers + used, numbers + total + used, names + used,
                   err) != 0)
      goto done;
    used += parts[g].count;
  }
  plot.groups = parts;
  rc = pdf_add_scatter(doc, &plot, err);
done:
  free(names);
  free(numbers);
  free(parts);
  return rc;
}

static int read_ikigai(struct pdf_document *doc, const json_t *block, struct growth_error *err)
{
  static const char *const circle_keys[PDF_IKIGAI_CIRCLES] = { "love", "good_at", "world_needs", "paid_for" };
  static const char *const overlap_keys[PDF_IKIGAI_OVERLAPS] = { "passion", "mission", "profession", "vocation" };
  struct pdf_ikigai d = { 0 };
  const char **items[PDF_IKIGAI_CIRCLES] = { 0 };
  int bad = 0, rc = -1;
  d.center = optional_string(block, "center", &bad);
  for (int o = 0; o < PDF_IKIGAI_OVERLAPS; o++)
    d.overlaps[o] = optional_string(block, overlap_keys[o], &bad);
  if (bad)
    return shape_error(err, "\"center\" and the overlap names must be strings");
  for (int c = 0; c < PDF_IKIGAI_CIRCLES; c++) {
    const json_t *circle = json_object_get(block, circle_keys[c]);
    if (!circle || json_is_string(circle)) {
      d.labels[c] = json_string_value(circle);
      continue;
    }
    d.labels[c] = optional_string(circle, "label", &bad);
    const json_t *list = json_object_get(circle, "items");
    if (!bad && list) {
      items[c] = string_array(list, &d.item_counts[c], &bad);
      if (!items[c] && !bad) {
        error_set(err, ERR_NO_MEMORY, "out of memory");
        goto done;
      }
    }
    if (bad || !json_is_object(circle)) {
      error_set(err, ERR_BAD_ARGUMENT, "\"%s\" must be a string or {\"label\": string, \"items\": [strings]}",
                circle_keys[c]);
      goto done;
    }
    d.items[c] = items[c];
  }
  rc = pdf_add_ikigai(doc, &d, err);
done:
  for (int c = 0; c < PDF_IKIGAI_CIRCLES; c++)
    free(items[c]);
  return rc;
}

static int add_block(struct pdf_document *doc, const json_t *block, const char *type, struct growth_error *err)
{
  if (strcmp(type, "title") == 0 || strcmp(type, "heading") == 0 || strcmp(type, "paragraph") == 0)
    return read_text_block(doc, block, type, err);
  if (strcmp(type, "bullets") == 0)
    return read_bullets(doc, block, err);
  if (strcmp(type, "table") == 0)
    return read_table(doc, block, err);
  if (strcmp(type, "bar_chart") == 0)
    return read_bar_chart(doc, block, err);
  if (strcmp(type, "scatter") == 0)
    return read_scatter(doc, block, err);
  if (strcmp(type, "ikigai") == 0)
    return read_ikigai(doc, block, err);
  if (strcmp(type, "page_break") == 0)
    return pdf_add_page_break(doc, err);
  return shape_error(err, "unknown type; expected title, heading, paragraph, bullets, table, bar_chart, scatter, "
                          "ikigai or page_break");
}

int pdf_json_add_blocks(struct pdf_document *doc, const json_t *blocks, struct growth_error *err)
{
  if (!json_is_array(blocks))
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: \"blocks\" must be an array of block objects");
  size_t i;
  const json_t *block;
  json_array_foreach(blocks, i, block) {
    const char *type = json_string_value(json_object_get(block, "type"));
    if (!json_is_object(block) || !type)
      return error_set(err, ERR_BAD_ARGUMENT, "pdf: block %zu: expected an object with a \"type\" string", i + 1);
    if (add_block(doc, block, type, err) != 0) {
      /* Builder messages start with "pdf: "; drop it so the prefix is not doubled. */
      if (strncmp(err->message, "pdf: ", 5) == 0)
        memmove(err->message, err->message + 5, strlen(err->message + 5) + 1);
      return error_prefix(err, "pdf: block %zu (%s)", i + 1, type);
    }
  }
  return 0;
}

int pdf_json_render(const json_t *description, unsigned char **bytes, size_t *len, struct growth_error *err)
{
  if (!json_is_object(description))
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: the document description must be a JSON object");
  int bad = 0;
  const char *size_name = optional_string(description, "page_size", &bad);
  struct pdf_metadata metadata = { .title = optional_string(description, "title", &bad),
                                   .author = optional_string(description, "author", &bad),
                                   .subject = optional_string(description, "subject", &bad),
                                   .date = optional_string(description, "date", &bad) };
  if (bad)
    return error_set(err, ERR_BAD_ARGUMENT, "pdf: page_size, title, author, subject and date must be strings");
  enum pdf_page_size size = PDF_PAGE_A4;
  if (size_name && pdf_page_size_parse(size_name, &size, err) != 0)
    return -1;
  struct pdf_document *doc = pdf_document_new(size, &metadata, err);
  if (!doc)
    return -1;
  int rc = pdf_json_add_blocks(doc, json_object_get(description, "blocks"), err);
  if (rc == 0)
    rc = pdf_document_finish(doc, bytes, len, err);
  pdf_document_free(doc);
  return rc;
}
