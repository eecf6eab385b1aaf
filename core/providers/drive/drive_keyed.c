/*
 * drive_keyed.c — idempotent creates on Google Drive (see drive_keyed.h).
 *
 * The query is Drive's documented appProperties search,
 *   appProperties has { key='growthdKey' and value='<hex>' } and trashed = false
 * with corpora=allDrives, includeItemsFromAllDrives and supportsAllDrives, since the files live in a
 * shared-drive folder (a service account owns no storage of its own).
 */
#include "providers/drive/drive_keyed.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"

#define URL_MAX 2048

int drive_key_digest(const char *key, char out[DRIVE_KEY_DIGEST_SIZE], const char *what, struct growth_error *err)
{
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(key, strlen(key), bytes, &size, EVP_sha256(), NULL) != 1 || size != 32)
    return error_set(err, ERR_INTERNAL, "%s: cannot hash the idempotency key", what);
  for (unsigned int i = 0; i < size; i++)
    snprintf(out + 2 * i, 3, "%02x", bytes[i]);
  return 0;
}

int drive_key_find(struct google_api *api, const struct rate_limit *limits, size_t limit_count, const char *drive_url,
                   const char *digest, const char *what, json_t **found, struct growth_error *err)
{
  *found = NULL;
  char query[256], url[URL_MAX], label[96];
  snprintf(query, sizeof query,
           "appProperties has { key='" DRIVE_KEY_PROPERTY "' and value='%s' } and trashed = false", digest);
  char *escaped = http_escape(query);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "%s: out of memory", what);
  int length = snprintf(url, sizeof url, "%s/drive/v3/files?q=%s&corpora=allDrives&includeItemsFromAllDrives=true"
                        "&supportsAllDrives=true&fields=files(id,name,mimeType,webViewLink)", drive_url, escaped);
  free(escaped);
  if (length < 0 || (size_t)length >= sizeof url)
    return error_set(err, ERR_BAD_CONFIG, "%s: the Drive URL is too long", what);
  snprintf(label, sizeof label, "%s: looking for an earlier one", what);
  struct http_request request = { .method = HTTP_GET, .url = url, .what = label };
  json_t *answer = google_api_call(api, limits, limit_count, &request, err);
  if (!answer)
    return -1;
  json_t *files = json_object_get(answer, "files");
  if (!json_is_array(files)) {
    json_decref(answer);
    return error_set(err, ERR_UPSTREAM, "%s: the files.list answer has no \"files\" array", what);
  }
  json_t *first = json_array_get(files, 0);
  *found = first ? json_incref(first) : NULL;
  json_decref(answer);
  return 0;
}
