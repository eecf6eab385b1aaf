/*
 * unit_support.c — see unit_support.h. The folder is removed with nftw, depth first, without following
 * links, so a test that leaves a symlink behind cannot make teardown delete anything outside it.
 */
#define _XOPEN_SOURCE 700
#include "unit_support.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "agents/loader.h"
#include "redis/redis_pool.h"

int unit_temp_dir_setup(void **state)
{
  char *dir = strdup("/tmp/growth-unit-XXXXXX");
  assert_non_null(dir);
  assert_non_null(mkdtemp(dir));
  *state = dir;
  return 0;
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *walk)
{
  (void)info;
  (void)type;
  (void)walk;
  return remove(path);
}

int unit_dir_remove(const char *dir)
{
  return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int unit_temp_dir_teardown(void **state)
{
  assert_int_equal(unit_dir_remove(*state), 0);
  free(*state);
  return 0;
}

int unit_scripts_dir_make(char *dir, size_t size)
{
  char path[512];
  if (snprintf(dir, size, "/tmp/growth-scripts-XXXXXX") >= (int)size || !mkdtemp(dir))
    return -1;
  snprintf(path, sizeof path, "%s/agents", dir);
  return mkdir(path, 0700);
}

struct agent_script *unit_load_agent(const char *scripts_dir, const char *name, const char *text)
{
  char path[512];
  snprintf(path, sizeof path, "%s/agents/%s.lua", scripts_dir, name);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  fclose(file);
  struct loader_options options = { .scripts_dir = scripts_dir };
  struct agent_script *script = NULL;
  struct growth_error err = { 0 };
  if (loader_load(&options, path, &script, NULL, NULL, &err) != 0)
    fail_msg("%s", err.message);
  return script;
}

const char *unit_lookup_pairs(const char *name, void *context)
{
  const char **pairs = context;
  for (size_t i = 0; pairs[i]; i += 2)
    if (strcmp(pairs[i], name) == 0)
      return pairs[i + 1];
  return NULL;
}

struct redis_pool *unit_unreachable_pool(void)
{
  struct growth_error err = { 0 };
  struct redis_pool_options options = { .size = 1, .connect_timeout_ms = 200, .command_timeout_ms = 200 };
  strcpy(options.url.host, "127.0.0.1");
  options.url.port = 1;
  return redis_pool_new(&options, &err);
}
