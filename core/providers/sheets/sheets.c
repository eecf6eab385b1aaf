/*
 * sheets.c — argument checks and backend choice for growth.sheets (see sheets.h).
 */
#include "providers/sheets/sheets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/drive/drive_keyed.h"
#include "providers/sheets/sheets_backend.h"

#define MAX_ROWS 10000
#define MAX_CELLS 1000

struct sheets {
  struct sheets_live *live;
  struct sheets_local *local;
};

struct sheets *sheets_open(const struct config *cfg, struct google_api *api, struct growth_error *err)
{
  if (!api && cfg->environment == ENV_PRODUCTION) {
    error_set(err, ERR_BAD_CONFIG, "sheets: GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; production needs the live "
                                   "Google Sheets backend");
    return NULL;
  }
  struct sheets *sheets = calloc(1, sizeof *sheets);
  if (!sheets) {
    error_set(err, ERR_NO_MEMORY, "sheets: out of memory");
    return NULL;
  }
  if (api) {
    struct sheets_live_options options = { cfg->google_sheets_url, cfg->google_drive_url, cfg->drive_folder_id,
                                           cfg->rate_sheets_per_100s, cfg->rate_sheets_writes_per_min,
                                           cfg->rate_drive_per_100s };
    sheets->live = sheets_live_new(api, &options, err);
  } else {
    sheets->local = sheets_local_new(cfg->data_dir, err);
  }
  if (!sheets->live && !sheets->local) {
    free(sheets);
    return NULL;
  }
  return sheets;
}

void sheets_free(struct sheets *sheets)
{
  if (!sheets)
    return;
  sheets_live_free(sheets->live);
  sheets_local_free(sheets->local);
  free(sheets);
}

const char *sheets_backend(const struct sheets *sheets)
{
  return sheets->live ? "live" : "local";
}

static int check_id(const char *what, const char *id, struct growth_error *err)
{
  if (!id || !*id)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: id must be a spreadsheet id (a non-empty string)", what);
  for (const char *p = id; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
      return error_set(err, ERR_BAD_ARGUMENT, "%s: id '%.60s' is not a spreadsheet id; expected letters, digits, "
                                              "'-' and '_'", what, id);
  if (strlen(id) > 200)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: id is longer than 200 characters", what);
  return 0;
}

static int check_range(const char *what, const char *range, struct a1_range *parsed, struct growth_error *err)
{
  if (!range || !*range)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: range must be a non-empty string such as \"Sheet1!A1\"", what);
  if (a1_parse(range, parsed) != 0)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: range '%.100s' is not A1 notation; expected e.g. \"Sheet1!A1:C\", "
                                            "\"'My sheet'!A:D\" or \"Sheet1\"", what, range);
  return 0;
}

static const char *type_name(json_t *value)
{
  switch (json_typeof(value)) {
  case JSON_OBJECT: return "a table with keys";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_INTEGER:
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  default: return "nil";
  }
}

static int check_rows(const char *what, json_t *rows, struct growth_error *err)
{
  if (!json_is_array(rows) || json_array_size(rows) == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: rows must be a non-empty table of rows, got %s", what,
                     rows ? type_name(rows) : "nil");
  if (json_array_size(rows) > MAX_ROWS)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: rows has %zu rows; at most %d per call", what,
                     json_array_size(rows), MAX_ROWS);
  size_t i, j;
  json_t *row, *cell;
  json_array_foreach(rows, i, row) {
    if (!json_is_array(row))
      return error_set(err, ERR_BAD_ARGUMENT, "%s: rows[%zu] must be a table (a list of cells), got %s", what, i + 1,
                       type_name(row));
    if (json_array_size(row) > MAX_CELLS)
      return error_set(err, ERR_BAD_ARGUMENT, "%s: rows[%zu] has %zu cells; at most %d", what, i + 1,
                       json_array_size(row), MAX_CELLS);
    json_array_foreach(row, j, cell) {
      if (json_is_object(cell) || json_is_array(cell))
        return error_set(err, ERR_BAD_ARGUMENT, "%s: rows[%zu][%zu] must be a string, number, boolean or nil, got %s",
                         what, i + 1, j + 1, type_name(cell));
    }
  }
  return 0;
}

/* spec.headers as a non-empty list of strings in *headers, or NULL when absent, null or empty. */
static int check_headers(const char *what, json_t *spec, json_t **headers, struct growth_error *err)
{
  json_t *list = json_object_get(spec, "headers");
  *headers = NULL;
  if (!list || json_is_null(list))
    return 0;
  if (!json_is_array(list))
    return error_set(err, ERR_BAD_ARGUMENT, "%s: headers must be a list of strings, got %s", what, type_name(list));
  size_t i;
  json_t *header;
  json_array_foreach(list, i, header)
    if (!json_is_string(header))
      return error_set(err, ERR_BAD_ARGUMENT, "%s: headers[%zu] must be a string, got %s", what, i + 1,
                       type_name(header));
  if (json_array_size(list) > MAX_CELLS)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: headers has more than %d entries", what, MAX_CELLS);
  if (json_array_size(list) > 0)
    *headers = list;
  return 0;
}

