/*
 * sheets_local.c — the local Sheets backend: CSV files (see sheets.h).
 *
 * Layout: <data>/sheets/<id>/meta.json ({"title", "sheets": [names in order]})
 * and one <sheet>.csv per sheet (the name percent-encoded for the file
 * system). A range without a sheet means the first sheet, as in Google.
 * An append reads the CSV, adds the rows after the last row, and replaces the
 * file atomically under an exclusive flock on <id>/.lock, so appends from
 * several threads or processes never lose each other's rows; reads need no
 * lock because a file is only ever replaced whole. ensure_sheet adds a name to
 * meta.json under the same lock (the CSV first, then meta.json, so a sheet
 * that meta.json lists always has its file); a sheet's id is its index.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "providers/local_files.h"
#include "providers/sheets/csv.h"
#include "providers/sheets/sheets_backend.h"

#define ROOT_MAX 2048

struct sheets_local {
  char root[ROOT_MAX];
};

struct sheets_local *sheets_local_new(const char *data_dir, struct growth_error *err)
{
  struct sheets_local *local = calloc(1, sizeof *local);
  if (!local) {
    error_set(err, ERR_NO_MEMORY, "sheets: out of memory");
    return NULL;
  }
  const char *base = data_dir && *data_dir ? data_dir : "./var";
  if (snprintf(local->root, sizeof local->root, "%s/sheets", base) >= (int)sizeof local->root) {
    free(local);
    error_set(err, ERR_BAD_CONFIG, "GROWTH_DATA_DIR: the path is longer than %d bytes", ROOT_MAX - 16);
    return NULL;
  }
  return local;
}

void sheets_local_free(struct sheets_local *local)
{
  free(local);
}

static int sheet_path(struct sheets_local *local, const char *id, const char *sheet, char *out, size_t size,
                      struct growth_error *err)
{
  char *escaped = http_escape(sheet);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "sheets: out of memory");
  int length = snprintf(out, size, "%s/%s/%s.csv", local->root, id, escaped);
  free(escaped);
  return length > 0 && (size_t)length < size ? 0 : error_set(err, ERR_BAD_ARGUMENT, "sheets: path too long");
}

static json_t *load_meta(struct sheets_local *local, const char *what, const char *id, struct growth_error *err)
{
  char path[PATH_MAX], *text = NULL;
  size_t size = 0;
  snprintf(path, sizeof path, "%s/%s/meta.json", local->root, id);
  if (local_files_read(path, &text, &size, err) != 0) {
    if (err->code == ERR_NOT_FOUND)
      return error_set(err, ERR_NOT_FOUND, "%s: no local spreadsheet '%s' under %s", what, id, local->root), NULL;
    return error_prefix(err, "%s", what), NULL;
  }
  json_t *meta = json_loadb(text, size, 0, NULL);
  free(text);
  if (!json_is_array(json_object_get(meta, "sheets")) || json_array_size(json_object_get(meta, "sheets")) == 0) {
    json_decref(meta);
    error_set(err, ERR_IO, "%s: %s is not a spreadsheet description", what, path);
    return NULL;
  }
  return meta;
}

/* The sheet a range names (or the first), checked against meta; copied into out. */
static int resolve_sheet(json_t *meta, const char *what, const char *id, const struct a1_range *range, char *out,
                         size_t size, struct growth_error *err)
{
  json_t *names = json_object_get(meta, "sheets");
  if (!range->sheet[0]) {
    snprintf(out, size, "%s", json_string_value(json_array_get(names, 0)));
    return 0;
  }
  size_t i;
  json_t *name;
  char known[256] = "";
  json_array_foreach(names, i, name) {
    if (json_is_string(name) && strcmp(json_string_value(name), range->sheet) == 0) {
      snprintf(out, size, "%s", range->sheet);
      return 0;
    }
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s'%s'", i ? ", " : "", json_string_value(name));
  }
  return error_set(err, ERR_BAD_ARGUMENT, "%s: spreadsheet %s has no sheet '%s'; its sheets are %s", what, id,
                   range->sheet, known);
}

static json_t *read_rows(const char *path, const char *what, struct growth_error *err)
{
  char *text = NULL;
  size_t size = 0;
  if (local_files_read(path, &text, &size, err) != 0) {
    if (err->code == ERR_NOT_FOUND)
      return json_array();
    return error_prefix(err, "%s", what), NULL;
  }
  json_t *rows = csv_decode(text, size, path, err);
  free(text);
  return rows ? rows : (error_prefix(err, "%s", what), NULL);
}

static int write_rows(const char *path, json_t *rows, struct growth_error *err)
{
  size_t size = 0;
  char *text = csv_encode(rows, &size);
  if (!text)
    return error_set(err, ERR_NO_MEMORY, "out of memory writing %s", path);
  int result = local_files_write(path, text, size, err);
  free(text);
  return result;
}

