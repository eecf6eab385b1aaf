/*
 * dotenv.c — a line-oriented parser for dotenv files (syntax in dotenv.h).
 *
 * The parser walks the text once with a cursor; quoted values may run over
 * several lines, so the line number is counted as the cursor moves rather than
 * by splitting the text into lines first.
 */
#include "base/dotenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOTENV_MAX_FILE_BYTES (1024 * 1024)

struct dotenv_entry {
  char *key;
  char *value;
};

struct dotenv {
  struct dotenv_entry *entries;
  size_t count;
  size_t capacity;
};

struct cursor {
  const char *p;
  int line;
  const char *source;
};

static int set_entry(struct dotenv *env, char *key, char *value)
{
  for (size_t i = 0; i < env->count; i++) {
    if (strcmp(env->entries[i].key, key) == 0) {
      free(env->entries[i].value);
      free(key);
      env->entries[i].value = value;
      return 0;
    }
  }
  if (env->count == env->capacity) {
    size_t capacity = env->capacity ? env->capacity * 2 : 16;
    struct dotenv_entry *grown = realloc(env->entries, capacity * sizeof *grown);
    if (!grown)
      return -1;
    env->entries = grown;
    env->capacity = capacity;
  }
  env->entries[env->count].key = key;
  env->entries[env->count].value = value;
  env->count++;
  return 0;
}

static void skip_blanks(struct cursor *c)
{
  while (*c->p == ' ' || *c->p == '\t')
    c->p++;
}

static void skip_to_next_line(struct cursor *c)
{
  while (*c->p && *c->p != '\n')
    c->p++;
  if (*c->p == '\n') {
    c->p++;
    c->line++;
  }
}

static int at_line_end(const struct cursor *c)
{
  return *c->p == '\0' || *c->p == '\n' || (*c->p == '\r' && (c->p[1] == '\n' || c->p[1] == '\0'));
}

static char *parse_key(struct cursor *c, struct growth_error *err)
{
  const char *start = c->p;
  if (!(isalpha((unsigned char)*c->p) || *c->p == '_')) {
    error_set(err, ERR_BAD_CONFIG, "%s:%d: expected a variable name (letters, digits, '_') at the start of the line",
              c->source, c->line);
    return NULL;
  }
  while (isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '.')
    c->p++;
  char *key = strndup(start, (size_t)(c->p - start));
  if (!key)
    error_set(err, ERR_NO_MEMORY, "%s:%d: out of memory", c->source, c->line);
  return key;
}

static char escape_value(char ch)
{
  switch (ch) {
  case 'n': return '\n';
  case 'r': return '\r';
  case 't': return '\t';
  default: return ch;
  }
}

/* Reads a quoted value; the cursor is on the opening quote. */
static char *parse_quoted(struct cursor *c, struct growth_error *err)
{
  char quote = *c->p++;
  int start_line = c->line;
  size_t capacity = 64, length = 0;
  char *value = malloc(capacity);
  if (!value) {
    error_set(err, ERR_NO_MEMORY, "%s:%d: out of memory", c->source, c->line);
    return NULL;
  }
  while (*c->p && *c->p != quote) {
    char ch = *c->p++;
    if (ch == '\n')
      c->line++;
    if (quote == '"' && ch == '\\' && *c->p)
      ch = escape_value(*c->p++);
    if (length + 1 >= capacity) {
      char *grown = realloc(value, capacity * 2);
      if (!grown) {
        free(value);
        error_set(err, ERR_NO_MEMORY, "%s:%d: out of memory", c->source, c->line);
        return NULL;
      }
      value = grown;
      capacity *= 2;
    }
    value[length++] = ch;
  }
  if (*c->p != quote) {
    free(value);
    error_set(err, ERR_BAD_CONFIG, "%s:%d: the %s-quoted value starting here is never closed; expected a closing %c",
              c->source, start_line, quote == '"' ? "double" : "single", quote);
    return NULL;
  }
  c->p++;
  value[length] = '\0';
  skip_blanks(c);
  if (!at_line_end(c) && *c->p != '#') {
    free(value);
    error_set(err, ERR_BAD_CONFIG, "%s:%d: unexpected text after the closing quote; expected the end of the line or a # comment",
              c->source, c->line);
    return NULL;
  }
  return value;
}

