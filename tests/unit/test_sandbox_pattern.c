/*
 * test_sandbox_pattern.c — the sandbox's string.find, match, gmatch and gsub
 * (core/lua/sandbox_pattern*.c) against the stock ones of the linked Lua 5.4.
 *
 * Differential: a plain lua_State with luaL_openlibs (the reference) and a
 * sandbox (our functions) run the same calls through the same Lua driver, which
 * turns every result or error message into text; the texts must be equal.
 * The calls are
 *   - the hand-written cases of sandbox_pattern_cases.txt, one Lua expression a line;
 *   - every class, in and out of a set, against all 256 bytes;
 *   - RANDOM_CASES calls of each function with random patterns and subjects from a
 *     seeded generator over a small alphabet rich in magic characters, short ones
 *     and then longer ones (more backtracking).
 * Then the guard: patterns that backtrack for hours end in the job's timeout
 * (through the instruction budget and through the deadline), pcall cannot
 * swallow it, deep patterns stop at "pattern too complex" without exhausting the
 * C stack, and the next sandbox runs clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "lua/sandbox.h"

#define CASES_FILE "sandbox_pattern_cases.txt"
#define RANDOM_CASES 12500   /* per function and size */
#define RANDOM_SEED 0x5eed2026u
#define DIVERGENCES_SHOWN 20

static const char DRIVER[] =
  "local function ser(...)\n"
  "  local out = {}\n"
  "  for i = 1, select('#', ...) do\n"
  "    local v = select(i, ...)\n"
  "    local t = math.type(v) or type(v)\n"
  "    if t == 'string' then out[i] = string.format('%q', v)\n"
  "    elseif t == 'float' then out[i] = 'float:' .. string.format('%.17g', v)\n"
  "    elseif t == 'integer' or t == 'boolean' or t == 'nil' then out[i] = t .. ':' .. tostring(v)\n"
  "    else out[i] = t end\n"
  "  end\n"
  "  return table.concat(out, ', ')\n"
  "end\n"
  "local bytes = {}\n"
  "for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end\n"
  "ALL = table.concat(bytes)\n"
  "function gm(s, p, init)\n"
  "  local it = string.gmatch(s, p, init)\n"
  "  local out = {}\n"
  "  for _ = 1, 100 do\n"
  "    local r = table.pack(it())\n"
  "    if r.n == 0 then break end\n"
  "    out[#out + 1] = ser(table.unpack(r, 1, r.n))\n"
  "  end\n"
  "  return table.concat(out, ' | ')\n"
  "end\n"
  "function run_case(code)\n"
  "  local f, e = load('return ' .. code, '=case')\n"
  "  if not f then return 'does not compile: ' .. e end\n"
  "  return ser(pcall(f))\n"
  "end\n"
  "local lookup = { a = '<A>', b = false, ab = 7, [1] = 'one', [2] = 2.5, ['('] = {}, [''] = 'E' }\n"
  "local function replacer(...)\n"
  "  local n = select('#', ...)\n"
  "  if n == 2 then return nil end\n"
  "  if n == 3 then return false end\n"
  "  local parts = {}\n"
  "  for i = 1, n do parts[i] = tostring((select(i, ...))) end\n"
  "  return '<' .. table.concat(parts, ',') .. '>'\n"
  "end\n"
  "function run_random(name, s, p, init, kind, repl, limit, plain)\n"
  "  if name == 'gmatch' then return ser(pcall(gm, s, p, init)) end\n"
  "  if name == 'gsub' then\n"
  "    local r = repl\n"
  "    if kind == 1 then r = lookup elseif kind == 2 then r = replacer elseif kind == 3 then r = 42 end\n"
  "    return ser(pcall(string.gsub, s, p, r, limit))\n"
  "  end\n"
  "  if name == 'find' then return ser(pcall(string.find, s, p, init, plain)) end\n"
  "  return ser(pcall(string.match, s, p, init))\n"
  "end\n";

