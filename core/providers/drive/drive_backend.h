/*
 * drive_backend.h — what drive.c calls in each backend (internal to core/providers/drive).
 * The upload arrives checked; folder is already the upload's or the configured default (may be NULL), and
 * key, when set, is the hex SHA-256 of the caller's idempotency key (64 characters, no job id in clear).
 */
#ifndef GROWTH_PROVIDERS_DRIVE_BACKEND_H
#define GROWTH_PROVIDERS_DRIVE_BACKEND_H

#include "providers/drive/drive.h"

struct drive_live;
struct drive_live *drive_live_new(struct google_api *api, const char *base_url, long per_100s,
                                  struct growth_error *err);
void drive_live_free(struct drive_live *live);
int drive_live_upload(struct drive_live *live, const struct drive_upload *upload, json_t **out,
                      struct growth_error *err);

struct drive_local;
struct drive_local *drive_local_new(const char *data_dir, struct growth_error *err);
void drive_local_free(struct drive_local *local);
int drive_local_upload(struct drive_local *local, const struct drive_upload *upload, json_t **out,
                       struct growth_error *err);

#endif
