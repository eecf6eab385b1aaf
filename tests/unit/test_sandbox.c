/*
 * test_sandbox.c — the job VM: limits that cannot be caught, the safe globals,
 * require's reach, and errors with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "lua/sandbox.h"

/* Runs code as chunk "@agents/test.lua" in a fresh sandbox; returns 0 or -1 with err.
 * When result is given, copies the first result's tostring into it. */
static int run_with(const struct sandbox_options *options, const char *code, char *result, size_t size,
                    struct growth_error *err)
{
  struct sandbox *sandbox = sandbox_new(options, err);
  assert_non_null(sandbox);
  int status = sandbox_load(sandbox, code, strlen(code), "@agents/test.lua", 0, err);
  if (status == 0)
    status = sandbox_call(sandbox, 0, 1, err);
  if (status == 0 && result) {
    lua_State *L = sandbox_state(sandbox);
    snprintf(result, size, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1));
  }
  sandbox_free(sandbox);
  assert_int_equal(sandbox_memory_live_total(), 0);
  return status;
}

static int run(const char *code, char *result, size_t size, struct growth_error *err)
{
  struct sandbox_options options = {
    .memory_bytes = 8u * 1024 * 1024,
    .instruction_limit = 5u * 1000 * 1000,
    .deadline_ms = clock_monotonic_ms() + 60000,   /* the budget, not the clock, ends these loops */
  };
  return run_with(&options, code, result, size, err);
}

static void expect_result(const char *code, const char *expected)
{
  struct growth_error err = { 0 };
  char result[256] = "";
  if (run(code, result, sizeof result, &err) != 0)
    fail_msg("%s\nfailed: %s", code, err.message);
  assert_string_equal(result, expected);
}

static void expect_error(const char *code, enum error_code code_expected, const char *fragment)
{
  struct growth_error err = { 0 };
  if (run(code, NULL, 0, &err) == 0)
    fail_msg("%s\nsucceeded; expected %s", code, error_code_name(code_expected));
  if (err.code != code_expected || !strstr(err.message, fragment))
    fail_msg("%s\ngot %s: %s\nexpected %s containing '%s'", code, error_code_name(err.code), err.message,
             error_code_name(code_expected), fragment);
}

static void test_runs_code_and_returns(void **state)
{
  (void)state;
  expect_result("return 1 + 2", "3");
  expect_result("return ('abc'):upper() .. string.rep('x', 3, ',')", "ABCx,x,x");
  expect_result("local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b end)\n"
                "return tostring(co(1)) .. tostring(co(5))", "25");
  expect_result("local ok, e = pcall(error, 'boom', 0) return tostring(ok) .. e", "falseboom");
  expect_result("return select(2, xpcall(function() error('x', 0) end, function(m) return 'handled ' .. m end))",
                "handled x");
  expect_result("local co = coroutine.create(function() pcall(coroutine.yield, 1) return 2 end)\n"
                "local _, a = coroutine.resume(co) local _, b = coroutine.resume(co) return a + b", "3");
  expect_result("return load('return 40 + 2')()", "42");
  expect_result("return (string.find('hello world', 'o w'))", "5");
  expect_result("return (string.gsub('a-b-c', '-', '+'))", "a+b+c");
  expect_result("return type(os.time()) .. type(os.date('%Y')) .. type(os.clock())", "numberstringnumber");
}

static void test_only_safe_globals(void **state)
{
  (void)state;
  expect_result("return tostring(io) .. tostring(debug) .. tostring(package) .. tostring(dofile) .. "
                "tostring(loadfile) .. tostring(string.dump) .. tostring(os.execute) .. tostring(os.getenv) .. "
                "tostring(os.remove) .. tostring(os.exit)",
                "nilnilnilnilnilnilnilnilnilnil");
  expect_error("return os.getenv('HOME')", ERR_SCRIPT, "agents/test.lua:1:");
  expect_error("return collectgarbage('stop')", ERR_SCRIPT, "invalid option 'stop'");
}

