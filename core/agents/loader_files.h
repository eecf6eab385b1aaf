/*
 * loader_files.h — the file side of loading an agent (loader_files.c): reading
 * the agent and the lib files it requires, and hashing them into a version.
 * Internal to core/agents (loader.c).
 */
#ifndef GROWTH_AGENTS_LOADER_FILES_H
#define GROWTH_AGENTS_LOADER_FILES_H

#include <stddef.h>

#include "agents/registry.h"
#include "base/error.h"

#define LOADER_LIBS_MAX 64

struct loader_file {
  char name[128];       /* "lib.text" (for a lib) */
  char display[AGENT_FILE_MAX];  /* "lib/text.lua", "agents/journal.lua" */
  char *text;
  size_t length;
};

struct loader_files {
  struct loader_file agent;
  struct loader_file libs[LOADER_LIBS_MAX];   /* sorted by name */
  size_t lib_count;
  char version[AGENT_VERSION_MAX];
};

/* Reads path and, transitively, every lib file named by a literal require "lib.x" in it, then
 * hashes them. A missing lib file is not an error here (the compile reports it). */
int loader_files_read(const char *scripts_dir, const char *path, struct loader_files *files,
                      struct growth_error *err);

void loader_files_free(struct loader_files *files);

/* The 1-based line where `key =` first appears in text at or after line from, or 0. */
int loader_field_line(const char *text, const char *key, int from);

#endif
