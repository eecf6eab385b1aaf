/*
 * api_keys.c — parsing GROWTH_API_KEYS and checking presented keys (see
 * api_keys.h).
 *
 * Entries are split on commas and white space, so a value can be written on
 * one line in a .env file or one pair a line in a key file. Error messages
 * name the entry by position ("entry 2") or by file and line, and the key's
 * name when it has one, but never quote a hash: the hashes of short keys
 * could be reversed by brute force, so they are kept out of logs as well.
 */
#include "http/api_keys.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_FILE_MAX (1024 * 1024)
#define VARIABLE "GROWTH_API_KEYS"

void api_keys_sha256(const void *data, size_t length, unsigned char out[API_KEY_HASH_BYTES])
{
  unsigned int size = 0;
  EVP_Digest(data, length, out, &size, EVP_sha256(), NULL);
}

void api_keys_free(struct api_keys *keys)
{
  if (!keys)
    return;
  free(keys->keys);
  keys->keys = NULL;
  keys->count = 0;
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static int valid_name_char(char c)
{
  return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* Where an entry came from, for error messages: "entry 2" or "keys.txt:5". */
static void describe_origin(const char *file, size_t line, size_t entry, char *out, size_t size)
{
  if (file)
    snprintf(out, size, "%s:%zu", file, line);
  else
    snprintf(out, size, "entry %zu", entry);
}

static int add_entry(struct api_keys *keys, const char *text, size_t length, const char *origin,
                     struct growth_error *err)
{
  const char *colon = memchr(text, ':', length);
  if (!colon)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s has no ':'; expected name:sha256hex", origin);
  size_t name_length = (size_t)(colon - text);
  if (name_length == 0 || name_length > API_KEY_NAME_MAX)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s has a name of %zu characters; expected 1 to %d", origin,
                     name_length, API_KEY_NAME_MAX);
  for (size_t i = 0; i < name_length; i++)
    if (!valid_name_char(text[i]))
      return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s: the name has the character '%c'; expected letters, "
                       "digits, '-', '_' or '.'", origin, isprint((unsigned char)text[i]) ? text[i] : '?');
  struct api_key key = { 0 };
  memcpy(key.name, text, name_length);
  const char *hex = colon + 1;
  size_t hex_length = length - name_length - 1;
  if (hex_length != 2 * API_KEY_HASH_BYTES)
    return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s (key '%s'): the hash has %zu characters; expected 64 hex "
                     "digits, the SHA-256 of the key (printf %%s KEY | sha256sum)", origin, key.name, hex_length);
  for (size_t i = 0; i < API_KEY_HASH_BYTES; i++) {
    int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0)
      return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s (key '%s'): the hash is not hexadecimal; expected 64 "
                       "hex digits, the SHA-256 of the key", origin, key.name);
    key.hash[i] = (unsigned char)(high << 4 | low);
  }
  for (size_t i = 0; i < keys->count; i++) {
    if (strcmp(keys->keys[i].name, key.name) == 0)
      return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s: the name '%s' is used twice; expected one entry per "
                       "name", origin, key.name);
    if (CRYPTO_memcmp(keys->keys[i].hash, key.hash, API_KEY_HASH_BYTES) == 0)
      return error_set(err, ERR_BAD_CONFIG, VARIABLE ": %s: keys '%s' and '%s' have the same hash; expected one "
                       "name per key", origin, keys->keys[i].name, key.name);
  }
  struct api_key *grown = realloc(keys->keys, (keys->count + 1) * sizeof *grown);
  if (!grown)
    return error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory");
  key.agents_allowed = true;
  grown[keys->count] = key;
  keys->keys = grown;
  keys->count++;
  return 0;
}

/* Splits text into entries; file is NULL for the variable itself. */
static int parse_text(const char *text, const char *file, struct api_keys *keys, struct growth_error *err)
{
  size_t line = 1, entry = 0;
  const char *p = text;
  while (*p) {
    if (*p == '\n') {
      line++;
      p++;
      continue;
    }
    if (*p == ',' || isspace((unsigned char)*p)) {
      p++;
      continue;
    }
    if (file && *p == '#') {
      p += strcspn(p, "\n");
      continue;
    }
    size_t length = strcspn(p, ", \t\r\n");
    char origin[300];
    describe_origin(file, line, ++entry, origin, sizeof origin);
    if (add_entry(keys, p, length, origin, err) != 0)
      return -1;
    p += length;
  }
  return 0;
}

