/*
 * sandbox_pattern_api.c — string.find, string.match, string.gmatch and
 * string.gsub of a job, on the guarded matcher of sandbox_pattern.c.
 *
 * They behave as the reference manual's §6.4 describes, down to the error
 * messages and the argument checks (tests/unit/test_sandbox_pattern.c compares
 * them with the stock functions on hand-written and random cases):
 *   - init counts from the end when negative; find and match answer nil for an
 *     init past the subject's end plus one; gmatch then yields nothing;
 *   - '^' anchors find, match and gsub; gmatch has no anchor (its '^' is a plain
 *     character);
 *   - find without magic characters, or with plain = true, is a substring search
 *     (memmem: linear time, so it needs no charging);
 *   - gmatch and gsub never take an empty match right where the previous match
 *     ended, so ("hello world"):gsub("%w*", "-") is "- -";
 *   - gsub's replacement is a string (%0-%9, %%), a table indexed by the first
 *     capture, or a function of all captures; false or nil keeps the match.
 * Every function charges the matcher's remaining steps before it returns.
 */
#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

#include "lua/sandbox_internal.h"
#include "lua/sandbox_pattern.h"

/* The characters that make a pattern more than a plain string for find. */
#define MAGIC_CHARACTERS "^$*+?.([%-"

/* gmatch's iterator state, a userdata upvalue beside the subject and the pattern. */
struct gmatch_state {
  size_t position;      /* offset where the next search starts */
  size_t last_end;      /* offset where the last match ended, or NO_MATCH_YET */
  int done;
};

#define NO_MATCH_YET ((size_t)-1)

/* The 1-based start from an init argument: negative counts from the end, too small becomes 1. */
static size_t start_position(lua_Integer init, size_t length)
{
  if (init > 0)
    return (size_t)init;
  if (init == 0 || (init < 0 && (lua_Unsigned)-(init + 1) >= length))
    return 1;
  return length - (size_t)-(init + 1);
}

static int has_magic(const char *pattern, size_t length)
{
  for (size_t i = 0; i < length; i++)
    if (pattern[i] != '\0' && strchr(MAGIC_CHARACTERS, pattern[i]))
      return 1;
  return 0;
}

/* Pushes capture index of the match [s, e): the whole match when the pattern has no captures and
 * index is 0. */
static void push_capture(struct pattern_matcher *m, int index, const char *s, const char *e)
{
  lua_State *L = m->L;
  if (index >= m->level) {
    if (index != 0)
      luaL_error(L, "invalid capture index %%%d", index + 1);
    lua_pushlstring(L, s, (size_t)(e - s));
    return;
  }
  const struct pattern_capture *capture = &m->captures[index];
  if (capture->length == PATTERN_CAPTURE_OPEN)
    luaL_error(L, "unfinished capture");
  if (capture->length == PATTERN_CAPTURE_POSITION)
    lua_pushinteger(L, (lua_Integer)(capture->start - m->subject) + 1);
  else
    lua_pushlstring(L, capture->start, (size_t)capture->length);
}

/* Pushes all captures, or the whole match [s, e) when there are none and s is given. */
static int push_captures(struct pattern_matcher *m, const char *s, const char *e)
{
  int count = (m->level == 0 && s) ? 1 : m->level;
  luaL_checkstack(m->L, count, "too many captures");
  for (int i = 0; i < count; i++)
    push_capture(m, i, s, e);
  return count;
}

static int find_plain(lua_State *L, const char *subject, size_t length, size_t start, const char *pattern,
                      size_t pattern_length)
{
  const char *found = memmem(subject + start - 1, length - (start - 1), pattern, pattern_length);
  if (!found) {
    luaL_pushfail(L);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)(found - subject) + 1);
  lua_pushinteger(L, (lua_Integer)(found - subject) + (lua_Integer)pattern_length);
  return 2;
}

/* Pushes what find (positions, then captures) or match (captures or the match) answers for [s, e). */
static int push_found(struct pattern_matcher *m, int is_find, const char *s, const char *e)
{
  if (!is_find)
    return push_captures(m, s, e);
  lua_pushinteger(m->L, (lua_Integer)(s - m->subject) + 1);
  lua_pushinteger(m->L, (lua_Integer)(e - m->subject));
  return 2 + push_captures(m, NULL, NULL);
}

static int find_or_match(lua_State *L, int is_find)
{
  size_t length, pattern_length;
  const char *subject = luaL_checklstring(L, 1, &length);
  const char *pattern = luaL_checklstring(L, 2, &pattern_length);
  size_t start = start_position(luaL_optinteger(L, 3, 1), length);
  if (start > length + 1) {
    luaL_pushfail(L);
    return 1;
  }
  if (is_find && (lua_toboolean(L, 4) || !has_magic(pattern, pattern_length)))
    return find_plain(L, subject, length, start, pattern, pattern_length);

  struct pattern_matcher m;
  sandbox_pattern_init(&m, L, subject, length, pattern, pattern_length);
  int anchored = pattern_length > 0 && pattern[0] == '^';
  const char *p = pattern + anchored;
  const char *s = subject + start - 1;
  for (;;) {
    const char *e = sandbox_pattern_match(&m, s, p);
    if (e) {
      sandbox_pattern_flush(&m);
      return push_found(&m, is_find, s, e);
    }
    if (anchored || s >= m.subject_end)
      break;
    s++;
  }
  sandbox_pattern_flush(&m);
  luaL_pushfail(L);
  return 1;
}

