/*
 * loader_files.c — reads an agent and its lib files, and hashes them (see loader_files.h).
 *
 * The libs an agent uses are found by scanning its text for literal requires
 * (require "lib.text", require('lib.text'), require [[lib.text]] is not
 * recognised), then the libs' texts the same way. A require with a computed
 * name still works at run time (it reads the disk), but cannot be part of the
 * version. The version is SHA-256 over the agent's text, then for each lib in
 * name order its name, a NUL and its text.
 */
#include "agents/loader_files.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_FILE_MAX (1024 * 1024)

static int read_text(const char *path, char **text, size_t *length, struct growth_error *err)
{
  FILE *file = fopen(path, "rb");
  if (!file)
    return error_set(err, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  char *buffer = malloc(SCRIPT_FILE_MAX + 1);
  if (!buffer) {
    fclose(file);
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory reading", path);
  }
  size_t got = fread(buffer, 1, SCRIPT_FILE_MAX + 1, file);
  int failed = ferror(file);
  fclose(file);
  if (failed || got > SCRIPT_FILE_MAX) {
    free(buffer);
    return error_set(err, failed ? ERR_IO : ERR_TOO_LARGE, "%s: %s", path,
                     failed ? "cannot read the file" : "larger than 1 MB; expected a script");
  }
  buffer[got] = '\0';
  *text = buffer;
  *length = got;
  return 0;
}

static int has_lib(const struct loader_files *files, const char *name)
{
  for (size_t i = 0; i < files->lib_count; i++)
    if (strcmp(files->libs[i].name, name) == 0)
      return 1;
  return 0;
}

/* Adds lib `name` (and what it requires) when its file exists. */
static int add_lib(const char *scripts_dir, struct loader_files *files, const char *name, struct growth_error *err);

/* Scans text for require "lib.x" and adds each lib found. */
static int scan_requires(const char *scripts_dir, struct loader_files *files, const char *text,
                         struct growth_error *err)
{
  for (const char *p = strstr(text, "require"); p; p = strstr(p + 7, "require")) {
    if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
      continue;
    const char *q = p + 7;
    while (*q == ' ' || *q == '\t' || *q == '(')
      q++;
    if (*q != '"' && *q != '\'')
      continue;
    char quote = *q++;
    size_t length = strcspn(q, "\"'\n");
    if (q[length] != quote || length < 5 || length >= sizeof files->libs[0].name || strncmp(q, "lib.", 4) != 0)
      continue;
    char name[sizeof files->libs[0].name];
    memcpy(name, q, length);
    name[length] = '\0';
    if (strstr(name, "..") || strchr(name, '/'))
      continue;
    if (!has_lib(files, name) && add_lib(scripts_dir, files, name, err) != 0)
      return -1;
  }
  return 0;
}

static int add_lib(const char *scripts_dir, struct loader_files *files, const char *name, struct growth_error *err)
{
  if (files->lib_count == LOADER_LIBS_MAX)
    return error_set(err, ERR_TOO_LARGE, "%s: more than %d lib modules", files->agent.display, LOADER_LIBS_MAX);
  struct loader_file *lib = &files->libs[files->lib_count];
  memset(lib, 0, sizeof *lib);
  snprintf(lib->name, sizeof lib->name, "%s", name);
  size_t i = 0;
  for (; name[i] && i + 5 < sizeof lib->display; i++)
    lib->display[i] = name[i] == '.' ? '/' : name[i];
  snprintf(lib->display + i, sizeof lib->display - i, ".lua");
  char path[AGENT_FILE_MAX + 512];
  snprintf(path, sizeof path, "%s/%s", scripts_dir, lib->display);
  struct growth_error ignored = { 0 };
  if (read_text(path, &lib->text, &lib->length, &ignored) != 0)
    return 0;   /* require reports it when the agent runs */
  files->lib_count++;
  return scan_requires(scripts_dir, files, lib->text, err);
}

static int compare_libs(const void *a, const void *b)
{
  return strcmp(((const struct loader_file *)a)->name, ((const struct loader_file *)b)->name);
}

static int hash_files(struct loader_files *files, struct growth_error *err)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_MD_CTX *context = EVP_MD_CTX_new();
  int ok = context && EVP_DigestInit_ex(context, EVP_sha256(), NULL) &&
           EVP_DigestUpdate(context, files->agent.text, files->agent.length);
  for (size_t i = 0; ok && i < files->lib_count; i++)
    ok = EVP_DigestUpdate(context, files->libs[i].name, strlen(files->libs[i].name) + 1) &&
         EVP_DigestUpdate(context, files->libs[i].text, files->libs[i].length);
  ok = ok && EVP_DigestFinal_ex(context, digest, &digest_length);
  EVP_MD_CTX_free(context);
  if (!ok)
    return error_set(err, ERR_INTERNAL, "%s: SHA-256 failed", files->agent.display);
  for (unsigned int i = 0; i < digest_length && 2 * i + 2 < AGENT_VERSION_MAX; i++)
    snprintf(files->version + 2 * i, 3, "%02x", digest[i]);
  return 0;
}

/* "agents/x.lua" when path is <scripts_dir>/agents/x.lua, else path itself. */
static void display_name(const char *scripts_dir, const char *path, char *out, size_t size)
{
  size_t dir_length = strlen(scripts_dir);
  if (strncmp(path, scripts_dir, dir_length) == 0 && path[dir_length] == '/') {
    const char *rest = path + dir_length;
    while (*rest == '/')
      rest++;
    snprintf(out, size, "%s", rest);
  } else {
    snprintf(out, size, "%s", path);
  }
}

int loader_files_read(const char *scripts_dir, const char *path, struct loader_files *files,
                      struct growth_error *err)
{
  memset(files, 0, sizeof *files);
  display_name(scripts_dir, path, files->agent.display, sizeof files->agent.display);
  if (read_text(path, &files->agent.text, &files->agent.length, err) != 0)
    return -1;
  if (scan_requires(scripts_dir, files, files->agent.text, err) != 0)
    goto fail;
  qsort(files->libs, files->lib_count, sizeof files->libs[0], compare_libs);
  if (hash_files(files, err) != 0)
    goto fail;
  return 0;

fail:
  loader_files_free(files);
  return -1;
}

void loader_files_free(struct loader_files *files)
{
  free(files->agent.text);
  files->agent.text = NULL;
  for (size_t i = 0; i < files->lib_count; i++) {
    free(files->libs[i].text);
    files->libs[i].text = NULL;
  }
  files->lib_count = 0;
}

int loader_field_line(const char *text, const char *key, int from)
{
  size_t key_length = strlen(key);
  int line = 1;
  for (const char *p = text; *p; p++) {
    if (*p == '\n') {
      line++;
      continue;
    }
    if (line < from || strncmp(p, key, key_length) != 0 ||
        (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
      continue;
    const char *q = p + key_length;
    while (*q == ' ' || *q == '\t')
      q++;
    if (*q == '=' && q[1] != '=')
      return line;
  }
  return 0;
}