static char *read_key_file(const char *path, struct growth_error *err)
{
  FILE *file = fopen(path, "rb");
  if (!file) {
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": cannot open the key file %s: %s", path, strerror(errno));
    return NULL;
  }
  char *text = malloc(KEY_FILE_MAX + 1);
  if (!text) {
    fclose(file);
    error_set(err, ERR_NO_MEMORY, VARIABLE ": out of memory reading %s", path);
    return NULL;
  }
  size_t length = fread(text, 1, KEY_FILE_MAX + 1, file);
  int failed = ferror(file);
  fclose(file);
  if (failed || length > KEY_FILE_MAX) {
    free(text);
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": cannot read the key file %s: %s", path,
              failed ? "read error" : "larger than 1 MiB");
    return NULL;
  }
  text[length] = '\0';
  if (strlen(text) != length) {
    free(text);
    error_set(err, ERR_BAD_CONFIG, VARIABLE ": the key file %s holds a NUL byte; expected text", path);
    return NULL;
  }
  return text;
}

int api_keys_parse(const char *spec, struct api_keys *out, struct growth_error *err)
{
  out->keys = NULL;
  out->count = 0;
  if (!spec || !*spec)
    return 0;
  int status;
  if (spec[0] == '@') {
    char *text = read_key_file(spec + 1, err);
    if (!text)
      return -1;
    status = parse_text(text, spec + 1, out, err);
    free(text);
  } else {
    status = parse_text(spec, NULL, out, err);
  }
  if (status != 0)
    api_keys_free(out);
  return status;
}

int api_keys_apply_allowlist(struct api_keys *keys, const char *allowlist, struct growth_error *err)
{
  if (!allowlist || !*allowlist)
    return 0;
  bool *allowed = calloc(keys->count ? keys->count : 1, sizeof *allowed);
  if (!allowed)
    return error_set(err, ERR_NO_MEMORY, "GROWTH_AGENTS_ALLOWLIST: out of memory");
  const char *p = allowlist;
  while (*p) {
    if (*p == ',' || isspace((unsigned char)*p)) {
      p++;
      continue;
    }
    size_t length = strcspn(p, ", \t\r\n");
    size_t i = 0;
    while (i < keys->count && !(strlen(keys->keys[i].name) == length && strncmp(keys->keys[i].name, p, length) == 0))
      i++;
    if (i == keys->count) {
      free(allowed);
      return error_set(err, ERR_BAD_CONFIG, "GROWTH_AGENTS_ALLOWLIST: '%.*s' is not the name of a key in "
                       "GROWTH_API_KEYS; expected names of configured keys", (int)(length > 64 ? 64 : length), p);
    }
    allowed[i] = true;
    p += length;
  }
  for (size_t i = 0; i < keys->count; i++)
    keys->keys[i].agents_allowed = allowed[i];
  free(allowed);
  return 0;
}

const struct api_key *api_keys_verify(const struct api_keys *keys, const char *key, size_t length)
{
  if (!keys || keys->count == 0 || length == 0 || length > API_KEY_MAX_LENGTH)
    return NULL;
  unsigned char hash[API_KEY_HASH_BYTES];
  api_keys_sha256(key, length, hash);
  size_t found = keys->count;
  for (size_t i = 0; i < keys->count; i++) {
    /* Every hash is compared; the index is picked with a mask rather than a branch on the result. */
    size_t equal = (size_t)(CRYPTO_memcmp(hash, keys->keys[i].hash, API_KEY_HASH_BYTES) == 0);
    size_t mask = (size_t)0 - equal;
    found = (i & mask) | (found & ~mask);
  }
  OPENSSL_cleanse(hash, sizeof hash);
  return found < keys->count ? &keys->keys[found] : NULL;
}
