/*
 * sms.h — growth.sms's C side: which backend the settings select, and sending
 * through it.
 *
 * SMS is optional. With none of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
 * TWILIO_FROM_NUMBER set it is "not configured": agents ask sms.available()
 * and skip it. The sender number is what makes SMS configured; the account
 * credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) make it live: Twilio's
 * Messages API at GROWTH_TWILIO_URL (sms_twilio.h) over the process's shared
 * HTTP client. A sender alone uses the local outbox (sms_local.h) — except in
 * production (NODE_ENV / GROWTH_ENV), where a message is never written to the
 * outbox instead of being sent: there SMS is "missing" until the Twilio
 * settings are complete.
 */
#ifndef GROWTH_PROVIDERS_SMS_H
#define GROWTH_PROVIDERS_SMS_H

#include <stddef.h>

struct http_client;  /* net/http_client.h; not included, its names clash with core/http/ */

#include "base/config.h"
#include "base/error.h"
#include "providers/sms/sms_local.h"

enum sms_backend { SMS_BACKEND_LIVE, SMS_BACKEND_LOCAL, SMS_BACKEND_MISSING, SMS_BACKEND_NOT_CONFIGURED };

/* Which backend cfg selects, with the reason in words (never a secret) in reason. */
enum sms_backend sms_backend_of(const struct config *cfg, char *reason, size_t reason_size);

/* Sends body to to (E.164) with the selected backend; client is the shared HTTP client (used, and
 * required, when the backend is live). Fills sid. bad_config with the reason when SMS is missing or not
 * configured. key (NULL: none) is an idempotency key: the local backend sends a message once per key
 * (sms_local_send_keyed); Twilio has no such key, so a live send inside ctx.step can repeat only if the
 * process dies between the send and the step's record. */
int sms_send_keyed(const struct config *cfg, struct http_client *client, const char *to, const char *body,
                   const char *key, char sid[SMS_SID_SIZE], struct growth_error *err);
/* sms_send_keyed without a key: every call sends. */
int sms_send(const struct config *cfg, struct http_client *client, const char *to, const char *body,
             char sid[SMS_SID_SIZE], struct growth_error *err);

#endif
