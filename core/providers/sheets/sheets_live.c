/*
 * sheets_live.c — the Google Sheets v4 backend (see sheets.h).
 *
 * create: with GROWTH_DRIVE_FOLDER_ID the file is made by Drive files.create
 * (mimeType application/vnd.google-apps.spreadsheet, supportsAllDrives) in
 * that shared-drive folder, because a plain service account owns no storage;
 * without it, by spreadsheets.create. Headers are then written with
 * values.update (PUT, safe to repeat) into A1 of the first sheet. A create in
 * the folder with an idempotency key marks the file with it and first looks
 * for a file so marked (drive_keyed.h), so a step that runs again after the
 * headers failed takes the spreadsheet it made instead of a second one.
 * append: values.append with RAW and INSERT_ROWS; a POST, so it is repeated
 * only after a rate-limit answer (the server did not apply it).
 * read: values.get (GET, repeated after timeouts and 5xx).
 * ensure_sheet: spreadsheets.get with a field mask lists the sheets' titles;
 * a missing one is added by spreadsheets.batchUpdate with one addSheet
 * request. That POST is never repeated by the client, so a lost answer fails
 * the call and the caller's retry finds the sheet by the listing; an addSheet
 * refused with 400 "A sheet with the name ... already exists" (a concurrent
 * caller won) lists again and takes that sheet. Headers go with values.update
 * into row 1 when that row reads back empty.
 * Every answer is checked for the fields used; a missing one is a clear,
 * non-retryable upstream_error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "providers/drive/drive_keyed.h"
#include "providers/sheets/sheets_backend.h"

#define URL_MAX 2048

struct sheets_live {
  struct google_api *api;
  struct sheets_live_options options;
  struct rate_limit read_limits[1];
  struct rate_limit write_limits[2];
  struct rate_limit drive_limits[1];
};

struct sheets_live *sheets_live_new(struct google_api *api, const struct sheets_live_options *options,
                                    struct growth_error *err)
{
  struct sheets_live *live = calloc(1, sizeof *live);
  if (!live) {
    error_set(err, ERR_NO_MEMORY, "sheets: out of memory");
    return NULL;
  }
  live->api = api;
  live->options = *options;
  live->read_limits[0] = (struct rate_limit){ "sheets", options->per_100s, 100000 };
  live->write_limits[0] = live->read_limits[0];
  live->write_limits[1] = (struct rate_limit){ "sheets_writes", options->writes_per_min, 60000 };
  live->drive_limits[0] = (struct rate_limit){ "drive", options->drive_per_100s, 100000 };
  return live;
}

void sheets_live_free(struct sheets_live *live)
{
  free(live);
}

/* base + "/v4/spreadsheets/<id>/values/<range><suffix>" with id and range percent-encoded. */
static int values_url(struct sheets_live *live, const char *id, const char *range, const char *suffix, char *out,
                      struct growth_error *err)
{
  char *escaped_id = http_escape(id), *escaped_range = http_escape(range);
  int length = -1;
  if (escaped_id && escaped_range)
    length = snprintf(out, URL_MAX, "%s/v4/spreadsheets/%s/values/%s%s", live->options.sheets_url, escaped_id,
                      escaped_range, suffix);
  free(escaped_id);
  free(escaped_range);
  if (length < 0 || length >= URL_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "sheets: the request URL for '%.60s' is too long", range);
  return 0;
}

static int malformed(const char *what, const char *field, struct growth_error *err)
{
  return error_set(err, ERR_UPSTREAM, "%s: the answer has no %s; expected Google's documented shape", what, field);
}

/* values.update of headers into range (a first cell such as "A1"): a PUT, safe to repeat. */
static int write_headers(struct sheets_live *live, const char *what, const char *id, const char *range,
                         json_t *headers, struct growth_error *err)
{
  char url[URL_MAX];
  if (values_url(live, id, range, "?valueInputOption=RAW", url, err) != 0)
    return -1;
  json_t *body = json_pack("{s:s, s:s, s:[O]}", "range", range, "majorDimension", "ROWS", "values", headers);
  if (!body)
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory", what);
  struct http_request request = { .method = HTTP_PUT, .url = url, .json = body, .what = what };
  json_t *answer = google_api_call(live->api, live->write_limits, 2, &request, err);
  json_decref(body);
  if (!answer)
    return error_prefix(err, "%s: writing the headers", what);
  json_decref(answer);
  return 0;
}

