/*
 * agent.c — the life of a compiled agent version (see agent.h).
 */
#include "agents/agent.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

struct agent_script *agent_script_new(void)
{
  struct agent_script *script = calloc(1, sizeof *script);
  if (!script)
    return NULL;
  atomic_init(&script->refs, 1);
  script->timeout_s = AGENT_TIMEOUT_DEFAULT_S;
  return script;
}

struct agent_script *agent_script_retain(struct agent_script *script)
{
  if (script)
    atomic_fetch_add(&script->refs, 1);
  return script;
}

void agent_script_release(struct agent_script *script)
{
  if (!script || atomic_fetch_sub(&script->refs, 1) != 1)
    return;
  for (size_t i = 0; i < script->lib_count; i++) {
    free((char *)script->libs[i].name);
    free((char *)script->libs[i].chunkname);
    free((char *)script->libs[i].bytes);
  }
  free(script->libs);
  free(script->bytecode);
  json_decref(script->input);
  free(script);
}

void agent_component(const char *name, char *out, size_t size)
{
  size_t length = 0;
  int upper = 1;
  for (const char *p = name; *p && length + 1 < size; p++) {
    if (*p == '_' || *p == '-') {
      upper = 1;
      continue;
    }
    out[length++] = upper ? (char)toupper((unsigned char)*p) : *p;
    upper = 0;
  }
  snprintf(out + length, size - length, "Agent");
}
