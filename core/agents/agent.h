/*
 * agent.h — one checked, compiled version of an agent script.
 *
 * The loader (loader.h) builds it from scripts/agents/<name>.lua: the fields
 * the host reads (name, tier, needs, input schema, timeout, which phases
 * exist), the chunk's bytecode, and the bytecode of every lib file the agent
 * requires, so a job runs exactly the version it started with even if the
 * files change under it. The version is the SHA-256 of the agent file and of
 * those lib files. A script is immutable once built and reference-counted: the
 * registry holds one reference to the current version, each running job holds
 * one to the version it runs.
 */
#ifndef GROWTH_AGENTS_AGENT_H
#define GROWTH_AGENTS_AGENT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "agents/registry.h"
#include "lua/sandbox.h"

#define AGENT_TIMEOUT_DEFAULT_S 300.0
#define AGENT_TIMEOUT_MAX_S 3600.0

struct agent_script {
  atomic_int refs;
  char name[AGENT_NAME_MAX];
  char title[AGENT_TITLE_MAX];
  char tier[AGENT_TIER_MAX];
  char description[AGENT_DESCRIPTION_MAX];
  char needs[AGENT_NEEDS_MAX][AGENT_NEED_NAME_MAX];
  size_t need_count;
  double timeout_s;
  json_t *input;                /* the input schema, an object (maybe empty) */
  int has_setup, has_validate;
  char file[AGENT_FILE_MAX];    /* "agents/journal.lua", as errors show it */
  char chunkname[AGENT_FILE_MAX + 1];
  char version[AGENT_VERSION_MAX];
  char *bytecode;
  size_t bytecode_length;
  struct sandbox_chunk *libs;   /* names, chunknames and bytes owned by the script */
  size_t lib_count;
};

/* An empty script with one reference; NULL when out of memory. */
struct agent_script *agent_script_new(void);

struct agent_script *agent_script_retain(struct agent_script *script);

/* Drops a reference; the last one frees the script. NULL is allowed. */
void agent_script_release(struct agent_script *script);

/* "JournalAgent" for "journal", "DailyPlanAgent" for "daily_plan": the log component of an agent. */
void agent_component(const char *name, char *out, size_t size);

#endif
