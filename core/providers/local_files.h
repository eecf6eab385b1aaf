/*
 * local_files.h — the file plumbing shared by the local backends (sheets,
 * calendar, drive): folders made on demand, whole files read, files replaced
 * atomically (write a temporary file in the same folder, fsync, rename, so a
 * reader sees the old or the new file, never half of one), random ids and
 * file:// URLs.
 */
#ifndef GROWTH_PROVIDERS_LOCAL_FILES_H
#define GROWTH_PROVIDERS_LOCAL_FILES_H

#include <stddef.h>

#include "base/error.h"

/* mkdir -p (mode 0755). */
int local_files_mkdirs(const char *path, struct growth_error *err);

/* Reads a whole file; *data is NUL-terminated and freed by the caller. ERR_NOT_FOUND when absent. */
int local_files_read(const char *path, char **data, size_t *size, struct growth_error *err);

/* Replaces path with data atomically. */
int local_files_write(const char *path, const void *data, size_t size, struct growth_error *err);

/* prefix followed by 16 random hex digits, e.g. "local-3fa9c0..." */
int local_files_random_id(const char *prefix, char *out, size_t size, struct growth_error *err);

/* "file://" and the absolute path of path (which need not exist yet if its folder does). */
int local_files_url(const char *path, char *out, size_t size, struct growth_error *err);

/* Takes an exclusive flock on path (created if needed); returns the fd to pass to local_files_unlock, or -1. */
int local_files_lock(const char *path, struct growth_error *err);
void local_files_unlock(int fd);

/* Whether name is safe as one path component: 1-200 bytes, no '/', no NUL, not "." or "..". */
int local_files_safe_name(const char *name);

#endif
