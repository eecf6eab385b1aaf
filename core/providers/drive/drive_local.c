/*
 * drive_local.c — the local Drive backend: files under the data folder (see drive.h).
 *
 * Each upload gets a fresh id and its own folder, GROWTH_DATA_DIR/drive/<id>/
 * (under <folder>/ first when a folder id is given), so two uploads with the
 * same name never overwrite each other. The bytes are written atomically. An
 * upload with an idempotency key takes its id from the key, so the same step
 * run again rewrites its own file instead of making a second one.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/drive/drive_backend.h"
#include "providers/local_files.h"

#define ROOT_MAX 2048

struct drive_local {
  char root[ROOT_MAX];
};

struct drive_local *drive_local_new(const char *data_dir, struct growth_error *err)
{
  struct drive_local *local = calloc(1, sizeof *local);
  if (!local) {
    error_set(err, ERR_NO_MEMORY, "drive: out of memory");
    return NULL;
  }
  const char *base = data_dir && *data_dir ? data_dir : "./var";
  if (snprintf(local->root, sizeof local->root, "%s/drive", base) >= (int)sizeof local->root) {
    free(local);
    error_set(err, ERR_BAD_CONFIG, "GROWTH_DATA_DIR: the path is longer than %d bytes", ROOT_MAX - 16);
    return NULL;
  }
  return local;
}

void drive_local_free(struct drive_local *local)
{
  free(local);
}

int drive_local_upload(struct drive_local *local, const struct drive_upload *upload, json_t **out,
                       struct growth_error *err)
{
  char id[64], folder[PATH_MAX], path[PATH_MAX + 256], url[PATH_MAX + 300];
  if (upload->key)
    snprintf(id, sizeof id, "local-%.24s", upload->key);
  else if (local_files_random_id("local-", id, sizeof id, err) != 0)
    return -1;
  int length = upload->folder ? snprintf(folder, sizeof folder, "%s/%s/%s", local->root, upload->folder, id)
                              : snprintf(folder, sizeof folder, "%s/%s", local->root, id);
  if (length < 0 || (size_t)length >= sizeof folder)
    return error_set(err, ERR_BAD_ARGUMENT, "drive.upload: path too long");
  snprintf(path, sizeof path, "%s/%s", folder, upload->name);
  if (local_files_mkdirs(folder, err) != 0 || local_files_write(path, upload->bytes, upload->size, err) != 0)
    return error_prefix(err, "drive.upload");
  if (upload->share_with) {
    char shared[PATH_MAX + 32], line[300];
    snprintf(shared, sizeof shared, "%s/shared_with.txt", folder);
    int line_length = snprintf(line, sizeof line, "%s reader\n", upload->share_with);
    if (local_files_write(shared, line, (size_t)line_length, err) != 0)
      return error_prefix(err, "drive.upload");
  }
  if (local_files_url(path, url, sizeof url, err) != 0)
    return error_prefix(err, "drive.upload");
  *out = json_pack("{s:s, s:s}", "id", id, "url", url);
  return *out ? 0 : error_set(err, ERR_NO_MEMORY, "drive.upload: out of memory");
}
