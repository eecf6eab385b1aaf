/*
 * sheets_backend.h — what sheets.c calls in each backend (internal to core/providers/sheets).
 * Arguments arrive checked: id is [A-Za-z0-9_-]+, range parses as A1, rows are lists of
 * string/number/boolean/null cells, headers a list of strings (NULL when absent or empty), a sheet title
 * 1 to 100 characters of UTF-8 without control characters.
 */
#ifndef GROWTH_PROVIDERS_SHEETS_BACKEND_H
#define GROWTH_PROVIDERS_SHEETS_BACKEND_H

#include <jansson.h>

#include "base/error.h"
#include "net/google_api.h"
#include "providers/sheets/a1_range.h"

struct sheets_live_options {
  const char *sheets_url;
  const char *drive_url;
  const char *folder_id;          /* NULL: create through the Sheets API */
  long per_100s, writes_per_min, drive_per_100s;
};

struct sheets_live;
struct sheets_live *sheets_live_new(struct google_api *api, const struct sheets_live_options *options,
                                    struct growth_error *err);
void sheets_live_free(struct sheets_live *live);
/* key: NULL, or the hex SHA-256 of the caller's idempotency key (drive_keyed.h; used with a folder). */
int sheets_live_create(struct sheets_live *live, const char *title, json_t *headers, const char *key, json_t **out,
                       struct growth_error *err);
int sheets_live_append(struct sheets_live *live, const char *id, const char *range, json_t *rows, json_t **out,
                       struct growth_error *err);
int sheets_live_read(struct sheets_live *live, const char *id, const char *range, json_t **rows,
                     struct growth_error *err);
int sheets_live_ensure_sheet(struct sheets_live *live, const char *id, const char *title, json_t *headers,
                             json_t **out, struct growth_error *err);

struct sheets_local;
struct sheets_local *sheets_local_new(const char *data_dir, struct growth_error *err);
void sheets_local_free(struct sheets_local *local);
int sheets_local_create(struct sheets_local *local, const char *title, json_t *headers, json_t **out,
                        struct growth_error *err);
int sheets_local_append(struct sheets_local *local, const char *id, const struct a1_range *range, json_t *rows,
                        json_t **out, struct growth_error *err);
int sheets_local_read(struct sheets_local *local, const char *id, const struct a1_range *range, json_t **rows,
                      struct growth_error *err);
int sheets_local_ensure_sheet(struct sheets_local *local, const char *id, const char *title, json_t *headers,
                              json_t **out, struct growth_error *err);

/* The text Sheets shows for a written cell: numbers without a trailing ".0", TRUE/FALSE, "" for null. */
json_t *sheets_cell_text(json_t *cell);

#endif
