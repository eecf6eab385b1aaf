/*
 * drive_keyed.h — idempotent creates on Google Drive, for the uploads of growth.drive and the spreadsheets
 * growth.sheets makes in a shared-drive folder.
 *
 * A create that carries an idempotency key (a ctx.step's, "<job id>/<step>/<n>") stores SHA-256 of it as the
 * file's appProperty growthdKey; a create that runs again (the step retried after a later call of it failed,
 * or after an answer was lost) first asks files.list for a file with that property and takes it instead of
 * making a copy. Only the hash leaves the process, never the job id.
 */
#ifndef GROWTH_PROVIDERS_DRIVE_KEYED_H
#define GROWTH_PROVIDERS_DRIVE_KEYED_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "net/google_api.h"
#include "net/rate_limit.h"

#define DRIVE_KEY_PROPERTY "growthdKey"
#define DRIVE_KEY_DIGEST_SIZE 65   /* 64 hex digits and the NUL */

/* out = hex SHA-256 of key. what names the caller in errors ("drive.upload"). */
int drive_key_digest(const char *key, char out[DRIVE_KEY_DIGEST_SIZE], const char *what, struct growth_error *err);

/* The file whose appProperty growthdKey is digest, in any drive (files.list, a GET: repeated after timeouts
 * and 5xx), with fields id, name, mimeType and webViewLink: *found a new reference, or NULL when there is none. */
int drive_key_find(struct google_api *api, const struct rate_limit *limits, size_t limit_count, const char *drive_url,
                   const char *digest, const char *what, json_t **found, struct growth_error *err);

#endif
