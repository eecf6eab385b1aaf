/*
 * sms_local.c — the local SMS backend (see sms_local.h).
 */
#include "providers/sms/sms_local.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "providers/local_files.h"
#include "providers/sms/sms_text.h"

#define SMS_OUTBOX_FILE "sms.jsonl"

static int make_sid(char sid[SMS_SID_SIZE], struct growth_error *err)
{
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1)
    return error_set(err, ERR_INTERNAL, "sms: the random generator failed while making a message sid");
  sid[0] = 'S';
  sid[1] = 'M';
  for (size_t i = 0; i < sizeof random; i++)
    snprintf(sid + 2 + 2 * i, 3, "%02x", random[i]);
  return 0;
}

/* "SM" + the first 16 bytes of SHA-256(key) in hex: the same key gives the same sid. */
static int keyed_sid(const char *key, char sid[SMS_SID_SIZE], struct growth_error *err)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(key, strlen(key), digest, &size, EVP_sha256(), NULL) != 1 || size < 16)
    return error_set(err, ERR_INTERNAL, "sms: cannot hash the idempotency key");
  sid[0] = 'S';
  sid[1] = 'M';
  for (size_t i = 0; i < 16; i++)
    snprintf(sid + 2 + 2 * i, 3, "%02x", digest[i]);
  return 0;
}

int sms_local_send(const char *data_dir, const char *from, const char *to, const char *body, char sid[SMS_SID_SIZE],
                   struct growth_error *err)
{
  return sms_local_send_keyed(data_dir, from, to, body, NULL, sid, err);
}

int sms_local_send_keyed(const char *data_dir, const char *from, const char *to, const char *body, const char *key,
                         char sid[SMS_SID_SIZE], struct growth_error *err)
{
  struct sms_segments segments;
  if (sms_check_e164(to, err) != 0 || sms_check_body(body, &segments, err) != 0)
    return -1;
  if (from && sms_check_sender(from, err) != 0)
    return -1;
  if (key ? keyed_sid(key, sid, err) != 0 : make_sid(sid, err) != 0)
    return -1;
  char date[32];
  clock_format_iso(clock_wall_ms(), date, sizeof date);

  int result = -1;
  char *folder = NULL, *line = NULL;
  json_t *record = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:I, s:s}", "sid", sid, "to", to, "from", from, "body", body,
                             "encoding", sms_encoding_name(segments.encoding), "segments",
                             (json_int_t)segments.segments, "date_created", date);
  if (!record) {
    error_set(err, ERR_NO_MEMORY, "sms: cannot build the outbox record");
    goto done;
  }
  /* JSON_COMPACT escapes newlines inside strings, so the record is one line. */
  line = json_dumps(record, JSON_COMPACT | JSON_ENSURE_ASCII);
  if (!line) {
    error_set(err, ERR_NO_MEMORY, "sms: cannot serialise the outbox record");
    goto done;
  }
  size_t len = strlen(line);
  char *with_newline = realloc(line, len + 2);
  if (!with_newline) {
    error_set(err, ERR_NO_MEMORY, "sms: out of memory");
    goto done;
  }
  line = with_newline;
  memcpy(line + len, "\n", 2);
  folder = local_files_outbox(data_dir, "", err);
  if (!folder) {
    error_prefix(err, "outbox");
    goto done;
  }
  char marker[SMS_SID_SIZE + 16];
  snprintf(marker, sizeof marker, "{\"sid\":\"%s\"", sid);
  if (local_files_append_line_once(folder, SMS_OUTBOX_FILE, line, len + 1, key ? marker : NULL, err) < 0) {
    error_prefix(err, "outbox");
    goto done;
  }
  result = 0;

done:
  free(folder);
  free(line);
  json_decref(record);
  return result;
}
