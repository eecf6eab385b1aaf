/*
 * local_files.c — files of the local backends (see local_files.h).
 */
#include "providers/local_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int local_files_mkdirs(const char *path, struct growth_error *err)
{
  char buffer[PATH_MAX];
  if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer)
    return error_set(err, ERR_BAD_ARGUMENT, "path too long: %.100s...", path);
  for (char *p = buffer + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (mkdir(buffer, 0755) != 0 && errno != EEXIST)
        return error_set(err, ERR_IO, "cannot create folder %s: %s", buffer, strerror(errno));
      *p = saved;
      if (!saved)
        break;
    }
  }
  return 0;
}

int local_files_read(const char *path, char **data, size_t *size, struct growth_error *err)
{
  *data = NULL;
  *size = 0;
  FILE *file = fopen(path, "rb");
  if (!file)
    return error_set(err, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot open %s: %s", path, strerror(errno));
  size_t capacity = 4096, used = 0;
  char *buffer = malloc(capacity);
  while (buffer) {
    size_t got = fread(buffer + used, 1, capacity - used - 1, file);
    used += got;
    if (got == 0)
      break;
    if (capacity - used - 1 == 0) {
      char *grown = realloc(buffer, capacity * 2);
      if (!grown) {
        free(buffer);
        buffer = NULL;
        break;
      }
      buffer = grown;
      capacity *= 2;
    }
  }
  int failed = ferror(file);
  fclose(file);
  if (!buffer)
    return error_set(err, ERR_NO_MEMORY, "out of memory reading %s", path);
  if (failed) {
    free(buffer);
    return error_set(err, ERR_IO, "cannot read %s", path);
  }
  buffer[used] = '\0';
  *data = buffer;
  *size = used;
  return 0;
}

int local_files_write(const char *path, const void *data, size_t size, struct growth_error *err)
{
  char temporary[PATH_MAX];
  if (snprintf(temporary, sizeof temporary, "%s.tmp.XXXXXX", path) >= (int)sizeof temporary)
    return error_set(err, ERR_BAD_ARGUMENT, "path too long: %.100s...", path);
  int fd = mkstemp(temporary);
  if (fd < 0)
    return error_set(err, ERR_IO, "cannot create a temporary file next to %s: %s", path, strerror(errno));
  const char *p = data;
  size_t left = size;
  while (left > 0) {
    ssize_t written = write(fd, p, left);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      goto fail;
    p += written;
    left -= (size_t)written;
  }
  if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
    goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(temporary, path) != 0)
    goto fail;
  return 0;

fail:
  error_set(err, ERR_IO, "cannot write %s: %s", path, strerror(errno));
  if (fd >= 0)
    close(fd);
  unlink(temporary);
  return -1;
}

int local_files_random_id(const char *prefix, char *out, size_t size, struct growth_error *err)
{
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1)
    return error_set(err, ERR_INTERNAL, "no random bytes for an id");
  int used = snprintf(out, size, "%s", prefix);
  for (size_t i = 0; i < sizeof random && used >= 0 && (size_t)used < size; i++)
    used += snprintf(out + used, size - (size_t)used, "%02x", random[i]);
  return 0;
}

int local_files_url(const char *path, char *out, size_t size, struct growth_error *err)
{
  char folder[PATH_MAX], resolved[PATH_MAX];
  snprintf(folder, sizeof folder, "%s", path);
  char *slash = strrchr(folder, '/');
  const char *name = path;
  if (slash) {
    *slash = '\0';
    name = path + (slash - folder) + 1;
  } else {
    snprintf(folder, sizeof folder, ".");
  }
  if (!realpath(folder[0] ? folder : "/", resolved))
    return error_set(err, ERR_IO, "cannot resolve %s: %s", folder, strerror(errno));
  if (snprintf(out, size, "file://%s/%s", strcmp(resolved, "/") == 0 ? "" : resolved, name) >= (int)size)
    return error_set(err, ERR_BAD_ARGUMENT, "path too long: %.100s...", path);
  return 0;
}

int local_files_safe_name(const char *name)
{
  size_t length = strlen(name);
  return length > 0 && length <= 200 && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int local_files_lock(const char *path, struct growth_error *err)
{
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return error_set(err, ERR_IO, "cannot open %s: %s", path, strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      error_set(err, ERR_IO, "cannot lock %s: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
  }
  return fd;
}

void local_files_unlock(int fd)
{
  if (fd >= 0)
    close(fd);
}