struct pair {
  lua_State *reference;
  struct sandbox *sandbox;
  size_t compared, diverged;
  size_t errors, failures;   /* reference outcomes: an error raised, nil (or nothing) answered */
};

static void load_driver(lua_State *L)
{
  if (luaL_loadbuffer(L, DRIVER, sizeof DRIVER - 1, "=driver") != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK)
    fail_msg("driver: %s", lua_tostring(L, -1));
}

static void pair_open(struct pair *pair)
{
  struct sandbox_options options = { 0 };
  struct growth_error err = { 0 };
  memset(pair, 0, sizeof *pair);
  pair->reference = luaL_newstate();
  assert_non_null(pair->reference);
  luaL_openlibs(pair->reference);
  load_driver(pair->reference);
  pair->sandbox = sandbox_new(&options, &err);
  assert_non_null(pair->sandbox);
  load_driver(sandbox_state(pair->sandbox));
}

static void pair_close(struct pair *pair)
{
  lua_close(pair->reference);
  sandbox_free(pair->sandbox);
  assert_int_equal(sandbox_memory_live_total(), 0);
}

/* The arguments of one call, pushed the same way into both states. */
struct call {
  const char *function;    /* "run_case" or "run_random" */
  const char *name;        /* find, match, gmatch, gsub; or the case's code */
  const char *subject, *pattern, *replacement;
  size_t subject_length, pattern_length, replacement_length;
  int has_init, has_limit, kind, plain;
  lua_Integer init, limit;
};

static int push_call(lua_State *L, const struct call *call)
{
  lua_getglobal(L, call->function);
  lua_pushstring(L, call->name);
  if (strcmp(call->function, "run_case") == 0)
    return 1;
  lua_pushlstring(L, call->subject, call->subject_length);
  lua_pushlstring(L, call->pattern, call->pattern_length);
  if (call->has_init)
    lua_pushinteger(L, call->init);
  else
    lua_pushnil(L);
  lua_pushinteger(L, call->kind);
  lua_pushlstring(L, call->replacement, call->replacement_length);
  if (call->has_limit)
    lua_pushinteger(L, call->limit);
  else
    lua_pushnil(L);
  lua_pushboolean(L, call->plain);
  return 8;
}

/* Prints a Lua string with its bytes escaped, for a divergence report. */
static void print_escaped(const char *label, const char *s, size_t length)
{
  printf("  %s \"", label);
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 32 && c < 127 && c != '"' && c != '\\')
      putchar(c);
    else
      printf("\\%u", c);
  }
  printf("\"\n");
}

static void compare(struct pair *pair, const struct call *call)
{
  lua_State *mine = sandbox_state(pair->sandbox);
  struct growth_error err = { 0 };
  int nargs = push_call(pair->reference, call);
  if (lua_pcall(pair->reference, nargs, 1, 0) != LUA_OK)
    fail_msg("reference driver failed: %s", lua_tostring(pair->reference, -1));
  push_call(mine, call);
  if (sandbox_call(pair->sandbox, nargs, 1, &err) != 0)
    fail_msg("sandbox driver failed: %s", err.message);
  size_t expected_length, actual_length;
  const char *expected = lua_tolstring(pair->reference, -1, &expected_length);
  const char *actual = lua_tolstring(mine, -1, &actual_length);
  pair->compared++;
  if (strncmp(expected, "boolean:false", 13) == 0)
    pair->errors++;
  else if (strcmp(expected, "boolean:true, nil:nil") == 0 || strcmp(expected, "boolean:true, \"\"") == 0)
    pair->failures++;
  if (expected_length != actual_length || memcmp(expected, actual, expected_length) != 0) {
    if (pair->diverged++ < DIVERGENCES_SHOWN) {
      printf("divergence in %s(%s)\n", call->function, call->name);
      if (call->pattern) {
        print_escaped("subject", call->subject, call->subject_length);
        print_escaped("pattern", call->pattern, call->pattern_length);
        printf("  init %s%lld kind %d limit %s%lld plain %d\n", call->has_init ? "" : "none/", (long long)call->init,
               call->kind, call->has_limit ? "" : "none/", (long long)call->limit, call->plain);
      }
      printf("  reference: %s\n  sandbox:   %s\n", expected, actual);
    }
  }
  lua_pop(pair->reference, 1);
  lua_pop(mine, 1);
}

