/*
 * sandbox_pattern.c — a matcher for Lua 5.4 patterns (reference manual §6.4.1)
 * that cannot run away from the job's time limit.
 *
 * Why. The stock string functions backtrack in C: string.find(("a"):rep(1e5),
 * ".-.-.-b") runs for hours without executing one VM instruction, so the
 * sandbox's count hook never fires. This matcher counts its steps (one per
 * matching call and per character tested) and every CHARGE_INTERVAL steps hands
 * them to sandbox_charge, which raises the job's uncatchable timeout once the
 * deadline or the instruction budget has passed.
 *
 * How. The pattern is interpreted as it is walked, never compiled first: an
 * error in a part of the pattern that no attempt reaches is never reported,
 * exactly as the reference behaves (find("abc", "x[") is nil, find("xbc", "x[")
 * is an error). match_here walks items left to right in a loop; it recurses
 * only where it must remember a way back: after an optional item that matched
 * ('?'), for each length a repeated item tries ('*', '+', '-'), and when a
 * capture opens or closes (so a failed continuation can undo it). Everything
 * else (a plain item, %b, %f, a back-reference) continues in the same loop.
 *
 * Depth. Each call of match_here costs one unit of depth, and an attempt may
 * hold at most MAX_DEPTH nested calls: past that, "pattern too complex". The
 * recursion points above are the same as the reference's, so the same patterns
 * hit the same limit (("a?"):rep(199) matches, ("a?"):rep(200) is too complex),
 * and the C stack stays bounded whatever the pattern.
 *
 * Items. A single-character item is '.', a '%' escape (a class letter, or any
 * other character standing for itself), a set "[...]", or a plain character.
 * Character classes follow <ctype.h> in the C locale; %z (the NUL byte) is kept
 * as the reference keeps it. Strings carry their length, so NUL bytes in
 * subject and pattern are ordinary characters.
 */
#include "lua/sandbox_pattern.h"

#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

#include "lua/sandbox_internal.h"

/* Steps done between two charges to the sandbox. */
#define CHARGE_INTERVAL 4096
/* Nested matching calls one attempt may hold. */
#define MAX_DEPTH 200
#define ESCAPE '%'

static void count_steps(struct pattern_matcher *m, uint64_t steps)
{
  m->steps += steps;
  if (m->steps >= CHARGE_INTERVAL) {
    uint64_t charged = m->steps;
    m->steps = 0;
    sandbox_charge(m->L, charged);
  }
}

void sandbox_pattern_flush(struct pattern_matcher *m)
{
  if (m->steps > 0) {
    uint64_t charged = m->steps;
    m->steps = 0;
    sandbox_charge(m->L, charged);
  }
}

void sandbox_pattern_init(struct pattern_matcher *m, lua_State *L, const char *subject, size_t subject_length,
                          const char *pattern, size_t pattern_length)
{
  m->L = L;
  m->subject = subject;
  m->subject_end = subject + subject_length;
  m->pattern_end = pattern + pattern_length;
  m->depth_left = MAX_DEPTH;
  m->level = 0;
  m->steps = 0;
}

/* Does c belong to the class letter of "%<letter>"? A letter that names no class stands for itself;
 * an upper-case class letter is the complement of its lower-case class. */
static int class_matches(unsigned char c, unsigned char letter)
{
  int member;
  switch (tolower(letter)) {
  case 'a': member = isalpha(c); break;
  case 'c': member = iscntrl(c); break;
  case 'd': member = isdigit(c); break;
  case 'g': member = isgraph(c); break;
  case 'l': member = islower(c); break;
  case 'p': member = ispunct(c); break;
  case 's': member = isspace(c); break;
  case 'u': member = isupper(c); break;
  case 'w': member = isalnum(c); break;
  case 'x': member = isxdigit(c); break;
  case 'z': member = c == 0; break;
  default: return letter == c;
  }
  if (isupper(letter))
    return !member;
  return member != 0;
}

/* Does c belong to the set whose '[' is at open and whose closing ']' is at close? Read left to right:
 * "%x" is a class or an escaped character, "a-z" a range when a character follows the '-' before the
 * closing bracket, anything else a character. */