static char *parse_unquoted(struct cursor *c, struct growth_error *err)
{
  const char *start = c->p;
  const char *end = c->p;
  while (!at_line_end(c)) {
    if (*c->p == '#' && (c->p == start || c->p[-1] == ' ' || c->p[-1] == '\t'))
      break;
    c->p++;
    if (c->p[-1] != ' ' && c->p[-1] != '\t')
      end = c->p;
  }
  char *value = strndup(start, (size_t)(end - start));
  if (!value)
    error_set(err, ERR_NO_MEMORY, "%s:%d: out of memory", c->source, c->line);
  return value;
}

static int parse_assignment(struct dotenv *env, struct cursor *c, struct growth_error *err)
{
  if (strncmp(c->p, "export", 6) == 0 && (c->p[6] == ' ' || c->p[6] == '\t')) {
    c->p += 6;
    skip_blanks(c);
  }
  char *key = parse_key(c, err);
  if (!key)
    return -1;
  skip_blanks(c);
  if (*c->p != '=') {
    error_set(err, ERR_BAD_CONFIG, "%s:%d: expected '=' after %s", c->source, c->line, key);
    free(key);
    return -1;
  }
  c->p++;
  skip_blanks(c);
  char *value = (*c->p == '"' || *c->p == '\'') ? parse_quoted(c, err) : parse_unquoted(c, err);
  if (!value) {
    free(key);
    return -1;
  }
  if (set_entry(env, key, value) != 0) {
    free(key);
    free(value);
    return error_set(err, ERR_NO_MEMORY, "%s:%d: out of memory", c->source, c->line);
  }
  return 0;
}

struct dotenv *dotenv_parse(const char *text, const char *source, struct growth_error *err)
{
  struct dotenv *env = calloc(1, sizeof *env);
  if (!env) {
    error_set(err, ERR_NO_MEMORY, "%s: out of memory", source);
    return NULL;
  }
  struct cursor c = { .p = text, .line = 1, .source = source };
  while (*c.p) {
    while (*c.p == ' ' || *c.p == '\t' || *c.p == '\r')
      c.p++;
    if (*c.p != '\n' && *c.p != '#' && *c.p != '\0' && parse_assignment(env, &c, err) != 0) {
      dotenv_free(env);
      return NULL;
    }
    skip_to_next_line(&c);
  }
  return env;
}

struct dotenv *dotenv_read_file(const char *path, struct growth_error *err)
{
  FILE *file = fopen(path, "rb");
  if (!file) {
    error_set(err, ERR_BAD_CONFIG, "--env-file %s: cannot open (%s); expected a readable file", path, strerror(errno));
    return NULL;
  }
  char *text = malloc(DOTENV_MAX_FILE_BYTES + 1);
  if (!text) {
    fclose(file);
    error_set(err, ERR_NO_MEMORY, "--env-file %s: out of memory", path);
    return NULL;
  }
  size_t length = fread(text, 1, DOTENV_MAX_FILE_BYTES + 1, file);
  int failed = ferror(file);
  fclose(file);
  struct dotenv *env = NULL;
  if (failed)
    error_set(err, ERR_BAD_CONFIG, "--env-file %s: read error; expected a readable file", path);
  else if (length > DOTENV_MAX_FILE_BYTES)
    error_set(err, ERR_BAD_CONFIG, "--env-file %s: larger than %d bytes; expected a small dotenv file", path,
              DOTENV_MAX_FILE_BYTES);
  else if (memchr(text, '\0', length))
    error_set(err, ERR_BAD_CONFIG, "--env-file %s: contains NUL bytes; expected a text file", path);
  else {
    text[length] = '\0';
    env = dotenv_parse(text, path, err);
  }
  free(text);
  return env;
}

const char *dotenv_get(const struct dotenv *env, const char *key)
{
  if (!env)
    return NULL;
  for (size_t i = 0; i < env->count; i++)
    if (strcmp(env->entries[i].key, key) == 0)
      return env->entries[i].value;
  return NULL;
}

size_t dotenv_count(const struct dotenv *env)
{
  return env ? env->count : 0;
}

void dotenv_free(struct dotenv *env)
{
  if (!env)
    return;
  for (size_t i = 0; i < env->count; i++) {
    free(env->entries[i].key);
    free(env->entries[i].value);
  }
  free(env->entries);
  free(env);
}
