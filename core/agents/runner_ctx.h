/*
 * runner_ctx.h — the `ctx` table of a job (runner_ctx.c), shared by runner.c.
 * Internal to core/agents.
 */
#ifndef GROWTH_AGENTS_RUNNER_CTX_H
#define GROWTH_AGENTS_RUNNER_CTX_H

#include <jansson.h>
#include <lua.h>

#include "agents/runner.h"

struct runner_state {
  const struct agent_script *script;
  const struct runner_job *job;
  const struct agent_host *host;
  char component[AGENT_NAME_MAX + 8];   /* "JournalAgent" */
  json_t *input;                        /* validated, defaults filled in */
  json_t *result;                       /* the converted result */
};

/* lua_CFunction: (state as light userdata, the agent table) -> the ctx table. */
int runner_ctx_build(lua_State *L);

/* Writes one line through the host's log (or the process log when the host has none). */
void runner_log(const struct runner_state *state, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
