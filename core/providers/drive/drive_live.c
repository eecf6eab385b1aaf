/*
 * drive_live.c — the Google Drive v3 backend (see drive.h).
 *
 * The upload is one multipart/related request (the HTTP client assembles the
 * body with a boundary absent from the bytes); it is a POST and so is repeated
 * only after a rate-limit answer. The share is a permissions.create for a
 * "user" reader without a notification e-mail; Drive keeps one permission per
 * address, so it is repeated after timeouts and 5xx like a GET. When the share
 * fails after the upload succeeded, the error names the uploaded file's id.
 *
 * An upload with an idempotency key (hashed by drive.c) stores it as the appProperty
 * growthdKey, and first asks files.list for a file with that property
 * (drive_keyed.h): a job step that runs again after a failed share, or after an
 * upload whose answer was lost, gets the file it made before (and shares it)
 * instead of a copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "providers/drive/drive_backend.h"
#include "providers/drive/drive_keyed.h"

#define URL_MAX 2048

struct drive_live {
  struct google_api *api;
  char *base_url;
  struct rate_limit limits[1];
};

struct drive_live *drive_live_new(struct google_api *api, const char *base_url, long per_100s,
                                  struct growth_error *err)
{
  struct drive_live *live = calloc(1, sizeof *live);
  if (!live || !(live->base_url = strdup(base_url))) {
    free(live);
    error_set(err, ERR_NO_MEMORY, "drive: out of memory");
    return NULL;
  }
  live->api = api;
  live->limits[0] = (struct rate_limit){ "drive", per_100s, 100000 };
  return live;
}

void drive_live_free(struct drive_live *live)
{
  if (!live)
    return;
  free(live->base_url);
  free(live);
}

static int share(struct drive_live *live, const char *id, const char *email, struct growth_error *err)
{
  char url[URL_MAX];
  char *escaped = http_escape(id);
  if (!escaped)
    return error_set(err, ERR_NO_MEMORY, "drive.upload: out of memory");
  snprintf(url, sizeof url, "%s/drive/v3/files/%s/permissions?sendNotificationEmail=false&supportsAllDrives=true",
           live->base_url, escaped);
  free(escaped);
  json_t *body = json_pack("{s:s, s:s, s:s}", "type", "user", "role", "reader", "emailAddress", email);
  if (!body)
    return error_set(err, ERR_NO_MEMORY, "drive.upload: out of memory");
  struct http_request request = { .method = HTTP_POST, .url = url, .json = body, .repeat = HTTP_REPEAT_SAFE,
                                  .what = "drive.upload (share)" };
  json_t *answer = google_api_call(live->api, live->limits, 1, &request, err);
  json_decref(body);
  if (!answer)
    return error_prefix(err, "drive.upload: file %s was uploaded but sharing it with %s failed", id, email);
  int result = json_is_string(json_object_get(answer, "id"))
                 ? 0
                 : error_set(err, ERR_UPSTREAM, "drive.upload: the permission answer has no \"id\"; file %s was "
                                                "uploaded but may not be shared", id);
  json_decref(answer);
  return result;
}

static json_t *post_upload(struct drive_live *live, const struct drive_upload *upload, const char *digest,
                           struct growth_error *err)
{
  char url[URL_MAX];
  snprintf(url, sizeof url, "%s/upload/drive/v3/files?uploadType=multipart&supportsAllDrives=true"
           "&fields=id,name,mimeType,webViewLink", live->base_url);
  json_t *metadata = json_pack("{s:s, s:s}", "name", upload->name, "mimeType", upload->mime);
  if (metadata && upload->folder)
    json_object_set_new(metadata, "parents", json_pack("[s]", upload->folder));
  if (metadata && digest)
    json_object_set_new(metadata, "appProperties", json_pack("{s:s}", DRIVE_KEY_PROPERTY, digest));
  char *metadata_text = metadata ? json_dumps(metadata, JSON_COMPACT) : NULL;
  json_decref(metadata);
  if (!metadata_text) {
    error_set(err, ERR_NO_MEMORY, "drive.upload: out of memory");
    return NULL;
  }
  struct http_part parts[] = {
    { NULL, NULL, "application/json; charset=UTF-8", metadata_text, strlen(metadata_text) },
    { NULL, NULL, upload->mime, upload->bytes, upload->size },
  };
  struct http_request request = { .method = HTTP_POST, .url = url, .parts = parts, .part_count = 2,
                                  .multipart = HTTP_MULTIPART_RELATED, .what = "drive.upload" };
  json_t *answer = google_api_call(live->api, live->limits, 1, &request, err);
  free(metadata_text);
  return answer;
}

int drive_live_upload(struct drive_live *live, const struct drive_upload *upload, json_t **out,
                      struct growth_error *err)
{
  json_t *answer = NULL;
  if (upload->key && drive_key_find(live->api, live->limits, 1, live->base_url, upload->key, "drive.upload", &answer,
                                    err) != 0)
    return -1;
  if (!answer && !(answer = post_upload(live, upload, upload->key, err)))
    return -1;
  const char *id = json_string_value(json_object_get(answer, "id"));
  const char *link = json_string_value(json_object_get(answer, "webViewLink"));
  char fallback[URL_MAX];
  int result = 0;
  if (!id || !*id) {
    result = error_set(err, ERR_UPSTREAM, "drive.upload: the answer has no \"id\"; expected the created File");
  } else {
    if (!link) {
      snprintf(fallback, sizeof fallback, "https://drive.google.com/file/d/%s/view", id);
      link = fallback;
    }
    if (upload->share_with)
      result = share(live, id, upload->share_with, err);
    if (result == 0 && !(*out = json_pack("{s:s, s:s}", "id", id, "url", link)))
      result = error_set(err, ERR_NO_MEMORY, "drive.upload: out of memory");
  }
  json_decref(answer);
  return result;
}
