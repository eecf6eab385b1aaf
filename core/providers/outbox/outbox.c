/*
 * outbox.c — folder creation, atomic file writes and locked appends for the
 * local backends (see outbox.h).
 */
#include "providers/outbox/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p: creates each prefix of path that does not exist yet. */
static int make_folders(char *path, struct growth_error *err)
{
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
      error_set(err, ERR_IO, "outbox: cannot create folder %s: %s", path, strerror(errno));
      *p = saved;
      return -1;
    }
    *p = saved;
    if (saved == '\0')
      break;
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return error_set(err, ERR_IO, "outbox: %s exists but is not a folder", path);
  return 0;
}

char *outbox_folder(const char *data_dir, const char *sub, struct growth_error *err)
{
  if (!data_dir || !*data_dir) {
    error_set(err, ERR_BAD_CONFIG, "outbox: GROWTH_DATA_DIR is empty; expected a folder path");
    return NULL;
  }
  size_t size = strlen(data_dir) + strlen("/outbox/") + strlen(sub) + 1;
  char *path = malloc(size);
  if (!path) {
    error_set(err, ERR_NO_MEMORY, "outbox: out of memory");
    return NULL;
  }
  snprintf(path, size, "%s/outbox%s%s", data_dir, *sub ? "/" : "", sub);
  if (make_folders(path, err) != 0) {
    free(path);
    return NULL;
  }
  return path;
}

static int check_name(const char *name, struct growth_error *err)
{
  if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || name[0] == '.')
    return error_set(err, ERR_BAD_ARGUMENT, "outbox: '%s' is not a plain file name", name);
  return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

int outbox_write_file(const char *folder, const char *name, const void *data, size_t len, struct growth_error *err)
{
  if (check_name(name, err) != 0)
    return -1;
  size_t size = strlen(folder) + strlen(name) + 32;
  char *final_path = malloc(size);
  char *temp_path = malloc(size);
  if (!final_path || !temp_path) {
    error_set(err, ERR_NO_MEMORY, "outbox: out of memory");
    goto fail_alloc;
  }
  snprintf(final_path, size, "%s/%s", folder, name);
  snprintf(temp_path, size, "%s/.%s.XXXXXX", folder, name);
  int fd = mkstemp(temp_path);
  if (fd < 0) {
    error_set(err, ERR_IO, "outbox: cannot create a temporary file in %s: %s", folder, strerror(errno));
    goto fail_alloc;
  }
  if (fchmod(fd, 0644) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
    error_set(err, ERR_IO, "outbox: cannot write %s: %s", temp_path, strerror(errno));
    goto fail_write;
  }
  if (close(fd) != 0) {
    fd = -1;
    error_set(err, ERR_IO, "outbox: cannot close %s: %s", temp_path, strerror(errno));
    goto fail_write;
  }
  fd = -1;
  if (rename(temp_path, final_path) != 0) {
    error_set(err, ERR_IO, "outbox: cannot rename %s to %s: %s", temp_path, final_path, strerror(errno));
    goto fail_write;
  }
  free(temp_path);
  free(final_path);
  return 0;

fail_write:
  if (fd >= 0)
    close(fd);
  unlink(temp_path);
fail_alloc:
  free(temp_path);
  free(final_path);
  return -1;
}

/* 1 when the file behind fd (size bytes) holds marker, 0 when not, -1 with errno. */
static int file_holds(int fd, off_t size, const char *marker)
{
  if (size == 0)
    return 0;
  void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return -1;
  int found = memmem(map, (size_t)size, marker, strlen(marker)) != NULL;
  munmap(map, (size_t)size);
  return found;
}

int outbox_append_line(const char *folder, const char *name, const char *line, size_t len, struct growth_error *err)
{
  return outbox_append_line_once(folder, name, line, len, NULL, err) < 0 ? -1 : 0;
}

int outbox_append_line_once(const char *folder, const char *name, const char *line, size_t len, const char *marker,
                            struct growth_error *err)
{
  if (check_name(name, err) != 0)
    return -1;
  if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
    return error_set(err, ERR_BAD_ARGUMENT, "outbox: an appended line must be one line ending with a newline");
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", folder, name) >= sizeof path)
    return error_set(err, ERR_BAD_ARGUMENT, "outbox: the path %s/%s is too long", folder, name);
  int fd = open(path, (marker ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return error_set(err, ERR_IO, "outbox: cannot open %s for appending: %s", path, strerror(errno));
  if (flock(fd, LOCK_EX) != 0) {
    error_set(err, ERR_IO, "outbox: cannot lock %s: %s", path, strerror(errno));
    goto fail;
  }
  /* The size before the append, taken under the lock: a failed append (a full disk writes part of
   * the line, then ENOSPC) is cut back to it, so the file never ends in half a line that the next
   * append would run into. */
  struct stat before;
  if (fstat(fd, &before) != 0) {
    error_set(err, ERR_IO, "outbox: cannot read the size of %s: %s", path, strerror(errno));
    goto fail;
  }
  int held = marker ? file_holds(fd, before.st_size, marker) : 0;
  if (held < 0) {
    error_set(err, ERR_IO, "outbox: cannot read %s: %s", path, strerror(errno));
    goto fail;
  }
  if (held) {
    close(fd);
    return 1;
  }
  /* A write to an O_APPEND descriptor is one atomic append for regular files; the lock
   * also covers a short write, which would otherwise let another writer in mid-line. */
  if (write_all(fd, line, len) != 0) {
    error_set(err, ERR_IO, "outbox: cannot append to %s: %s", path, strerror(errno));
    goto fail_cut;
  }
  if (fsync(fd) != 0) {
    error_set(err, ERR_IO, "outbox: cannot flush %s: %s", path, strerror(errno));
    goto fail_cut;
  }
  close(fd);
  return 0;

fail_cut:
  if (ftruncate(fd, before.st_size) == 0)
    (void)fsync(fd);
fail:
  close(fd);
  return -1;
}
