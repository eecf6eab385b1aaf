/*
 * sheets.h — spreadsheets for agents: create, append rows, read a range.
 *
 * One interface, two backends. The live backend calls Google Sheets v4 (and
 * Drive v3 to create the file inside GROWTH_DRIVE_FOLDER_ID, since a service
 * account owns no storage); the local backend keeps one RFC 4180 CSV file per
 * sheet under GROWTH_DATA_DIR/sheets/<id>/, replaced atomically on each write.
 *
 * Values in and out are jansson values so a binding can pass its tables
 * straight through. Arguments are checked here, before either backend runs,
 * with messages such as "sheets.append: rows[3] must be a table (a list of
 * cells)"; indexes in messages count from 1, as agent authors write them.
 * Cells read back are strings (Google's FORMATTED_VALUE); cells written may be
 * strings, numbers, booleans or null (an empty cell). Writes are sent as RAW,
 * so text that starts with '=' stays text and never becomes a formula.
 *
 * A spreadsheet holds sheets (tabs); ensure_sheet adds one by title when it is
 * missing, so it is safe to repeat (a retried job, two jobs at once).
 *
 * Limits taken per call (shared rate limiter): "sheets" for every call and
 * "sheets_writes" for create, append and the writes of ensure_sheet.
 */
#ifndef GROWTH_PROVIDERS_SHEETS_H
#define GROWTH_PROVIDERS_SHEETS_H

#include <jansson.h>

#include "base/config.h"
#include "base/error.h"
#include "net/google_api.h"

struct sheets;

/* The backend the settings select: live when api is non-NULL (borrowed), else local. In production a
 * missing Google key is a bad_config error rather than a silent switch to local files. */
struct sheets *sheets_open(const struct config *cfg, struct google_api *api, struct growth_error *err);
void sheets_free(struct sheets *sheets);

/* "live" or "local". */
const char *sheets_backend(const struct sheets *sheets);

/* spec {title = string, headers = {string...}?, key = string?} -> *out {id, url} (new reference). key is an
 * idempotency key (a ctx.step's): live with GROWTH_DRIVE_FOLDER_ID, a create that runs again with the key
 * of an earlier one answers the spreadsheet that one made (drive_keyed.h) instead of a second one. */
int sheets_create(struct sheets *sheets, json_t *spec, json_t **out, struct growth_error *err);

/* Appends rows (a list of lists of cells) after the last row of the table at range ("Entries!A1",
 * "Entries"). *out {updated_range, updated_rows} (new reference). */
int sheets_append(struct sheets *sheets, const char *id, const char *range, json_t *rows, json_t **out,
                  struct growth_error *err);

/* *rows: the range's rows as lists of strings, trailing empty cells and rows dropped (new reference). */
int sheets_read(struct sheets *sheets, const char *id, const char *range, json_t **rows, struct growth_error *err);

/* spec {title = string, headers = {string...}?}: adds a sheet titled title to spreadsheet id unless it has one
 * already; with headers, writes them as the sheet's first row when that row is empty (a new sheet, or one whose
 * headers a failed earlier call did not write). *out {title, sheet_id, created, url} (new reference). */
int sheets_ensure_sheet(struct sheets *sheets, const char *id, json_t *spec, json_t **out, struct growth_error *err);

#endif