int sheets_local_create(struct sheets_local *local, const char *title, json_t *headers, json_t **out,
                        struct growth_error *err)
{
  char id[64], folder[ROOT_MAX + 80], path[PATH_MAX], url[PATH_MAX + 16];
  if (local_files_random_id("local-", id, sizeof id, err) != 0)
    return -1;
  snprintf(folder, sizeof folder, "%s/%s", local->root, id);
  if (local_files_mkdirs(folder, err) != 0)
    return error_prefix(err, "sheets.create");
  json_t *meta = json_pack("{s:s, s:[s]}", "title", title, "sheets", "Sheet1");
  char *meta_text = meta ? json_dumps(meta, JSON_INDENT(2)) : NULL;
  json_decref(meta);
  if (!meta_text)
    return error_set(err, ERR_NO_MEMORY, "sheets.create: out of memory");
  snprintf(path, sizeof path, "%s/meta.json", folder);
  int result = local_files_write(path, meta_text, strlen(meta_text), err);
  free(meta_text);
  json_t *rows = json_array();
  if (result == 0 && (!rows || (headers && json_array_append(rows, headers) != 0)))
    result = error_set(err, ERR_NO_MEMORY, "out of memory");
  if (result == 0)
    result = sheet_path(local, id, "Sheet1", path, sizeof path, err);
  if (result == 0)
    result = write_rows(path, rows, err);
  json_decref(rows);
  if (result == 0)
    result = local_files_url(path, url, sizeof url, err);
  if (result != 0)
    return error_prefix(err, "sheets.create");
  *out = json_pack("{s:s, s:s}", "id", id, "url", url);
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "sheets.create: out of memory");
}

static int lock_spreadsheet(struct sheets_local *local, const char *what, const char *id, struct growth_error *err)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s/.lock", local->root, id);
  int fd = local_files_lock(path, err);
  return fd < 0 ? error_prefix(err, "%s", what) : fd;
}

int sheets_local_append(struct sheets_local *local, const char *id, const struct a1_range *range, json_t *rows,
                        json_t **out, struct growth_error *err)
{
  char sheet[A1_SHEET_MAX], path[PATH_MAX];
  json_t *meta = load_meta(local, "sheets.append", id, err);
  if (!meta)
    return -1;
  int result = resolve_sheet(meta, "sheets.append", id, range, sheet, sizeof sheet, err);
  json_decref(meta);
  if (result != 0 || sheet_path(local, id, sheet, path, sizeof path, err) != 0)
    return -1;
  int fd = lock_spreadsheet(local, "sheets.append", id, err);
  if (fd < 0)
    return -1;
  json_t *table = read_rows(path, "sheets.append", err);
  result = table ? 0 : -1;
  size_t start = table ? json_array_size(table) : 0, width = 0, i, j;
  json_t *row, *cell;
  json_array_foreach(rows, i, row) {
    json_t *line = json_array();
    int failed = !line || json_array_append_new(table, line) != 0;
    for (int pad = 0; !failed && pad < range->first_column; pad++)
      failed = json_array_append_new(line, json_string("")) != 0;
    json_array_foreach(row, j, cell)
      failed = failed || json_array_append_new(line, sheets_cell_text(cell)) != 0;
    if (failed && result == 0)
      result = error_set(err, ERR_NO_MEMORY, "sheets.append: out of memory");
    if (json_array_size(row) > width)
      width = json_array_size(row);
  }
  if (result == 0)
    result = write_rows(path, table, err);
  json_decref(table);
  local_files_unlock(fd);
  if (result != 0)
    return -1;
  char first[8], last[8], updated[A1_SHEET_MAX + 48];
  a1_column_name(range->first_column, first);
  a1_column_name(range->first_column + (int)(width ? width : 1) - 1, last);
  snprintf(updated, sizeof updated, "%s!%s%zu:%s%zu", sheet, first, start + 1, last, start + json_array_size(rows));
  *out = json_pack("{s:s, s:I}", "updated_range", updated, "updated_rows", (json_int_t)json_array_size(rows));
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "sheets.append: out of memory");
}

/* The cells of row inside the range's columns, trailing empty cells dropped. */
static json_t *cut_row(json_t *row, const struct a1_range *range)
{
  json_t *cells = json_array();
  size_t size = json_array_size(row);
  size_t end = range->last_column < 0 || (size_t)range->last_column + 1 > size ? size : (size_t)range->last_column + 1;
  for (size_t j = (size_t)range->first_column; cells && j < end; j++)
    json_array_append(cells, json_array_get(row, j));
  while (cells && json_array_size(cells) > 0 &&
         json_string_length(json_array_get(cells, json_array_size(cells) - 1)) == 0)
    json_array_remove(cells, json_array_size(cells) - 1);
  return cells;
}

