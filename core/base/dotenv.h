/*
 * dotenv.h — reads KEY=VALUE files in the dotenv syntax that Node's `dotenv`
 * and docker-compose accept, so a deployment's existing `.env` works unchanged:
 *
 *   # comment                     blank lines and comments are skipped
 *   export KEY=value              "export " is allowed and ignored
 *   KEY=value # note              unquoted: trimmed, " #..." starts a comment
 *   KEY='literal $text'           single quotes: taken as written
 *   KEY="line\nnext"              double quotes: \n \r \t \" \\ escapes; may span lines
 *
 * Later assignments of a key replace earlier ones. The parser never prints
 * values in its errors: a value may be a secret.
 */
#ifndef GROWTH_BASE_DOTENV_H
#define GROWTH_BASE_DOTENV_H

#include <stddef.h>

#include "base/error.h"

struct dotenv;

/* Parses a file; returns a table the caller frees with dotenv_free, or NULL with err set
 * ("FILE:LINE: what was wrong; expected what"). */
struct dotenv *dotenv_read_file(const char *path, struct growth_error *err);

/* Parses text held in memory; source names it in errors. */
struct dotenv *dotenv_parse(const char *text, const char *source, struct growth_error *err);

/* The value of key, or NULL; owned by the table. */
const char *dotenv_get(const struct dotenv *env, const char *key);

size_t dotenv_count(const struct dotenv *env);

void dotenv_free(struct dotenv *env);

#endif