int sheets_live_create(struct sheets_live *live, const char *title, json_t *headers, const char *key, json_t **out,
                       struct growth_error *err)
{
  char url[URL_MAX];
  json_t *body = NULL, *answer = NULL;
  const char *id = NULL, *link = NULL;
  if (live->options.folder_id && key && drive_key_find(live->api, live->drive_limits, 1, live->options.drive_url, key,
                                                       "sheets.create", &answer, err) != 0)
    return -1;
  if (answer) {   /* made by an earlier run of the same step: write its headers (again) and answer it */
    body = json_object();
    id = json_string_value(json_object_get(answer, "id"));
    link = json_string_value(json_object_get(answer, "webViewLink"));
  } else if (live->options.folder_id) {
    snprintf(url, sizeof url, "%s/drive/v3/files?supportsAllDrives=true&fields=id,name,mimeType,webViewLink",
             live->options.drive_url);
    body = json_pack("{s:s, s:s, s:[s]}", "name", title, "mimeType", "application/vnd.google-apps.spreadsheet",
                     "parents", live->options.folder_id);
    if (body && key)
      json_object_set_new(body, "appProperties", json_pack("{s:s}", DRIVE_KEY_PROPERTY, key));
    struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .what = "sheets.create" };
    answer = body ? google_api_call(live->api, live->drive_limits, 1, &request, err) : NULL;
    id = json_string_value(json_object_get(answer, "id"));
    link = json_string_value(json_object_get(answer, "webViewLink"));
  } else {
    snprintf(url, sizeof url, "%s/v4/spreadsheets", live->options.sheets_url);
    body = json_pack("{s:{s:s}}", "properties", "title", title);
    struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .what = "sheets.create" };
    answer = body ? google_api_call(live->api, live->write_limits, 2, &request, err) : NULL;
    id = json_string_value(json_object_get(answer, "spreadsheetId"));
    link = json_string_value(json_object_get(answer, "spreadsheetUrl"));
  }
  json_decref(body);
  if (!answer)
    return body ? -1 : error_set(err, ERR_NO_MEMORY, "sheets.create: out of memory");
  if (!id || !*id) {
    json_decref(answer);
    return malformed("sheets.create", live->options.folder_id ? "\"id\"" : "\"spreadsheetId\"", err);
  }
  char fallback[URL_MAX];
  if (!link) {
    snprintf(fallback, sizeof fallback, "https://docs.google.com/spreadsheets/d/%s/edit", id);
    link = fallback;
  }
  *out = json_pack("{s:s, s:s}", "id", id, "url", link);
  int result = *out ? 0 : error_set(err, ERR_NO_MEMORY, "sheets.create: out of memory");
  if (result == 0 && headers && write_headers(live, "sheets.create", id, "A1", headers, err) != 0) {
    json_decref(*out);
    *out = NULL;
    result = -1;
  }
  json_decref(answer);
  return result;
}

int sheets_live_append(struct sheets_live *live, const char *id, const char *range, json_t *rows, json_t **out,
                       struct growth_error *err)
{
  char url[URL_MAX];
  if (values_url(live, id, range, ":append?valueInputOption=RAW&insertDataOption=INSERT_ROWS", url, err) != 0)
    return -1;
  json_t *body = json_pack("{s:s, s:O}", "majorDimension", "ROWS", "values", rows);
  if (!body)
    return error_set(err, ERR_NO_MEMORY, "sheets.append: out of memory");
  struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .what = "sheets.append" };
  json_t *answer = google_api_call(live->api, live->write_limits, 2, &request, err);
  json_decref(body);
  if (!answer)
    return -1;
  json_t *updates = json_object_get(answer, "updates");
  const char *updated_range = json_string_value(json_object_get(updates, "updatedRange"));
  json_t *updated_rows = json_object_get(updates, "updatedRows");
  int result = 0;
  if (!updated_range || !json_is_integer(updated_rows))
    result = malformed("sheets.append", "\"updates.updatedRange\" and \"updates.updatedRows\"", err);
  else if (!(*out = json_pack("{s:s, s:O}", "updated_range", updated_range, "updated_rows", updated_rows)))
    result = error_set(err, ERR_NO_MEMORY, "sheets.append: out of memory");
  json_decref(answer);
  return result;
}

