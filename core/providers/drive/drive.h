/*
 * drive.h — file uploads for agents (reports, PDFs) with an optional share.
 *
 * One interface, two backends. Live: Google Drive v3 multipart upload
 * (multipart/related: JSON metadata, then the bytes) into the given folder or
 * GROWTH_DRIVE_FOLDER_ID (supportsAllDrives, since a service account owns no
 * storage), then, with share_with, a reader permission for that address.
 * Local: the bytes under GROWTH_DATA_DIR/drive/<id>/<name>, written atomically;
 * the url is its file:// path, and a share is recorded beside it in
 * <id>/shared_with.txt.
 *
 * With an idempotency key, live uploads carry it (hashed) as an appProperty and first look for a file
 * that has it, so a step that runs again after its upload succeeded but the share (or the answer) was
 * lost finds the first file; the share, a reader permission for one address, is safe to repeat.
 *
 * The upload is a plain struct so a binding can pass a Lua string's bytes
 * without a copy. Limit taken per call: "drive".
 */
#ifndef GROWTH_PROVIDERS_DRIVE_H
#define GROWTH_PROVIDERS_DRIVE_H

#include <jansson.h>
#include <stddef.h>

#include "base/config.h"
#include "base/error.h"
#include "net/google_api.h"

#define DRIVE_MULTIPART_MAX (5L * 1024 * 1024)

struct drive_upload {
  const char *name;        /* file name, no '/' */
  const char *mime;        /* e.g. "application/pdf" */
  const void *bytes;
  size_t size;             /* at most DRIVE_MULTIPART_MAX */
  const char *folder;      /* optional folder id; NULL: GROWTH_DRIVE_FOLDER_ID */
  const char *share_with;  /* optional e-mail address given read access */
  const char *key;         /* optional idempotency key: an upload with the key of an earlier one (a step run
                              again after a failure) answers the file that one made instead of a second file */
};

struct drive;

/* Live when api is non-NULL (borrowed), else local; production refuses local. */
struct drive *drive_open(const struct config *cfg, struct google_api *api, struct growth_error *err);
void drive_free(struct drive *drive);

const char *drive_backend(const struct drive *drive);

/* *out {id, url} (new reference). */
int drive_upload(struct drive *drive, const struct drive_upload *upload, json_t **out, struct growth_error *err);

#endif
