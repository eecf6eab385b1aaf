/*
 * check.c — `growthd check [FILE...]`: compiles and checks agent scripts the
 * way the registry would, without running a job.
 *
 * With no FILE it checks every scripts/agents/<name>.lua under GROWTH_SCRIPTS_DIR.
 * Each problem is printed on stdout as "file:line: message" (the shape editors
 * and CI annotate); fields outside the agent contract are printed as warnings
 * on stderr and do not fail the check. Exit 1 when any file has a problem.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/loader.h"
#include "cmd/command.h"

#define CHECK_FILES_MAX 256

static int check_file(const struct loader_options *options, const char *path)
{
  json_t *problems = json_array(), *warnings = json_array();
  struct agent_script *script = NULL;
  struct growth_error err = { 0 };
  int status = loader_load(options, path, &script, problems, warnings, &err);
  size_t index;
  json_t *line;
  json_array_foreach(problems, index, line)
    printf("%s\n", json_string_value(line));
  if (status != 0 && json_array_size(problems) == 0)
    printf("%s: %s\n", path, err.message);
  json_array_foreach(warnings, index, line)
    fprintf(stderr, "warning: %s\n", json_string_value(line));
  agent_script_release(script);
  json_decref(problems);
  json_decref(warnings);
  return status;
}

static int compare_paths(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths of scripts_dir/agents/<name>.lua, sorted; malloc'd strings in a malloc'd array. */
static char **list_agents(const char *scripts_dir, size_t *count)
{
  char dir_path[4096];
  snprintf(dir_path, sizeof dir_path, "%s/agents", scripts_dir);
  *count = 0;
  char **paths = calloc(CHECK_FILES_MAX, sizeof *paths);
  DIR *dir = opendir(dir_path);
  if (!paths || !dir) {
    if (dir)
      closedir(dir);
    if (!dir)
      fprintf(stderr, "growthd check: cannot read %s\n", dir_path);
    free(paths);
    return NULL;
  }
  struct dirent *entry;
  while ((entry = readdir(dir)) && *count < CHECK_FILES_MAX) {
    size_t length = strlen(entry->d_name);
    if (entry->d_name[0] == '.' || length < 5 || strcmp(entry->d_name + length - 4, ".lua") != 0)
      continue;
    size_t size = strlen(dir_path) + length + 2;
    char *path = malloc(size);
    if (!path)
      break;
    snprintf(path, size, "%s/%s", dir_path, entry->d_name);
    paths[(*count)++] = path;
  }
  closedir(dir);
  qsort(paths, *count, sizeof *paths, compare_paths);
  return paths;
}

int command_check(const struct config *config, int argc, char **argv)
{
  struct loader_options options = loader_options_from_config(config);
  size_t failed = 0, checked = 0;
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-') {
      fprintf(stderr, "growthd check: unknown option '%s'\nusage: growthd check [FILE...]\n", argv[i]);
      return EXIT_USAGE;
    }
  }
  if (argc > 0) {
    for (int i = 0; i < argc; i++, checked++)
      failed += check_file(&options, argv[i]) != 0;
  } else {
    size_t count = 0;
    char **paths = list_agents(config->scripts_dir, &count);
    if (!paths)
      return 1;
    for (size_t i = 0; i < count; i++, checked++) {
      failed += check_file(&options, paths[i]) != 0;
      free(paths[i]);
    }
    free(paths);
  }
  fprintf(stderr, "growthd check: %zu file%s checked, %zu with problems\n", checked, checked == 1 ? "" : "s",
          failed);
  return failed ? 1 : 0;
}
