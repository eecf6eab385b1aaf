/*
 * loader.h — reads one agent file, compiles and checks it in a scratch
 * sandbox, and builds its agent_script (agent.h).
 *
 * The file's chunk runs once, under a small time and instruction budget, to
 * get the agent table; every field is then checked (name equals the file name,
 * tier, needs, input schema, timeout, the phase functions). Every problem is
 * reported as "file:line: message", the line being where the field is written.
 */
#ifndef GROWTH_AGENTS_LOADER_H
#define GROWTH_AGENTS_LOADER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "agents/agent.h"
#include "base/config.h"
#include "base/error.h"

struct loader_options {
  const char *scripts_dir;   /* lib files are <scripts_dir>/lib/...; agents/x.lua is shown relative to it */
  size_t memory_bytes;       /* cap of the scratch sandbox; 0 = sandbox default */
};

/* The options of the settings: GROWTH_SCRIPTS_DIR, GROWTH_LUA_MEMORY_MB. */
struct loader_options loader_options_from_config(const struct config *config);

/* The integrations an agent may name in `needs`, NULL-terminated. */
extern const char *const loader_integrations[];

/* Loads path (an agent file). On success returns 0 and *out holds a new script (one reference).
 * On failure returns -1: problems (a JSON array, may be NULL) gets one "file:line: message" per
 * problem and err the first of them. Fields the host does not know are appended to warnings (may
 * be NULL) and do not refuse the agent. */
int loader_load(const struct loader_options *options, const char *path, struct agent_script **out,
                json_t *problems, json_t *warnings, struct growth_error *err);

/* The version path would get (SHA-256 of the file and the lib files it requires), without
 * compiling: cheap enough to skip unchanged files on reload. */
int loader_version(const struct loader_options *options, const char *path, char version[AGENT_VERSION_MAX],
                   struct growth_error *err);

#endif