static void compare_code(struct pair *pair, const char *code)
{
  struct call call = { .function = "run_case", .name = code };
  compare(pair, &call);
}

static void test_hand_written_cases(void **state)
{
  (void)state;
  FILE *file = fopen(CASES_FILE, "r");
  if (!file)
    fail_msg("cannot open %s (tests run from tests/unit)", CASES_FILE);
  struct pair pair;
  pair_open(&pair);
  char line[4096];
  while (fgets(line, sizeof line, file)) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#')
      continue;
    compare_code(&pair, line);
  }
  fclose(file);
  printf("hand-written cases: %zu compared, %zu diverged\n", pair.compared, pair.diverged);
  size_t diverged = pair.diverged, compared = pair.compared;
  pair_close(&pair);
  assert_true(compared >= 300);
  assert_int_equal(diverged, 0);
}

/* Every class letter (and a few non-classes), alone, complemented, and inside sets, on all bytes. */
static void test_classes_on_all_bytes(void **state)
{
  (void)state;
  static const char letters[] = "acdglpsuwxzAbefhijkmnoqrtvyACDGLPSUWXZ.%]^-";
  static const char *const shapes[] = {
    "%%%c", "[%%%c]", "[^%%%c]", "[%%%c_]", "[a-f%%%c]", "%%%c+", "%%f[%%%c]",
  };
  struct pair pair;
  pair_open(&pair);
  for (size_t i = 0; i < sizeof letters - 1; i++) {
    for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++) {
      char pattern[32], code[256];
      snprintf(pattern, sizeof pattern, shapes[j], letters[i]);
      snprintf(code, sizeof code, "string.gsub(ALL, '%s', '<%%0>')", pattern);
      compare_code(&pair, code);
    }
  }
  printf("class cases: %zu compared, %zu diverged\n", pair.compared, pair.diverged);
  size_t diverged = pair.diverged;
  pair_close(&pair);
  assert_int_equal(diverged, 0);
}

static uint64_t random_state = RANDOM_SEED;

static uint32_t next_random(void)
{
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return (uint32_t)(random_state >> 11);
}

static size_t random_below(size_t n)
{
  return next_random() % n;
}

static const char SUBJECT_ALPHABET[] = "aaabb()[]%-.^$1 A\0";

static size_t random_subject(char *out, size_t max)
{
  size_t length = random_below(max + 1);
  for (size_t i = 0; i < length; i++)
    out[i] = SUBJECT_ALPHABET[random_below(sizeof SUBJECT_ALPHABET - 1)];
  return length;
}

static const char *const PATTERN_TOKENS[] = {
  "a", "a", "b", "b", ".", "%a", "%d", "%s", "%w", "%p", "%l", "%u", "%x", "%c", "%g", "%z", "%A", "%W",
  "%%", "%.", "%(", "%]", "%-", "%", "(", "(", ")", ")", "()", "[", "]", "^", "^", "$", "$",
  "[ab]", "[^a]", "[a-c]", "[%a]", "[]a]", "[a-]", "[^]]", "[%]]", "[a-%%]", "[%a-z]", "[(-]",
  "*", "*", "+", "+", "-", "-", "?", "?", "%b()", "%bab", "%b", "%b(", "%f[a]", "%f[%w]", "%f[^a]", "%f",
  "%fa", "%1", "%1", "%2", "%0", "1", " ", "\0", "[\0a]", "%q", "%Z",
};

