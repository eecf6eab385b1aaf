/*
 * sandbox_pattern.h — the pattern matcher behind the sandbox's string.find,
 * match, gmatch and gsub (sandbox_pattern.c), as sandbox_pattern_api.c uses it.
 * Nothing outside core/lua/ includes this file.
 */
#ifndef GROWTH_LUA_SANDBOX_PATTERN_H
#define GROWTH_LUA_SANDBOX_PATTERN_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

/* Lua's limit on captures in one pattern. */
#define PATTERN_MAX_CAPTURES 32

/* The length of a capture that is still open, and of a position capture "()". */
#define PATTERN_CAPTURE_OPEN ((ptrdiff_t)-1)
#define PATTERN_CAPTURE_POSITION ((ptrdiff_t)-2)

struct pattern_capture {
  const char *start;
  ptrdiff_t length;   /* bytes, or PATTERN_CAPTURE_OPEN / PATTERN_CAPTURE_POSITION */
};

/* One matching job: a subject, a pattern, and the captures of the current attempt.
 * Lives on the C stack of the string function that uses it; owns no memory. */
struct pattern_matcher {
  lua_State *L;
  const char *subject, *subject_end;
  const char *pattern_end;
  int depth_left;           /* nested matching calls still allowed in this attempt */
  int level;                /* captures opened so far in this attempt */
  uint64_t steps;           /* work done since the last charge to the sandbox */
  struct pattern_capture captures[PATTERN_MAX_CAPTURES];
};

void sandbox_pattern_init(struct pattern_matcher *matcher, lua_State *L, const char *subject, size_t subject_length,
                          const char *pattern, size_t pattern_length);

/* Tries the pattern piece starting at p (up to the pattern's end) against the subject at s, with no
 * captures yet. Returns the end of the match, or NULL. Raises a Lua error for a malformed pattern,
 * for a pattern too complex, and the sandbox's kill when the job runs out of time. */
const char *sandbox_pattern_match(struct pattern_matcher *matcher, const char *s, const char *p);

/* Charges the steps not yet charged (at the end of each string function). */
void sandbox_pattern_flush(struct pattern_matcher *matcher);

#endif