static int set_matches(unsigned char c, const char *open, const char *close)
{
  const char *p = open + 1;
  int found = 1;
  if (*p == '^') {
    found = 0;
    p++;
  }
  for (; p < close; p++) {
    if (*p == ESCAPE) {
      p++;
      if (class_matches(c, (unsigned char)*p))
        return found;
    } else if (p + 2 < close && p[1] == '-') {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
        return found;
      p += 2;
    } else if ((unsigned char)*p == c) {
      return found;
    }
  }
  return !found;
}

/* The end of the single-character item at p (p is inside the pattern): just past the character, the
 * escape, or the set's ']'. Raises the reference's errors for a pattern that ends too early. */
static const char *item_end(struct pattern_matcher *m, const char *p)
{
  const char *end = m->pattern_end;
  char first = *p++;
  if (first == ESCAPE) {
    if (p >= end)
      luaL_error(m->L, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (first != '[')
    return p;
  if (p < end && *p == '^')
    p++;
  /* the first character after "[" or "[^" is always a member, even a ']' */
  do {
    if (p >= end)
      luaL_error(m->L, "malformed pattern (missing ']')");
    char c = *p++;
    if (c == ESCAPE && p < end)
      p++;
  } while (p >= end || *p != ']');
  return p + 1;
}

/* Does the subject character at s match the item [p, ep)? False at the subject's end. */
static int item_matches(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
  if (s >= m->subject_end)
    return 0;
  count_steps(m, 1);
  unsigned char c = (unsigned char)*s;
  switch (*p) {
  case '.': return 1;
  case ESCAPE: return class_matches(c, (unsigned char)p[1]);
  case '[': return set_matches(c, p, ep - 1);
  default: return (unsigned char)*p == c;
  }
}

static const char *match_here(struct pattern_matcher *m, const char *s, const char *p);

/* "x*" and "x+" (after its first x): the longest run of x first, then one shorter at a time. */
static const char *expand_greedy(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
  size_t run = 0;
  while (item_matches(m, s + run, p, ep))
    run++;
  for (;;) {
    const char *rest = match_here(m, s + run, ep + 1);
    if (rest)
      return rest;
    if (run == 0)
      return NULL;
    run--;
  }
}

/* "x-": the shortest run of x first, then one longer at a time. */
static const char *expand_lazy(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
  for (;;) {
    const char *rest = match_here(m, s, ep + 1);
    if (rest)
      return rest;
    if (!item_matches(m, s, p, ep))
      return NULL;
    s++;
  }
}

/* "(" or "()": records the capture, matches the rest from p, forgets the capture if that fails. */
static const char *open_capture(struct pattern_matcher *m, const char *s, const char *p, ptrdiff_t kind)
{
  if (m->level >= PATTERN_MAX_CAPTURES)
    luaL_error(m->L, "too many captures");
  m->captures[m->level].start = s;
  m->captures[m->level].length = kind;
  m->level++;
  const char *rest = match_here(m, s, p);
  if (!rest)
    m->level--;
  return rest;
}

/* ")": closes the innermost open capture, matches the rest from p, reopens it if that fails. */
static const char *close_capture(struct pattern_matcher *m, const char *s, const char *p)
{
  int open = m->level - 1;
  while (open >= 0 && m->captures[open].length != PATTERN_CAPTURE_OPEN)
    open--;
  if (open < 0)
    luaL_error(m->L, "invalid pattern capture");
  m->captures[open].length = s - m->captures[open].start;
  const char *rest = match_here(m, s, p);
  if (!rest)
    m->captures[open].length = PATTERN_CAPTURE_OPEN;
  return rest;
}

/* "%bxy" with x at p[0] and y at p[1]: the end of a balanced x...y run starting at s, or NULL. */
static const char *match_balance(struct pattern_matcher *m, const char *s, const char *p)
{
  if (m->pattern_end - p < 2)
    luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->subject_end || *s != p[0])
    return NULL;
  int depth = 1;
  for (const char *c = s + 1; c < m->subject_end; c++) {
    count_steps(m, 1);
    if (*c == p[1]) {
      if (--depth == 0)
        return c + 1;
    } else if (*c == p[0]) {
      depth++;
    }
  }
  return NULL;
}

/* "%f[set]" with the '[' at p: true when the character before s is outside the set and the one at s
 * inside it (the subject's start and end count as the NUL character). Sets *after to past the set. */
static int match_frontier(struct pattern_matcher *m, const char *s, const char *p, const char **after)
{
  if (p >= m->pattern_end || *p != '[')
    luaL_error(m->L, "missing '[' after '%%f' in pattern");
  const char *ep = item_end(m, p);
  *after = ep;
  unsigned char before = s == m->subject ? 0 : (unsigned char)s[-1];
  unsigned char at = s < m->subject_end ? (unsigned char)*s : 0;
  return !set_matches(before, p, ep - 1) && set_matches(at, p, ep - 1);
}

/* "%1".."%9" (and "%0", always invalid): the end of a repeat of that capture at s, or NULL. */
static const char *match_back_reference(struct pattern_matcher *m, const char *s, char digit)
{
  int index = digit - '1';
  if (index < 0 || index >= m->level || m->captures[index].length == PATTERN_CAPTURE_OPEN)
    luaL_error(m->L, "invalid capture index %%%d", index + 1);
  const struct pattern_capture *capture = &m->captures[index];
  if (capture->length == PATTERN_CAPTURE_POSITION)   /* a position is no text: it never repeats */
    return NULL;
  size_t length = (size_t)capture->length;
  count_steps(m, 1 + length / 32);
  if ((size_t)(m->subject_end - s) < length || memcmp(capture->start, s, length) != 0)
    return NULL;
  return s + length;
}

/* A single-character item at p, maybe followed by a quantifier. Either settles the rest of the match
 * (returns its end or NULL, *go_on = 0), or says where the loop of match_here goes on: returns the
 * subject position, sets *p_next to the next item and *go_on = 1. */
static const char *match_item(struct pattern_matcher *m, const char *s, const char *p, const char **p_next,
                              int *go_on)
{
  const char *ep = item_end(m, p);
  char quantifier = ep < m->pattern_end ? *ep : '\0';
  *go_on = 0;
  if (!item_matches(m, s, p, ep)) {
    if (quantifier == '*' || quantifier == '?' || quantifier == '-') {
      *p_next = ep + 1;   /* zero occurrences will do */
      *go_on = 1;
      return s;
    }
    return NULL;
  }
  switch (quantifier) {
  case '?': {
    const char *rest = match_here(m, s + 1, ep + 1);
    if (rest)
      return rest;
    *p_next = ep + 1;
    *go_on = 1;
    return s;
  }
  case '+': return expand_greedy(m, s + 1, p, ep);
  case '*': return expand_greedy(m, s, p, ep);
  case '-': return expand_lazy(m, s, p, ep);
  default:
    *p_next = ep;
    *go_on = 1;
    return s + 1;
  }
}

/* Matches the pattern from p against the subject from s: the end of the match, or NULL. */
static const char *match_here(struct pattern_matcher *m, const char *s, const char *p)
{
  if (m->depth_left-- == 0)
    luaL_error(m->L, "pattern too complex");
  count_steps(m, 1);
  const char *end = m->pattern_end;
  while (s && p < end) {
    int go_on = 1;
    switch (*p) {
    case '(':
      if (p + 1 < end && p[1] == ')')
        s = open_capture(m, s, p + 2, PATTERN_CAPTURE_POSITION);
      else
        s = open_capture(m, s, p + 1, PATTERN_CAPTURE_OPEN);
      go_on = 0;
      break;
    case ')':
      s = close_capture(m, s, p + 1);
      go_on = 0;
      break;
    case '$':
      if (p + 1 == end) {   /* an anchor only at the very end; elsewhere a character */
        s = s == m->subject_end ? s : NULL;
        go_on = 0;
        break;
      }
      s = match_item(m, s, p, &p, &go_on);
      break;
    case ESCAPE:
      if (p + 1 < end && p[1] == 'b') {
        s = match_balance(m, s, p + 2);
        p += 4;
      } else if (p + 1 < end && p[1] == 'f') {
        if (!match_frontier(m, s, p + 2, &p))
          s = NULL;
      } else if (p + 1 < end && isdigit((unsigned char)p[1])) {
        s = match_back_reference(m, s, p[1]);
        p += 2;
      } else {
        s = match_item(m, s, p, &p, &go_on);
      }
      break;
    default:
      s = match_item(m, s, p, &p, &go_on);
      break;
    }
    if (!go_on)
      break;
  }
  m->depth_left++;
  return s;
}

const char *sandbox_pattern_match(struct pattern_matcher *m, const char *s, const char *p)
{
  m->level = 0;
  m->depth_left = MAX_DEPTH;
  return match_here(m, s, p);
}