int sheets_live_read(struct sheets_live *live, const char *id, const char *range, json_t **rows,
                     struct growth_error *err)
{
  char url[URL_MAX];
  if (values_url(live, id, range, "?majorDimension=ROWS&valueRenderOption=FORMATTED_VALUE", url, err) != 0)
    return -1;
  struct http_request request = { .method = HTTP_GET, .url = url, .what = "sheets.read" };
  json_t *answer = google_api_call(live->api, live->read_limits, 1, &request, err);
  if (!answer)
    return -1;
  json_t *values = json_object_get(answer, "values");
  json_t *result = json_array();
  size_t i, j;
  json_t *row, *cell;
  if (!result) {
    json_decref(answer);
    return error_set(err, ERR_NO_MEMORY, "sheets.read: out of memory");
  }
  if (!json_is_object(answer) || !json_is_string(json_object_get(answer, "range")) ||
      (values && !json_is_array(values))) {
    json_decref(result);
    json_decref(answer);
    return malformed("sheets.read", "\"range\" with a list of \"values\"", err);
  }
  json_array_foreach(values, i, row) {
    if (!json_is_array(row)) {
      json_decref(result);
      json_decref(answer);
      return error_set(err, ERR_UPSTREAM, "sheets.read: values[%zu] in the answer is not a list", i + 1);
    }
    json_t *cells = json_array();
    int failed = !cells || json_array_append_new(result, cells) != 0;
    json_array_foreach(row, j, cell)
      failed = failed || json_array_append_new(cells, sheets_cell_text(cell)) != 0;
    if (failed) {
      json_decref(result);
      json_decref(answer);
      return error_set(err, ERR_NO_MEMORY, "sheets.read: out of memory");
    }
  }
  json_decref(answer);
  *rows = result;
  return 0;
}

/* The sheetId of the sheet titled title in a spreadsheets.get answer: 1 found, 0 absent, -1 malformed. */
static int find_sheet(json_t *answer, const char *title, json_int_t *sheet_id, struct growth_error *err)
{
  json_t *list = json_object_get(answer, "sheets"), *sheet;
  size_t i;
  if (!json_is_array(list))
    return malformed("sheets.ensure_sheet", "\"sheets\" list", err);
  json_array_foreach(list, i, sheet) {
    json_t *properties = json_object_get(sheet, "properties");
    const char *name = json_string_value(json_object_get(properties, "title"));
    json_t *number = json_object_get(properties, "sheetId");
    if (!name)
      return malformed("sheets.ensure_sheet", "\"sheets[].properties.title\"", err);
    if (strcmp(name, title) != 0)
      continue;
    *sheet_id = json_integer_value(number);   /* Google leaves out sheetId 0, the default */
    return number && !json_is_integer(number) ? malformed("sheets.ensure_sheet", "integer \"sheetId\"", err) : 1;
  }
  return 0;
}

/* spreadsheets.get of the sheets' ids and titles, then find_sheet. */
static int lookup_sheet(struct sheets_live *live, const char *id, const char *title, json_int_t *sheet_id,
                        struct growth_error *err)
{
  char url[URL_MAX];
  char *escaped = http_escape(id);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "sheets.ensure_sheet: out of memory");
  snprintf(url, sizeof url, "%s/v4/spreadsheets/%s?fields=sheets.properties(sheetId%%2Ctitle)",
           live->options.sheets_url, escaped);
  free(escaped);
  struct http_request request = { .method = HTTP_GET, .url = url, .what = "sheets.ensure_sheet" };
  json_t *answer = google_api_call(live->api, live->read_limits, 1, &request, err);
  if (!answer)
    return -1;
  int found = find_sheet(answer, title, sheet_id, err);
  json_decref(answer);
  return found;
}