static void test_infinite_loop_times_out(void **state)
{
  (void)state;
  expect_error("local x = 0\nwhile true do x = x + 1 end", ERR_TIMEOUT, "agents/test.lua:2:");
}

static void test_pcall_cannot_swallow_timeout(void **state)
{
  (void)state;
  expect_error("while true do pcall(function() while true do end end) end", ERR_TIMEOUT, "Lua instructions");
  expect_error("while true do xpcall(function() while true do end end, function() return 'no' end) end",
               ERR_TIMEOUT, "instructions");
  expect_error("while true do local co = coroutine.create(function() while true do end end)\n"
               "coroutine.resume(co) end", ERR_TIMEOUT, "instructions");
  expect_error("while true do pcall(string.rep, 'x', 1e12) end", ERR_MEMORY_LIMIT, "memory limit");
}

static void test_deadline_times_out(void **state)
{
  (void)state;
  struct sandbox_options options = { .deadline_ms = clock_monotonic_ms() + 100 };
  struct growth_error err = { 0 };
  assert_int_equal(run_with(&options, "while true do end", NULL, 0, &err), -1);
  assert_int_equal(err.code, ERR_TIMEOUT);
  assert_non_null(strstr(err.message, "time limit"));
}

static void test_pattern_bomb_times_out(void **state)
{
  (void)state;
  expect_error("return string.find(string.rep('a', 20000), '.-.-.-.-b')", ERR_TIMEOUT, "instructions");
  expect_error("return string.gsub(string.rep('a', 20000), '.-.-.-b', '')", ERR_TIMEOUT, "instructions");
}

static void test_memory_cap(void **state)
{
  (void)state;
  expect_error("local t = {} for i = 1, 1e9 do t[i] = {} end", ERR_MEMORY_LIMIT, "memory limit of 8192 KB");
  expect_error("local t = {} while true do pcall(function() for i = 1, 1e9 do t[#t + 1] = 'x' .. i end end) end",
               ERR_MEMORY_LIMIT, "memory limit");
  expect_error("return string.rep('x', 1e9)", ERR_MEMORY_LIMIT, "memory limit");
  expect_result("return #string.rep('', 1e15) .. #string.rep('', 1e15, '')", "00");
}

static void test_bytecode_and_finalisers_refused(void **state)
{
  (void)state;
  expect_result("local f, e = load('\\27LuaT\\0') return e", "attempt to load a binary chunk (mode is 't')");
  expect_error("setmetatable({}, { __gc = function() while true do end end })", ERR_SCRIPT, "__gc");
  expect_error("return table.move({}, 1, math.maxinteger - 1, 2)", ERR_SCRIPT, "longer than");
}

static void test_errors_carry_position(void **state)
{
  (void)state;
  expect_error("local x = 1\nerror('boom')", ERR_SCRIPT, "agents/test.lua:2: boom");
  expect_error("local x = 1\n\nerror('plain', 0)", ERR_SCRIPT, "agents/test.lua:3: plain");
  expect_error("error({ code = 'rate_limited', message = 'slow down', retryable = true })", ERR_RATE_LIMITED,
               "agents/test.lua:1: slow down");
  expect_error("error(setmetatable({}, { __tostring = function() error('nested') end }))", ERR_SCRIPT,
               "error object is a table value");
  expect_error("local x = = 1", ERR_BAD_ARGUMENT, "agents/test.lua:1:");
}

