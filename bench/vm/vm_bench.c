/*
 * vm_bench.c — what one job's Lua VM costs, next to the floor Lua itself sets.
 *
 * Three ways of running a trivial agent, each ITERATIONS times after a warm-up, timed one by one:
 *   floor    luaL_newstate-equivalent (counting allocator) + luaL_openlibs + lua_close
 *   sandbox  sandbox_new (capped allocator, hook, safe libs) + load the precompiled agent
 *            + call its chunk + run(ctx) + sandbox_free: the VM part of a job
 *   runner   runner_run: the whole job (input validation, ctx, setup/run/validate, result to JSON)
 * It prints the median and p90 time and the peak VM memory of each, and whether the sandbox meets
 * the target of <= 50 us and <= 200 KB per job. Figures, not assertions: nothing here fails a build.
 */
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agents/loader.h"
#include "agents/runner.h"
#include "lua/sandbox.h"

#define TARGET_US 50.0
#define TARGET_KB 200.0

static const char *agent_text =
    "return { name = 'bench', tier = 'rooted',\n"
    "  run = function(ctx) return { ok = true, n = 1 + 1 } end }\n";

struct counting {
  size_t used, peak;
};

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  struct counting *count = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    count->used -= old;
    return NULL;
  }
  void *block = realloc(ptr, nsize);
  if (block) {
    count->used = count->used - old + nsize;
    if (count->used > count->peak)
      count->peak = count->used;
  }
  return block;
}

static double now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct figures {
  double median_us, p90_us;
  size_t peak_bytes;
};

static void summarise(double *samples, size_t count, size_t peak, struct figures *out)
{
  qsort(samples, count, sizeof *samples, compare_doubles);
  out->median_us = samples[count / 2];
  out->p90_us = samples[count * 9 / 10];
  out->peak_bytes = peak;
}

static size_t floor_job(void)
{
  struct counting count = { 0 };
  lua_State *L = lua_newstate(counting_alloc, &count);
  luaL_openlibs(L);
  lua_close(L);
  return count.peak;
}

static size_t sandbox_job(const struct agent_script *script)
{
  struct growth_error err = { 0 };
  struct sandbox_options options = { .instruction_limit = 1000000 };
  struct sandbox *sandbox = sandbox_new(&options, &err);
  if (!sandbox || sandbox_load(sandbox, script->bytecode, script->bytecode_length, script->chunkname, 1, &err) != 0 ||
      sandbox_call(sandbox, 0, 1, &err) != 0) {
    fprintf(stderr, "bench: %s\n", err.message);
    exit(1);
  }
  lua_State *L = sandbox_state(sandbox);
  lua_getfield(L, -1, "run");
  lua_newtable(L);
  if (sandbox_call(sandbox, 1, 1, &err) != 0) {
    fprintf(stderr, "bench: %s\n", err.message);
    exit(1);
  }
  size_t peak = sandbox_memory_peak(sandbox);
  sandbox_free(sandbox);
  return peak;
}

static size_t runner_job(const struct agent_script *script)
{
  struct growth_error err = { 0 };
  struct runner_job job = { .id = "bench", .attempt = 1 };
  struct runner_options options = { .instruction_limit = 1000000 };
  struct runner_outcome outcome;
  if (runner_run(script, &job, NULL, &options, &outcome, &err) != 0) {
    fprintf(stderr, "bench: %s\n", err.message);
    exit(1);
  }
  runner_outcome_clear(&outcome);
  return outcome.memory_peak;
}

enum kind { FLOOR, SANDBOX, RUNNER };

static void measure(enum kind kind, const struct agent_script *script, size_t iterations, struct figures *out)
{
  double *samples = malloc(iterations * sizeof *samples);
  if (!samples)
    exit(1);
  size_t peak = 0;
  for (size_t i = 0; i < iterations / 10 + 10; i++)   /* warm-up */
    kind == FLOOR ? floor_job() : kind == SANDBOX ? sandbox_job(script) : runner_job(script);
  for (size_t i = 0; i < iterations; i++) {
    double start = now_us();
    size_t job_peak = kind == FLOOR ? floor_job() : kind == SANDBOX ? sandbox_job(script) : runner_job(script);
    samples[i] = now_us() - start;
    if (job_peak > peak)
      peak = job_peak;
  }
  summarise(samples, iterations, peak, out);
  free(samples);
}

static void print_row(const char *label, const struct figures *f)
{
  printf("  %-52s %9.1f %9.1f %10.1f\n", label, f->median_us, f->p90_us, (double)f->peak_bytes / 1024.0);
}

int main(int argc, char **argv)
{
  size_t iterations = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
  if (iterations < 10)
    iterations = 10;
  char dir[] = "/tmp/growth-bench-XXXXXX", path[128], agents[96];
  if (!mkdtemp(dir))
    return 1;
  snprintf(agents, sizeof agents, "%s/agents", dir);
  mkdir(agents, 0700);
  snprintf(path, sizeof path, "%s/bench.lua", agents);
  FILE *file = fopen(path, "w");
  if (!file)
    return 1;
  fputs(agent_text, file);
  fclose(file);
  struct loader_options loader_options = { .scripts_dir = dir };
  struct agent_script *script = NULL;
  struct growth_error err = { 0 };
  if (loader_load(&loader_options, path, &script, NULL, NULL, &err) != 0) {
    fprintf(stderr, "bench: %s\n", err.message);
    return 1;
  }
  unlink(path);
  rmdir(agents);
  rmdir(dir);

  struct figures floor_figures, sandbox_figures, runner_figures;
  measure(FLOOR, script, iterations, &floor_figures);
  measure(SANDBOX, script, iterations, &sandbox_figures);
  measure(RUNNER, script, iterations, &runner_figures);

  printf("Lua VM per job, %s, %zu jobs each, same run\n", LUA_RELEASE, iterations);
  printf("  %-52s %9s %9s %10s\n", "", "median us", "p90 us", "peak KB");
  print_row("floor: luaL_newstate + luaL_openlibs + lua_close", &floor_figures);
  print_row("sandbox: new + load agent + run(ctx) + close", &sandbox_figures);
  print_row("runner_run: the whole job (ctx, phases, result JSON)", &runner_figures);
  int met = sandbox_figures.median_us <= TARGET_US && (double)sandbox_figures.peak_bytes / 1024.0 <= TARGET_KB;
  printf("target <= %.0f us and <= %.0f KB per job (sandbox): %s\n", TARGET_US, TARGET_KB, met ? "met" : "NOT met");
  agent_script_release(script);
  return 0;
}