/* batchUpdate with one addSheet request; *sheet_id from its reply. */
static int add_sheet(struct sheets_live *live, const char *id, const char *title, json_int_t *sheet_id,
                     struct growth_error *err)
{
  char url[URL_MAX];
  char *escaped = http_escape(id);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "sheets.ensure_sheet: out of memory");
  snprintf(url, sizeof url, "%s/v4/spreadsheets/%s:batchUpdate", live->options.sheets_url, escaped);
  free(escaped);
  json_t *body = json_pack("{s:[{s:{s:{s:s}}}]}", "requests", "addSheet", "properties", "title", title);
  if (!body)
    return error_set(err, ERR_NO_MEMORY, "sheets.ensure_sheet: out of memory");
  struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .what = "sheets.ensure_sheet" };
  json_t *answer = google_api_call(live->api, live->write_limits, 2, &request, err);
  json_decref(body);
  if (!answer)
    return -1;
  json_t *properties = json_object_get(json_object_get(json_array_get(json_object_get(answer, "replies"), 0),
                                                       "addSheet"), "properties");
  json_t *number = json_object_get(properties, "sheetId");
  int result = 0;
  if (!json_is_integer(number) || !json_is_string(json_object_get(properties, "title")))
    result = malformed("sheets.ensure_sheet", "\"replies[0].addSheet.properties\" with sheetId and title", err);
  else
    *sheet_id = json_integer_value(number);
  json_decref(answer);
  return result;
}

/* "'<title>'!<cells>" with quotes in title doubled. */
static int sheet_range(const char *title, const char *cells, char *out, size_t size, struct growth_error *err)
{
  size_t used = 0;
  out[used++] = '\'';
  for (const char *p = title; *p && used + 2 < size; p++) {
    if (*p == '\'')
      out[used++] = '\'';
    out[used++] = *p;
  }
  int length = snprintf(out + used, size - used, "'!%s", cells);
  if (length < 0 || (size_t)length >= size - used)
    return error_set(err, ERR_BAD_ARGUMENT, "sheets.ensure_sheet: the sheet title is too long for a range");
  return 0;
}

/* 1 when row 1 of the sheet reads back empty, 0 when it holds something. */
static int first_row_empty(struct sheets_live *live, const char *id, const char *title, struct growth_error *err)
{
  char range[2 * A1_SHEET_MAX + 16];
  json_t *rows = NULL;
  if (sheet_range(title, "1:1", range, sizeof range, err) != 0 || sheets_live_read(live, id, range, &rows, err) != 0)
    return error_prefix(err, "sheets.ensure_sheet: reading the first row");
  int empty = json_array_size(rows) == 0 || json_array_size(json_array_get(rows, 0)) == 0;
  json_decref(rows);
  return empty;
}

int sheets_live_ensure_sheet(struct sheets_live *live, const char *id, const char *title, json_t *headers,
                             json_t **out, struct growth_error *err)
{
  json_int_t sheet_id = 0;
  int created = 0;
  int found = lookup_sheet(live, id, title, &sheet_id, err);
  if (found < 0)
    return -1;
  if (!found) {
    if (add_sheet(live, id, title, &sheet_id, err) == 0) {
      created = 1;
    } else if (err->status == 400 && strstr(err->message, "already exists")) {
      error_clear(err);
      found = lookup_sheet(live, id, title, &sheet_id, err);
      if (found < 0)
        return -1;
      if (!found)
        return error_set(err, ERR_UPSTREAM, "sheets.ensure_sheet: Google refused to add sheet '%s' as existing, "
                                            "but the spreadsheet does not list it", title);
    } else {
      return -1;
    }
  }
  if (headers) {
    char range[2 * A1_SHEET_MAX + 16];
    int empty = created ? 1 : first_row_empty(live, id, title, err);
    if (empty < 0 || sheet_range(title, "A1", range, sizeof range, err) != 0)
      return -1;
    if (empty && write_headers(live, "sheets.ensure_sheet", id, range, headers, err) != 0)
      return -1;
  }
  char link[URL_MAX];
  snprintf(link, sizeof link, "https://docs.google.com/spreadsheets/d/%s/edit#gid=%" JSON_INTEGER_FORMAT, id, sheet_id);
  *out = json_pack("{s:s, s:I, s:b, s:s}", "title", title, "sheet_id", sheet_id, "created", created, "url", link);
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "sheets.ensure_sheet: out of memory");
}