static void test_traceback(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sandbox_options options = { 0 };
  struct sandbox *sandbox = sandbox_new(&options, &err);
  assert_non_null(sandbox);
  const char *code = "local function inner() error('deep') end\nlocal function outer() inner() end\nouter()";
  assert_int_equal(sandbox_load(sandbox, code, strlen(code), "@agents/trace.lua", 0, &err), 0);
  assert_int_equal(sandbox_call(sandbox, 0, 0, &err), -1);
  assert_non_null(strstr(sandbox_traceback(sandbox), "agents/trace.lua:1: in"));
  assert_non_null(strstr(sandbox_traceback(sandbox), "agents/trace.lua:2: in"));
  assert_int_equal(lua_gettop(sandbox_state(sandbox)), 0);
  sandbox_free(sandbox);
}

static void test_require_reach(void **state)
{
  (void)state;
  char dir[] = "/tmp/growth-sandbox-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[512];
  snprintf(path, sizeof path, "%s/lib", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/lib/text.lua", dir);
  FILE *file = fopen(path, "w");
  fputs("local M = {} function M.shout(s) return s:upper() .. '!' end return M\n", file);
  fclose(file);
  snprintf(path, sizeof path, "%s/secret.lua", dir);
  file = fopen(path, "w");
  fputs("return 'secret'\n", file);
  fclose(file);

  struct sandbox_options options = { .scripts_dir = dir, .instruction_limit = 1000000 };
  struct growth_error err = { 0 };
  char result[128];
  assert_int_equal(run_with(&options, "return require('lib.text').shout('hi')", result, sizeof result, &err), 0);
  assert_string_equal(result, "HI!");
  assert_int_equal(run_with(&options, "return require('growth.json').encode({ 1, 2 })", result, sizeof result, &err),
                   0);
  assert_string_equal(result, "[1,2]");
  assert_int_equal(run_with(&options, "return require('growth.time').date(0)", result, sizeof result, &err), 0);
  assert_string_equal(result, "1970-01-01");
  assert_int_equal(run_with(&options, "return require('growth.time').parse('2026-11-27T10:00:00+01:00')", result,
                            sizeof result, &err), 0);
  assert_string_equal(result, "1795770000");

  const char *refused[][2] = {
    { "require('../../etc/passwd')", "not a module name" },
    { "require('/etc/passwd')", "not a module name" },
    { "require('secret')", "require reaches only" },
    { "require('socket.core')", "require reaches only" },
    { "require('lib.missing')", "not found" },
    { "require('growth.nothing')", "no such growth module" },
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    assert_int_equal(run_with(&options, refused[i][0], NULL, 0, &err), -1);
    if (!strstr(err.message, refused[i][1]))
      fail_msg("%s: %s", refused[i][0], err.message);
  }
  struct sandbox_chunk chunk = { "lib.text", "@lib/text.lua", "return { shout = function() return 'v1' end }", 0 };
  chunk.length = strlen(chunk.bytes);
  options.chunks = &chunk;
  options.chunk_count = 1;
  assert_int_equal(run_with(&options, "return require('lib.text').shout()", result, sizeof result, &err), 0);
  assert_string_equal(result, "v1");

  snprintf(path, sizeof path, "rm -rf '%s'", dir);
  assert_int_equal(system(path), 0);
}

static void test_each_sandbox_is_fresh(void **state)
{
  (void)state;
  expect_result("string.upper = nil; _G.print = nil; getmetatable('').__index = {} return 'poisoned'", "poisoned");
  expect_result("return ('x'):upper() .. tostring(type(print))", "Xfunction");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_runs_code_and_returns),
    cmocka_unit_test(test_only_safe_globals),
    cmocka_unit_test(test_infinite_loop_times_out),
    cmocka_unit_test(test_pcall_cannot_swallow_timeout),
    cmocka_unit_test(test_deadline_times_out),
    cmocka_unit_test(test_pattern_bomb_times_out),
    cmocka_unit_test(test_memory_cap),
    cmocka_unit_test(test_bytecode_and_finalisers_refused),
    cmocka_unit_test(test_errors_carry_position),
    cmocka_unit_test(test_traceback),
    cmocka_unit_test(test_require_reach),
    cmocka_unit_test(test_each_sandbox_is_fresh),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
