/*
 * local_files.h — every file the local backends and job artifacts write:
 * folders made on demand, whole files read, files replaced atomically, lines
 * appended under a lock, random ids and file:// URLs. One module, so there is
 * one way to put bytes on disk.
 *
 * A whole file is written to a temporary name in the same folder
 * (".<name>.XXXXXX", hidden from folder listings), fsync'd, renamed over the
 * final name, and the folder fsync'd: a reader sees the old file or the new
 * one, never half of one, and a crash keeps one of the two. When the disk is
 * full (or the quota spent) the error says so and names the file, and the
 * temporary file is removed: no truncated file is left behind.
 *
 * An appended line (the local SMS outbox) is one write(2) to a descriptor
 * opened with O_APPEND while holding an exclusive flock(2), so lines from
 * several processes never interleave; a failed append is cut back to the size
 * before it, so the file never ends in half a line.
 *
 * Messages name the path and the cause ("cannot write /x/y.eml: No space left
 * on device (the disk is full; nothing was written)"); callers prefix what they
 * were doing (error_prefix).
 */
#ifndef GROWTH_PROVIDERS_LOCAL_FILES_H
#define GROWTH_PROVIDERS_LOCAL_FILES_H

#include <stddef.h>

#include "base/error.h"

/* mkdir -p (mode 0755). ERR_IO when a part exists and is not a folder. */
int local_files_mkdirs(const char *path, struct growth_error *err);

/* Creates data_dir/outbox/sub (and every missing parent) and returns its path, which the caller
 * frees, or NULL with err. sub may be "" for the outbox folder itself. bad_config when data_dir
 * is empty. */
char *local_files_outbox(const char *data_dir, const char *sub, struct growth_error *err);

/* Reads a whole file; *data is NUL-terminated and freed by the caller. ERR_NOT_FOUND when absent. */
int local_files_read(const char *path, char **data, size_t *size, struct growth_error *err);

/* Replaces path with data atomically (its folder must exist). */
int local_files_write(const char *path, const void *data, size_t size, struct growth_error *err);

/* The same for folder/name; bad_argument when name is not a plain file name (empty, with '/', or
 * starting with '.'). */
int local_files_write_in(const char *folder, const char *name, const void *data, size_t size,
                         struct growth_error *err);

/* Appends line (len bytes, one line ending with '\n') to folder/name in one write, creating the file. */
int local_files_append_line(const char *folder, const char *name, const char *line, size_t len,
                            struct growth_error *err);

/* The same, unless the file already holds marker (looked for under the same lock): then nothing is
 * written and 1 is returned. How a send repeated with the same idempotency key stays one line.
 * marker NULL: always appends (0). -1 on error. */
int local_files_append_line_once(const char *folder, const char *name, const char *line, size_t len,
                                 const char *marker, struct growth_error *err);

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
