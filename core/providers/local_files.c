/*
 * local_files.c — folders, atomic whole-file writes, locked appends, ids and
 * URLs for the local backends and job artifacts (see local_files.h).
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* strerror(errnum), with what a full disk means for the file. */
static const char *cause(int errnum, char *out, size_t size)
{
  if (errnum == ENOSPC || errnum == EDQUOT)
    snprintf(out, size, "%s (the %s; the file was left as it was)", strerror(errnum),
             errnum == ENOSPC ? "disk is full" : "disk quota is used up");
  else
    snprintf(out, size, "%s", strerror(errnum));
  return out;
}

static int io_error(struct growth_error *err, int errnum, const char *what, const char *path)
{
  char reason[160];
  return error_set(err, ERR_IO, "%s %s: %s", what, path, cause(errnum, reason, sizeof reason));
}

int local_files_mkdirs(const char *path, struct growth_error *err)
{
  char *buffer = strdup(path);
  if (!buffer)
    return error_set(err, ERR_NO_MEMORY, "out of memory creating folder %.100s", path);
  int rc = 0;
  for (char *p = buffer + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(buffer, 0755) != 0 && errno != EEXIST) {
      rc = io_error(err, errno, "cannot create folder", buffer);
      break;
    }
    *p = saved;
    if (!saved)
      break;
  }
  struct stat st;
  if (rc == 0 && (stat(buffer, &st) != 0 || !S_ISDIR(st.st_mode)))
    rc = error_set(err, ERR_IO, "%s exists but is not a folder", buffer);
  free(buffer);
  return rc;
}

char *local_files_outbox(const char *data_dir, const char *sub, struct growth_error *err)
{
  if (!data_dir || !*data_dir) {
    error_set(err, ERR_BAD_CONFIG, "GROWTH_DATA_DIR is empty; expected a folder path for the outbox");
    return NULL;
  }
  size_t size = strlen(data_dir) + strlen("/outbox/") + strlen(sub) + 1;
  char *path = malloc(size);
  if (!path) {
    error_set(err, ERR_NO_MEMORY, "out of memory for the outbox folder");
    return NULL;
  }
  snprintf(path, size, "%s/outbox%s%s", data_dir, *sub ? "/" : "", sub);
  if (local_files_mkdirs(path, err) != 0) {
    free(path);
    return NULL;
  }
  return path;
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

/* Writes all of data; -1 with errno (a write that takes no byte counts as a full disk). */
static int write_all(int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = ENOSPC;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Makes a rename in folder durable; best effort, since the file is complete either way. */
static void sync_folder(const char *folder)
{
  int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

/* folder/name (name plain, folder existing) written atomically; path is folder/name for messages. */
static int write_atomically(const char *folder, const char *name, const char *path, const void *data, size_t size,
                            struct growth_error *err)
{
  size_t length = strlen(folder) + strlen(name) + sizeof "/..XXXXXX";
  char *temporary = malloc(length);
  if (!temporary)
    return error_set(err, ERR_NO_MEMORY, "out of memory writing %s", path);
  snprintf(temporary, length, "%s/.%s.XXXXXX", folder, name);
  int fd = mkostemp(temporary, O_CLOEXEC);
  if (fd < 0) {
    io_error(err, errno, "cannot create a temporary file for", path);
    free(temporary);
    return -1;
  }
  if (fchmod(fd, 0644) != 0 || write_all(fd, data, size) != 0 || fsync(fd) != 0) {
    io_error(err, errno, "cannot write", path);
    goto fail;
  }
  int closed = close(fd);
  fd = -1;
  if (closed != 0) {
    io_error(err, errno, "cannot write", path);
    goto fail;
  }
  if (rename(temporary, path) != 0) {
    io_error(err, errno, "cannot put in place", path);
    goto fail;
  }
  sync_folder(folder);
  free(temporary);
  return 0;

fail:
  if (fd >= 0)
    close(fd);
  unlink(temporary);
  free(temporary);
  return -1;
}

int local_files_write(const char *path, const void *data, size_t size, struct growth_error *err)
{
  const char *slash = strrchr(path, '/');
  if (!slash)
    return write_atomically(".", path, path, data, size, err);
  if (!slash[1])
    return error_set(err, ERR_BAD_ARGUMENT, "cannot write %s: the path names a folder, not a file", path);
  char *folder = strndup(path, slash == path ? 1 : (size_t)(slash - path));
  if (!folder)
    return error_set(err, ERR_NO_MEMORY, "out of memory writing %s", path);
  int rc = write_atomically(folder, slash + 1, path, data, size, err);
  free(folder);
  return rc;
}

static int check_plain_name(const char *name, struct growth_error *err)
{
  if (!local_files_safe_name(name) || name[0] == '.')
    return error_set(err, ERR_BAD_ARGUMENT, "'%.100s' is not a plain file name", name);
  return 0;
}

int local_files_write_in(const char *folder, const char *name, const void *data, size_t size,
                         struct growth_error *err)
{
  if (check_plain_name(name, err) != 0)
    return -1;
  size_t length = strlen(folder) + strlen(name) + 2;
  char *path = malloc(length);
  if (!path)
    return error_set(err, ERR_NO_MEMORY, "out of memory writing %s/%s", folder, name);
  snprintf(path, length, "%s/%s", folder, name);
  int rc = write_atomically(folder, name, path, data, size, err);
  free(path);
  return rc;
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

int local_files_append_line(const char *folder, const char *name, const char *line, size_t len,
                            struct growth_error *err)
{
  return local_files_append_line_once(folder, name, line, len, NULL, err) < 0 ? -1 : 0;
}

int local_files_append_line_once(const char *folder, const char *name, const char *line, size_t len,
                                 const char *marker, struct growth_error *err)
{
  if (check_plain_name(name, err) != 0)
    return -1;
  if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
    return error_set(err, ERR_BAD_ARGUMENT, "an appended line must be one line ending with a newline");
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", folder, name) >= sizeof path)
    return error_set(err, ERR_BAD_ARGUMENT, "the path %.100s/%.100s is too long", folder, name);
  int fd = open(path, (marker ? O_RDWR : O_WRONLY) | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error(err, errno, "cannot open for appending", path);
  if (flock(fd, LOCK_EX) != 0) {
    io_error(err, errno, "cannot lock", path);
    goto fail;
  }
  /* The size before the append, taken under the lock: a failed append (a full disk takes part of
   * the line, then ENOSPC) is cut back to it, so the file never ends in half a line that the next
   * append would run into. */
  struct stat before;
  if (fstat(fd, &before) != 0) {
    io_error(err, errno, "cannot read the size of", path);
    goto fail;
  }
  int held = marker ? file_holds(fd, before.st_size, marker) : 0;
  if (held < 0) {
    io_error(err, errno, "cannot read", path);
    goto fail;
  }
  if (held) {
    close(fd);
    return 1;
  }
  /* A write to an O_APPEND descriptor is one atomic append for regular files; the lock
   * also covers a short write, which would otherwise let another writer in mid-line. */
  if (write_all(fd, line, len) != 0) {
    io_error(err, errno, "cannot append to", path);
    goto fail_cut;
  }
  if (fsync(fd) != 0) {
    io_error(err, errno, "cannot flush", path);
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
    return io_error(err, errno, "cannot open", path);
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      io_error(err, errno, "cannot lock", path);
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
