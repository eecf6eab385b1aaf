/*
 * sessions.c — the in-memory session store (see sessions.h).
 *
 * Sessions are few (people signed in to the dashboard), so they live in one
 * array under a mutex and lookups scan it; each entry is a 32-byte hash, a
 * name, a CSRF token and an expiry. Expired entries are dropped as scans meet
 * them. Random ids come from OpenSSL's CSPRNG; the raw id is never stored.
 */
#include "http/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_RANDOM_BYTES 32

struct session_entry {
  unsigned char id_hash[API_KEY_HASH_BYTES];
  struct session_info info;
};

struct session_store {
  pthread_mutex_t lock;
  int64_t ttl_ms;
  size_t max;
  size_t count;
  struct session_entry *entries;
};

struct session_store *session_store_new(int64_t ttl_ms, size_t max_sessions, struct growth_error *err)
{
  struct session_store *store = calloc(1, sizeof *store);
  if (!store)
    goto fail;
  store->entries = calloc(max_sessions ? max_sessions : 1, sizeof *store->entries);
  if (!store->entries)
    goto fail;
  pthread_mutex_init(&store->lock, NULL);
  store->ttl_ms = ttl_ms;
  store->max = max_sessions ? max_sessions : 1;
  return store;

fail:
  free(store);
  error_set(err, ERR_NO_MEMORY, "session store: out of memory");
  return NULL;
}

void session_store_free(struct session_store *store)
{
  if (!store)
    return;
  OPENSSL_cleanse(store->entries, store->max * sizeof *store->entries);
  free(store->entries);
  pthread_mutex_destroy(&store->lock);
  free(store);
}

static int random_hex(char *out, size_t bytes)
{
  unsigned char random[SESSION_RANDOM_BYTES];
  if (bytes > sizeof random || RAND_bytes(random, (int)bytes) != 1)
    return -1;
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes; i++) {
    out[2 * i] = digits[random[i] >> 4];
    out[2 * i + 1] = digits[random[i] & 15];
  }
  out[2 * bytes] = '\0';
  OPENSSL_cleanse(random, sizeof random);
  return 0;
}

static void remove_at(struct session_store *store, size_t index)
{
  store->entries[index] = store->entries[store->count - 1];
  memset(&store->entries[store->count - 1], 0, sizeof store->entries[0]);
  store->count--;
}

static void drop_expired(struct session_store *store, int64_t now_ms)
{
  for (size_t i = 0; i < store->count;) {
    if (store->entries[i].info.expires_ms <= now_ms)
      remove_at(store, i);
    else
      i++;
  }
}

int session_create(struct session_store *store, const char *name, int64_t now_ms, char id[SESSION_TOKEN_CHARS + 1],
                   struct session_info *info, struct growth_error *err)
{
  struct session_entry entry = { 0 };
  if (random_hex(id, SESSION_RANDOM_BYTES) != 0 || random_hex(entry.info.csrf_token, SESSION_RANDOM_BYTES) != 0)
    return error_set(err, ERR_INTERNAL, "session: the random number generator failed");
  snprintf(entry.info.name, sizeof entry.info.name, "%s", name);
  entry.info.expires_ms = now_ms + store->ttl_ms;
  api_keys_sha256(id, SESSION_TOKEN_CHARS, entry.id_hash);
  pthread_mutex_lock(&store->lock);
  drop_expired(store, now_ms);
  if (store->count == store->max) {
    size_t soonest = 0;
    for (size_t i = 1; i < store->count; i++)
      if (store->entries[i].info.expires_ms < store->entries[soonest].info.expires_ms)
        soonest = i;
    remove_at(store, soonest);
  }
  store->entries[store->count++] = entry;
  pthread_mutex_unlock(&store->lock);
  *info = entry.info;
  OPENSSL_cleanse(&entry, sizeof entry);
  return 0;
}

static int well_formed(const char *id)
{
  if (!id)
    return 0;
  size_t i = 0;
  for (; id[i]; i++)
    if (i == SESSION_TOKEN_CHARS || !((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
      return 0;
  return i == SESSION_TOKEN_CHARS;
}

/* Index of the live entry for id, or -1; under the lock. */
static long find_index(struct session_store *store, const char *id, int64_t now_ms)
{
  if (!well_formed(id))
    return -1;
  unsigned char hash[API_KEY_HASH_BYTES];
  api_keys_sha256(id, SESSION_TOKEN_CHARS, hash);
  drop_expired(store, now_ms);
  for (size_t i = 0; i < store->count; i++)
    if (CRYPTO_memcmp(store->entries[i].id_hash, hash, sizeof hash) == 0)
      return (long)i;
  return -1;
}

int session_find(struct session_store *store, const char *id, int64_t now_ms, struct session_info *info)
{
  pthread_mutex_lock(&store->lock);
  long index = find_index(store, id, now_ms);
  if (index >= 0)
    *info = store->entries[index].info;
  pthread_mutex_unlock(&store->lock);
  return index >= 0 ? 0 : -1;
}

int session_delete(struct session_store *store, const char *id)
{
  pthread_mutex_lock(&store->lock);
  long index = find_index(store, id, INT64_MIN);
  if (index >= 0)
    remove_at(store, (size_t)index);
  pthread_mutex_unlock(&store->lock);
  return index >= 0 ? 0 : -1;
}

size_t session_count(struct session_store *store, int64_t now_ms)
{
  pthread_mutex_lock(&store->lock);
  drop_expired(store, now_ms);
  size_t count = store->count;
  pthread_mutex_unlock(&store->lock);
  return count;
}

bool session_csrf_matches(const struct session_info *info, const char *header)
{
  if (!header || strlen(header) != SESSION_TOKEN_CHARS)
    return false;
  return CRYPTO_memcmp(info->csrf_token, header, SESSION_TOKEN_CHARS) == 0;
}
