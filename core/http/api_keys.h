/*
 * api_keys.h — the API keys of GROWTH_API_KEYS and their constant-time check.
 *
 * growthd never stores a key, only its SHA-256: GROWTH_API_KEYS holds
 * name:hash pairs ("alice:9f86d0...,ci:60303a...") separated by commas or
 * white space, or "@FILE" naming a file with one pair a line ('#' starts a
 * comment). A presented key is hashed and compared with every stored hash
 * with CRYPTO_memcmp, always all of them, so neither the comparison nor the
 * position of a match shows in the timing. Key names are what logs, errors
 * and GROWTH_AGENTS_ALLOWLIST use; a key itself is never logged.
 */
#ifndef GROWTH_HTTP_API_KEYS_H
#define GROWTH_HTTP_API_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define API_KEY_NAME_MAX 64
#define API_KEY_HASH_BYTES 32
#define API_KEY_MAX_LENGTH 4096   /* longer presented keys are refused without hashing */

struct api_key {
  char name[API_KEY_NAME_MAX + 1];
  unsigned char hash[API_KEY_HASH_BYTES];
  bool agents_allowed;           /* may use the growth endpoints (GROWTH_AGENTS_ALLOWLIST) */
};

struct api_keys {
  struct api_key *keys;
  size_t count;
};

/* Parses a GROWTH_API_KEYS value (pairs, or @FILE). An empty or NULL spec gives no keys. Every key starts
 * with agents_allowed set. On error (ERR_BAD_CONFIG, naming the entry and what was expected, never a hash)
 * returns -1 and out holds nothing to free. */
int api_keys_parse(const char *spec, struct api_keys *out, struct growth_error *err);

/* Applies GROWTH_AGENTS_ALLOWLIST (comma-separated names): only those keys keep agents_allowed. NULL or
 * empty leaves every key allowed. A name that is not a key is ERR_BAD_CONFIG. */
int api_keys_apply_allowlist(struct api_keys *keys, const char *allowlist, struct growth_error *err);

/* The key whose hash is SHA-256(key), or NULL. Constant time in which key matches. */
const struct api_key *api_keys_verify(const struct api_keys *keys, const char *key, size_t length);

/* SHA-256 of data into out (32 bytes). */
void api_keys_sha256(const void *data, size_t length, unsigned char out[API_KEY_HASH_BYTES]);

void api_keys_free(struct api_keys *keys);

#endif