/* A random pattern: random tokens, and now and then a raw magic character to reach odd parse paths. */
static size_t random_pattern(char *out, size_t max_tokens)
{
  static const char raw[] = "^$*+?.([%-])ab";
  size_t tokens = random_below(max_tokens + 1), length = 0;
  for (size_t i = 0; i < tokens; i++) {
    if (random_below(5) == 0) {
      out[length++] = raw[random_below(sizeof raw - 1)];
      continue;
    }
    const char *token = PATTERN_TOKENS[random_below(sizeof PATTERN_TOKENS / sizeof PATTERN_TOKENS[0])];
    size_t token_length = token[0] == '\0' ? 1 : strlen(token);
    memcpy(out + length, token, token_length);
    length += token_length;
  }
  return length;
}

static const char *const REPLACEMENTS[] = {
  "", "x", "%0", "%1", "<%1|%2>", "%%", "%", "%x", "%3", "[%0%0]", "%9",
};

/* RANDOM_CASES calls of each function with subjects up to max_subject bytes and patterns of up to
 * max_tokens tokens. */
static void compare_random_calls(struct pair *pair, size_t max_subject, size_t max_tokens)
{
  static const char *const names[] = { "find", "match", "gmatch", "gsub" };
  char subject[64], pattern[16 * 8];
  assert_true(max_subject <= sizeof subject && max_tokens * 7 <= sizeof pattern);
  for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
    for (int i = 0; i < RANDOM_CASES; i++) {
      struct call call = { .function = "run_random", .name = names[n], .subject = subject, .pattern = pattern };
      call.subject_length = random_subject(subject, max_subject);
      call.pattern_length = random_pattern(pattern, max_tokens);
      call.has_init = random_below(4) == 0;
      call.init = (lua_Integer)random_below(20) - 10;
      call.plain = random_below(8) == 0;
      call.kind = (int)random_below(4);
      const char *replacement = REPLACEMENTS[random_below(sizeof REPLACEMENTS / sizeof REPLACEMENTS[0])];
      call.replacement = replacement;
      call.replacement_length = strlen(replacement);
      call.has_limit = random_below(4) == 0;
      call.limit = (lua_Integer)random_below(5) - 1;
      compare(pair, &call);
    }
  }
}

static void test_random_cases(void **state)
{
  (void)state;
  struct pair pair;
  pair_open(&pair);
  compare_random_calls(&pair, 12, 7);
  compare_random_calls(&pair, 40, 12);
  printf("random cases: %zu compared (seed %#x), %zu diverged; the reference raised %zu errors, found nothing in %zu\n",
         pair.compared, RANDOM_SEED, pair.diverged, pair.errors, pair.failures);
  size_t diverged = pair.diverged;
  pair_close(&pair);
  assert_int_equal(diverged, 0);
}

/* Runs code in a fresh sandbox with the given limits; 0, or -1 with err. */
static int run_job(uint64_t instruction_limit, int64_t deadline_ms, const char *code, struct growth_error *err,
                   uint64_t *instructions)
{
  struct sandbox_options options = {
    .memory_bytes = 16u * 1024 * 1024,
    .instruction_limit = instruction_limit,
    .deadline_ms = deadline_ms,
  };
  struct sandbox *sandbox = sandbox_new(&options, err);
  assert_non_null(sandbox);
  int status = sandbox_load(sandbox, code, strlen(code), "@agents/pattern.lua", 0, err);
  if (status == 0)
    status = sandbox_call(sandbox, 0, 0, err);
  if (instructions)
    *instructions = sandbox_instructions(sandbox);
  sandbox_free(sandbox);
  assert_int_equal(sandbox_memory_live_total(), 0);
  return status;
}