int sheets_local_read(struct sheets_local *local, const char *id, const struct a1_range *range, json_t **rows,
                      struct growth_error *err)
{
  char sheet[A1_SHEET_MAX], path[PATH_MAX];
  json_t *meta = load_meta(local, "sheets.read", id, err);
  if (!meta)
    return -1;
  int result = resolve_sheet(meta, "sheets.read", id, range, sheet, sizeof sheet, err);
  json_decref(meta);
  if (result != 0 || sheet_path(local, id, sheet, path, sizeof path, err) != 0)
    return -1;
  json_t *table = read_rows(path, "sheets.read", err);
  if (!table)
    return -1;
  json_t *out = json_array();
  size_t size = json_array_size(table);
  size_t end = range->last_row < 0 || (size_t)range->last_row + 1 > size ? size : (size_t)range->last_row + 1;
  for (size_t i = (size_t)range->first_row; out && i < end; i++)
    json_array_append_new(out, cut_row(json_array_get(table, i), range));
  while (out && json_array_size(out) > 0 && json_array_size(json_array_get(out, json_array_size(out) - 1)) == 0)
    json_array_remove(out, json_array_size(out) - 1);
  json_decref(table);
  if (!out)
    return error_set(err, ERR_NO_MEMORY, "sheets.read: out of memory");
  *rows = out;
  return 0;
}

static int write_meta(struct sheets_local *local, const char *id, json_t *meta, struct growth_error *err)
{
  char path[PATH_MAX];
  char *text = json_dumps(meta, JSON_INDENT(2));
  if (!text)
    return error_set(err, ERR_NO_MEMORY, "out of memory");
  snprintf(path, sizeof path, "%s/%s/meta.json", local->root, id);
  int result = local_files_write(path, text, strlen(text), err);
  free(text);
  return result;
}

/* Whether row 0 of table is absent or holds only empty cells. */
static int first_row_empty(json_t *table)
{
  json_t *row = json_array_get(table, 0), *cell;
  size_t i;
  json_array_foreach(row, i, cell)
    if (json_string_length(cell) > 0)
      return 0;
  return 1;
}

/* Under the lock: adds title to meta (and its CSV) when missing, then the headers into an empty row 1. */
static int ensure_locked(struct sheets_local *local, const char *id, const char *title, json_t *headers,
                         json_int_t *index, int *created, struct growth_error *err)
{
  static const char what[] = "sheets.ensure_sheet";
  char path[PATH_MAX];
  json_t *table = NULL, *meta = load_meta(local, what, id, err);
  if (!meta)
    return -1;
  json_t *names = json_object_get(meta, "sheets"), *name;
  size_t i;
  int result = -1;
  *index = -1;
  json_array_foreach(names, i, name)
    if (json_is_string(name) && strcmp(json_string_value(name), title) == 0)
      *index = (json_int_t)i;
  *created = *index < 0;
  if (sheet_path(local, id, title, path, sizeof path, err) != 0 || !(table = read_rows(path, what, err)))
    goto done;
  int write = *created;
  if (headers && first_row_empty(table)) {
    if ((json_array_size(table) > 0 ? json_array_set(table, 0, headers) : json_array_append(table, headers)) != 0) {
      error_set(err, ERR_NO_MEMORY, "%s: out of memory", what);
      goto done;
    }
    write = 1;
  }
  if (write && write_rows(path, table, err) != 0) {
    error_prefix(err, "%s", what);
    goto done;
  }
  if (*created) {
    *index = (json_int_t)json_array_size(names);
    if (json_array_append_new(names, json_string(title)) != 0) {
      error_set(err, ERR_NO_MEMORY, "%s: out of memory", what);
      goto done;
    }
    if (write_meta(local, id, meta, err) != 0) {
      error_prefix(err, "%s", what);
      goto done;
    }
  }
  result = 0;
done:
  json_decref(table);
  json_decref(meta);
  return result;
}

int sheets_local_ensure_sheet(struct sheets_local *local, const char *id, const char *title, json_t *headers,
                              json_t **out, struct growth_error *err)
{
  static const char what[] = "sheets.ensure_sheet";
  json_t *meta = load_meta(local, what, id, err);   /* not_found before a lock file is made */
  if (!meta)
    return -1;
  json_decref(meta);
  int fd = lock_spreadsheet(local, what, id, err);
  if (fd < 0)
    return -1;
  json_int_t index = 0;
  int created = 0;
  int result = ensure_locked(local, id, title, headers, &index, &created, err);
  local_files_unlock(fd);
  char path[PATH_MAX], url[PATH_MAX + 16];
  if (result != 0 || sheet_path(local, id, title, path, sizeof path, err) != 0 ||
      local_files_url(path, url, sizeof url, err) != 0)
    return -1;
  *out = json_pack("{s:s, s:I, s:b, s:s}", "title", title, "sheet_id", index, "created", created, "url", url);
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "%s: out of memory", what);
}
