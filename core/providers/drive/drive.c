/*
 * drive.c — argument checks and backend choice for growth.drive (see drive.h).
 */
#include "providers/drive/drive.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "providers/drive/drive_backend.h"
#include "providers/drive/drive_keyed.h"
#include "providers/local_files.h"

struct drive {
  struct drive_live *live;
  struct drive_local *local;
  char *default_folder;
};

struct drive *drive_open(const struct config *cfg, struct google_api *api, struct growth_error *err)
{
  if (!api && cfg->environment == ENV_PRODUCTION) {
    error_set(err, ERR_BAD_CONFIG, "drive: GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; production needs the live "
                                   "Google Drive backend");
    return NULL;
  }
  struct drive *drive = calloc(1, sizeof *drive);
  if (!drive || (cfg->drive_folder_id && !(drive->default_folder = strdup(cfg->drive_folder_id)))) {
    free(drive);
    error_set(err, ERR_NO_MEMORY, "drive: out of memory");
    return NULL;
  }
  if (api)
    drive->live = drive_live_new(api, cfg->google_drive_url, cfg->rate_drive_per_100s, err);
  else
    drive->local = drive_local_new(cfg->data_dir, err);
  if (!drive->live && !drive->local) {
    free(drive->default_folder);
    free(drive);
    return NULL;
  }
  return drive;
}

void drive_free(struct drive *drive)
{
  if (!drive)
    return;
  drive_live_free(drive->live);
  drive_local_free(drive->local);
  free(drive->default_folder);
  free(drive);
}

const char *drive_backend(const struct drive *drive)
{
  return drive->live ? "live" : "local";
}

static int is_folder_id(const char *id)
{
  if (!*id || strlen(id) > 200)
    return 0;
  for (const char *p = id; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
      return 0;
  return 1;
}

static int is_mime_type(const char *mime)
{
  const char *slash = strchr(mime, '/');
  if (!slash || slash == mime || !slash[1] || strlen(mime) > 200)
    return 0;
  for (const char *p = mime; *p; p++)
    if ((unsigned char)*p <= ' ' && *p != ' ')
      return 0;
  return 1;
}

static int is_email(const char *text)
{
  const char *at = strchr(text, '@');
  if (!at || at == text || !strchr(at, '.') || strchr(at + 1, '@') || strlen(text) > 254)
    return 0;
  for (const char *p = text; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == ',' || *p == '<' || *p == '>')
      return 0;
  return 1;
}

int drive_upload(struct drive *drive, const struct drive_upload *upload, json_t **out, struct growth_error *err)
{
  *out = NULL;
  if (!upload->name || !local_files_safe_name(upload->name))
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: name must be a file name (1-200 bytes, no '/'), got %s",
                     upload->name ? "an unusable name" : "nil");
  if (!upload->mime || !is_mime_type(upload->mime))
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: mime must be a media type such as \"application/pdf\"");
  if (!upload->bytes)
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: bytes must be a string");
  if (upload->size > (size_t)DRIVE_MULTIPART_MAX)
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: bytes is %zu bytes long; at most %ld per upload",
                     upload->size, DRIVE_MULTIPART_MAX);
  if (upload->folder && !is_folder_id(upload->folder))
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: folder '%.60s' is not a folder id (letters, digits, '-', "
                                            "'_')", upload->folder);
  if (upload->share_with && !is_email(upload->share_with))
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: share_with '%.80s' is not an e-mail address",
                     upload->share_with);
  struct drive_upload resolved = *upload;
  if (!resolved.folder)
    resolved.folder = drive->default_folder;
  char digest[DRIVE_KEY_DIGEST_SIZE];
  if (upload->key) {
    if (drive_key_digest(upload->key, digest, "drive.upload", err) != 0)
      return -1;
    resolved.key = digest;
  }
  return drive->live ? drive_live_upload(drive->live, &resolved, out, err)
                     : drive_local_upload(drive->local, &resolved, out, err);
}