static int pattern_find(lua_State *L)
{
  return find_or_match(L, 1);
}

static int pattern_match(lua_State *L)
{
  return find_or_match(L, 0);
}

static int gmatch_next(lua_State *L)
{
  size_t length, pattern_length;
  const char *subject = lua_tolstring(L, lua_upvalueindex(1), &length);
  const char *pattern = lua_tolstring(L, lua_upvalueindex(2), &pattern_length);
  struct gmatch_state *state = lua_touserdata(L, lua_upvalueindex(3));
  if (state->done)
    return 0;
  struct pattern_matcher m;
  sandbox_pattern_init(&m, L, subject, length, pattern, pattern_length);
  for (size_t offset = state->position; offset <= length; offset++) {
    const char *s = subject + offset;
    const char *e = sandbox_pattern_match(&m, s, pattern);
    if (e && (state->last_end == NO_MATCH_YET || e != subject + state->last_end)) {
      state->position = state->last_end = (size_t)(e - subject);
      sandbox_pattern_flush(&m);
      return push_captures(&m, s, e);
    }
  }
  state->done = 1;
  sandbox_pattern_flush(&m);
  return 0;
}

static int pattern_gmatch(lua_State *L)
{
  size_t length;
  luaL_checklstring(L, 1, &length);
  luaL_checkstring(L, 2);
  size_t start = start_position(luaL_optinteger(L, 3, 1), length);
  lua_settop(L, 2);
  struct gmatch_state *state = lua_newuserdatauv(L, sizeof *state, 0);
  state->position = start - 1;
  state->last_end = NO_MATCH_YET;
  state->done = start > length + 1;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

/* Appends gsub's string replacement (at index 3) for the match [s, e). */
static void add_string_replacement(struct pattern_matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
  lua_State *L = m->L;
  size_t length;
  const char *r = lua_tolstring(L, 3, &length);
  const char *end = r + length;
  while (r < end) {
    const char *escape = memchr(r, '%', (size_t)(end - r));
    if (!escape) {
      luaL_addlstring(b, r, (size_t)(end - r));
      return;
    }
    luaL_addlstring(b, r, (size_t)(escape - r));
    char c = escape + 1 < end ? escape[1] : '\0';
    if (c == '%') {
      luaL_addchar(b, '%');
    } else if (c == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (isdigit((unsigned char)c)) {
      push_capture(m, c - '1', s, e);
      luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
      luaL_addvalue(b);
    } else {
      luaL_error(L, "invalid use of '%%' in replacement string");
    }
    r = escape + 2;
  }
}

/* Appends gsub's replacement for the match [s, e): the string form, the table's value at the first
 * capture, or the function's result of all captures; false or nil keeps the match itself. */
static void add_replacement(struct pattern_matcher *m, luaL_Buffer *b, const char *s, const char *e, int type)
{
  lua_State *L = m->L;
  if (type == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    int count = push_captures(m, s, e);
    lua_call(L, count, 1);
  } else if (type == LUA_TTABLE) {
    push_capture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    add_string_replacement(m, b, s, e);
    return;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(b);
  }
}

static int pattern_gsub(lua_State *L)
{
  size_t length, pattern_length;
  const char *subject = luaL_checklstring(L, 1, &length);
  const char *pattern = luaL_checklstring(L, 2, &pattern_length);
  int type = lua_type(L, 3);
  lua_Integer max_replacements = luaL_optinteger(L, 4, (lua_Integer)length + 1);
  luaL_argexpected(L, type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION || type == LUA_TTABLE, 3,
                   "string/function/table");
  struct pattern_matcher m;
  sandbox_pattern_init(&m, L, subject, length, pattern, pattern_length);
  int anchored = pattern_length > 0 && pattern[0] == '^';
  const char *p = pattern + anchored;
  const char *s = subject;
  const char *last_end = NULL;
  lua_Integer replaced = 0;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (replaced < max_replacements) {
    const char *e = sandbox_pattern_match(&m, s, p);
    if (e && e != last_end) {
      replaced++;
      add_replacement(&m, &b, s, e, type);
      s = last_end = e;
    } else if (s < m.subject_end) {
      luaL_addchar(&b, *s++);
    } else {
      break;
    }
    if (anchored)
      break;
  }
  luaL_addlstring(&b, s, (size_t)(m.subject_end - s));
  sandbox_pattern_flush(&m);
  luaL_pushresult(&b);
  lua_pushinteger(L, replaced);
  return 2;
}

void sandbox_pattern_install(lua_State *L, int string_table)
{
  static const luaL_Reg functions[] = {
    { "find", pattern_find },
    { "match", pattern_match },
    { "gmatch", pattern_gmatch },
    { "gsub", pattern_gsub },
    { NULL, NULL },
  };
  string_table = lua_absindex(L, string_table);
  for (const luaL_Reg *f = functions; f->name; f++) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, string_table, f->name);
  }
}
