/*
 * launcher.c — listing agent scripts and enqueueing them (see launcher.h).
 */
#include "agents/launcher.h"


#include <dirent.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agents/profile.h"
#include "base/clock.h"

static int compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int valid_agent_name(const char *name, size_t length)
{
  if (length == 0 || length > 64)
    return 0;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

int launcher_list_agents(const char *scripts_dir, char ***names_out, size_t *count_out, struct growth_error *err)
{
  *names_out = NULL;
  *count_out = 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/agents", scripts_dir);
  DIR *dir = opendir(path);
  if (!dir)
    return error_set(err, ERR_NOT_FOUND, "cannot read the agents folder %s; expected a folder of <agent>.lua files",
                     path);
  char **names = NULL;
  size_t count = 0, capacity = 0;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    size_t length = strlen(entry->d_name);
    if (length < 5 || strcmp(entry->d_name + length - 4, ".lua") != 0 || !valid_agent_name(entry->d_name, length - 4))
      continue;
    if (count == capacity) {
      capacity = capacity ? capacity * 2 : 8;
      char **grown = realloc(names, capacity * sizeof *grown);
      if (!grown)
        goto fail;
      names = grown;
    }
    if (!(names[count] = strndup(entry->d_name, length - 4)))
      goto fail;
    count++;
  }
  closedir(dir);
  if (count)
    qsort(names, count, sizeof *names, compare_names);
  *names_out = names;
  *count_out = count;
  return 0;
fail:
  closedir(dir);
  queue_free_strings(names, count);
  return error_set(err, ERR_NO_MEMORY, "listing agents: out of memory");
}

json_t *launcher_read_profile(const char *path, struct growth_error *err)
{
  if (!path)
    return json_object();
  json_error_t parse_error;
  json_t *profile = json_load_file(path, 0, &parse_error);
  if (!profile) {
    error_set(err, ERR_BAD_CONFIG, "GROWTH_PROFILE: %s: %s (line %d); expected a JSON object", path, parse_error.text,
              parse_error.line);
    return NULL;
  }
  if (!json_is_object(profile)) {
    json_decref(profile);
    error_set(err, ERR_BAD_CONFIG, "GROWTH_PROFILE: %s holds JSON that is not an object; expected a JSON object", path);
    return NULL;
  }
  return profile;
}

static int check_script(const char *scripts_dir, const char *name, struct growth_error *err)
{
  char path[4096];
  struct stat info;
  if (!valid_agent_name(name, strlen(name)))
    return error_set(err, ERR_BAD_ARGUMENT, "agent name '%.64s' is not valid; expected letters, digits, '-' or '_'",
                     name);
  snprintf(path, sizeof path, "%s/agents/%s.lua", scripts_dir, name);
  if (stat(path, &info) != 0 || !S_ISREG(info.st_mode))
    return error_set(err, ERR_NOT_FOUND, "no agent '%s': %s does not exist", name, path);
  return 0;
}

static void make_job_id(const char *name, char *out, size_t size)
{
  unsigned char random[3] = { 0 };
  RAND_bytes(random, sizeof random);
  snprintf(out, size, "%s-%lld-%02x%02x%02x", name, (long long)clock_wall_ms(), random[0], random[1], random[2]);
}

/* {"user": ..., "input": ...} for one agent's job, as JSON text (malloc'd), or NULL when out of memory. */
static char *job_data(json_t *profile, const char *agent)
{
  json_t *user = profile ? profile_user(profile) : NULL;
  json_t *input = profile ? profile_input(profile, agent) : NULL;
  json_t *data = json_pack("{s:o, s:o}", "user", json_is_object(user) ? json_incref(user) : json_object(),
                           "input", json_is_object(input) ? json_incref(input) : json_object());
  char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
  json_decref(data);
  return text;
}

int launcher_launch(struct queue *queue, const char *scripts_dir, const char *const *names, size_t count,
                    json_t *profile, char ***ids_out, size_t *ids_count, struct growth_error *err)
{
  *ids_out = NULL;
  *ids_count = 0;
  char **listed = NULL;
  size_t listed_count = 0;
  if (count == 0) {
    if (launcher_list_agents(scripts_dir, &listed, &listed_count, err) != 0)
      return -1;
    names = (const char *const *)listed;
    count = listed_count;
  }
  int status = -1;
  char (*job_ids)[128] = calloc(count ? count : 1, sizeof *job_ids);
  char **texts = calloc(count ? count : 1, sizeof *texts);
  struct queue_new_job *jobs = calloc(count ? count : 1, sizeof *jobs);
  if (!job_ids || !texts || !jobs) {
    error_set(err, ERR_NO_MEMORY, "launch: out of memory");
    goto done;
  }
  struct queue_job_options options;
  queue_default_options(queue, &options);
  for (size_t i = 0; i < count; i++) {
    if (check_script(scripts_dir, names[i], err) != 0)
      goto done;
    if (!(texts[i] = job_data(profile, names[i]))) {
      error_set(err, ERR_NO_MEMORY, "launch: out of memory building the job data of %s", names[i]);
      goto done;
    }
    make_job_id(names[i], job_ids[i], sizeof job_ids[i]);
    jobs[i] = (struct queue_new_job){ .name = names[i], .data = texts[i], .job_id = job_ids[i], .options = &options };
  }
  if (count && queue_add_bulk(queue, jobs, count, ids_out, err) != 0)
    goto done;
  *ids_count = count;
  status = 0;
done:
  for (size_t i = 0; texts && i < count; i++)
    free(texts[i]);
  free(texts);
  free(jobs);
  free(job_ids);
  queue_free_strings(listed, listed_count);
  return status;
}
