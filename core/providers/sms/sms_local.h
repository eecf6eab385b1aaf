/*
 * sms_local.h — the local SMS backend: each message becomes one JSON line in
 * GROWTH_DATA_DIR/outbox/sms.jsonl, after the same checks the live backend
 * makes (E.164 recipient, at most SMS_MAX_SEGMENTS segments).
 *
 * A line holds sid ("SM" + 32 hex digits, the shape of Twilio's), to, from (null
 * when no sender is configured), body, encoding ("gsm7"/"ucs2"), segments and
 * date_created (ISO 8601 UTC). Lines are appended under a lock (local_files.h).
 */
#ifndef GROWTH_PROVIDERS_SMS_LOCAL_H
#define GROWTH_PROVIDERS_SMS_LOCAL_H

#include "base/error.h"

#define SMS_SID_SIZE 35  /* "SM" + 32 hex + NUL */

/* Checks and appends one message; fills sid. from (TWILIO_FROM_NUMBER) may be NULL. */
int sms_local_send(const char *data_dir, const char *from, const char *to, const char *body, char sid[SMS_SID_SIZE],
                   struct growth_error *err);

/* The same with an idempotency key (NULL: none): the sid is derived from the key, and a message whose
 * sid is already in the outbox is not appended again (the send succeeds with that sid). */
int sms_local_send_keyed(const char *data_dir, const char *from, const char *to, const char *body, const char *key,
                         char sid[SMS_SID_SIZE], struct growth_error *err);

#endif