/* spec.title: a non-empty string; for a sheet (tab) also at most 100 characters (Google's limit), fewer than
 * A1_SHEET_MAX bytes (so ranges can name it) and no control characters. */
static const char *check_title(const char *what, json_t *spec, int tab, struct growth_error *err)
{
  json_t *title = json_object_get(spec, "title");
  if (!json_is_string(title) || json_string_length(title) == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: title must be a non-empty string, got %s", what,
                     title ? type_name(title) : "nil"), NULL;
  const char *text = json_string_value(title);
  if (!tab)
    return text;
  size_t characters = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p < 0x20 || *p == 0x7f)
      return error_set(err, ERR_BAD_ARGUMENT, "%s: title must not contain control characters", what), NULL;
    if ((*p & 0xC0) != 0x80)
      characters++;
  }
  if (characters > 100 || json_string_length(title) >= A1_SHEET_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "%s: title has %zu characters (%zu bytes); a sheet title has at most "
                                            "100 characters and %d bytes", what, characters,
                     json_string_length(title), A1_SHEET_MAX - 1), NULL;
  return text;
}

int sheets_create(struct sheets *sheets, json_t *spec, json_t **out, struct growth_error *err)
{
  *out = NULL;
  if (!json_is_object(spec))
    return error_set(err, ERR_BAD_ARGUMENT, "sheets.create: the argument must be a table {title=..., headers=...}, "
                                            "got %s", spec ? type_name(spec) : "nil");
  json_t *headers = NULL;
  const char *title = check_title("sheets.create", spec, 0, err);
  if (!title || check_headers("sheets.create", spec, &headers, err) != 0)
    return -1;
  json_t *key = json_object_get(spec, "key");
  char digest[DRIVE_KEY_DIGEST_SIZE];
  if (key && (!json_is_string(key) || json_string_length(key) == 0))
    return error_set(err, ERR_BAD_ARGUMENT, "sheets.create: key must be a non-empty string, got %s", type_name(key));
  if (key && sheets->live && drive_key_digest(json_string_value(key), digest, "sheets.create", err) != 0)
    return -1;
  return sheets->live ? sheets_live_create(sheets->live, title, headers, key ? digest : NULL, out, err)
                      : sheets_local_create(sheets->local, title, headers, out, err);
}

int sheets_ensure_sheet(struct sheets *sheets, const char *id, json_t *spec, json_t **out, struct growth_error *err)
{
  static const char what[] = "sheets.ensure_sheet";
  *out = NULL;
  if (check_id(what, id, err) != 0)
    return -1;
  if (!json_is_object(spec))
    return error_set(err, ERR_BAD_ARGUMENT, "%s: the second argument must be a table {title=..., headers=...}, "
                                            "got %s", what, spec ? type_name(spec) : "nil");
  json_t *headers = NULL;
  const char *title = check_title(what, spec, 1, err);
  if (!title || check_headers(what, spec, &headers, err) != 0)
    return -1;
  return sheets->live ? sheets_live_ensure_sheet(sheets->live, id, title, headers, out, err)
                      : sheets_local_ensure_sheet(sheets->local, id, title, headers, out, err);
}

int sheets_append(struct sheets *sheets, const char *id, const char *range, json_t *rows, json_t **out,
                  struct growth_error *err)
{
  struct a1_range parsed;
  *out = NULL;
  if (check_id("sheets.append", id, err) != 0 || check_range("sheets.append", range, &parsed, err) != 0 ||
      check_rows("sheets.append", rows, err) != 0)
    return -1;
  return sheets->live ? sheets_live_append(sheets->live, id, range, rows, out, err)
                      : sheets_local_append(sheets->local, id, &parsed, rows, out, err);
}

int sheets_read(struct sheets *sheets, const char *id, const char *range, json_t **rows, struct growth_error *err)
{
  struct a1_range parsed;
  *rows = NULL;
  if (check_id("sheets.read", id, err) != 0 || check_range("sheets.read", range, &parsed, err) != 0)
    return -1;
  return sheets->live ? sheets_live_read(sheets->live, id, range, rows, err)
                      : sheets_local_read(sheets->local, id, &parsed, rows, err);
}

json_t *sheets_cell_text(json_t *cell)
{
  char text[64];
  switch (json_typeof(cell)) {
  case JSON_STRING: return json_incref(cell);
  case JSON_INTEGER: snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(cell)); break;
  case JSON_REAL: snprintf(text, sizeof text, "%.15g", json_real_value(cell)); break;
  case JSON_TRUE: return json_string("TRUE");
  case JSON_FALSE: return json_string("FALSE");
  default: return json_string("");
  }
  return json_string(text);
}