static void expect_job_error(uint64_t instruction_limit, int64_t deadline_ms, const char *code, enum error_code code_expected,
                             const char *fragment)
{
  struct growth_error err = { 0 };
  if (run_job(instruction_limit, deadline_ms, code, &err, NULL) == 0)
    fail_msg("%s\nsucceeded; expected %s", code, error_code_name(code_expected));
  if (err.code != code_expected || !strstr(err.message, fragment))
    fail_msg("%s\ngot %s: %s\nexpected %s containing '%s'", code, error_code_name(err.code), err.message,
             error_code_name(code_expected), fragment);
}

static void expect_job_ok(const char *code)
{
  struct growth_error err = { 0 };
  if (run_job(10u * 1000 * 1000, 0, code, &err, NULL) != 0)
    fail_msg("%s\nfailed: %s", code, err.message);
}

#define BUDGET (20u * 1000 * 1000)
#define BOMB_SUBJECT "local s = string.rep('a', 100000)\n"

static void test_catastrophic_patterns_time_out(void **state)
{
  (void)state;
  static const char *const bombs[] = {
    BOMB_SUBJECT "return string.find(s, '.-.-.-b')",
    BOMB_SUBJECT "return string.match(s, '(.*)(.*)(.*)b')",
    BOMB_SUBJECT "return string.match(s, '(a*)(a*)(a*)%1%2%3b')",
    BOMB_SUBJECT "for m in string.gmatch(s, '.-.-.-b') do end",
    BOMB_SUBJECT "return string.gsub(s, '.-.-.-b', function() return '' end)",
    BOMB_SUBJECT "return s:find('%f[a]a-a-a-b')",
    BOMB_SUBJECT "while true do pcall(string.find, s, '.-.-.-b') end",
    BOMB_SUBJECT "local co = coroutine.wrap(function() return s:match('a-a-a-$b') end) return co()",
  };
  for (size_t i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
    expect_job_error(BUDGET, 0, bombs[i], ERR_TIMEOUT, "Lua instructions");
    expect_job_ok("assert(select(2, string.gsub('a,b,c', ',', ';')) == 2)");
  }
  /* the wall-clock deadline alone stops it too */
  expect_job_error(0, clock_monotonic_ms() + 200, bombs[0], ERR_TIMEOUT, "time limit");
  expect_job_ok("assert(('x'):rep(3):find('x+$') == 1)");
}

static void test_matcher_charges_its_steps(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  uint64_t instructions = 0;
  assert_int_equal(run_job(0, 0, "assert(not string.find(string.rep('a', 400), '.-.-b'))", &err, &instructions), 0);
  /* a handful of VM instructions, but about 400^3/6 matcher steps */
  assert_true(instructions > 1000000);
}

static void test_deep_patterns_are_refused(void **state)
{
  (void)state;
  expect_job_error(BUDGET, 0, "return string.find(string.rep('a', 1e5), string.rep('a?', 1e5))", ERR_SCRIPT,
                   "pattern too complex");
  expect_job_error(BUDGET, 0, "return string.match(string.rep('a', 100), string.rep('(', 1000) .. 'a')", ERR_SCRIPT,
                   "too many captures");
  expect_job_error(BUDGET, 0, "return string.gsub(string.rep('x', 300), string.rep('x?', 250), '')", ERR_SCRIPT,
                   "pattern too complex");
  expect_job_ok("assert(string.find(string.rep('a', 300), string.rep('a?', 199)) == 1)");
  expect_job_ok("assert(#string.rep('ab', 1e6):gsub('b', '') == 1e6)");
  expect_job_ok("assert(string.find(string.rep('a', 1e6) .. 'b', string.rep('a', 5e5) .. 'b', 1, true) == 5e5 + 1)");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hand_written_cases),
    cmocka_unit_test(test_classes_on_all_bytes),
    cmocka_unit_test(test_random_cases),
    cmocka_unit_test(test_catastrophic_patterns_time_out),
    cmocka_unit_test(test_matcher_charges_its_steps),
    cmocka_unit_test(test_deep_patterns_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
