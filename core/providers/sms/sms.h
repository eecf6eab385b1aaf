/*
 * sms.h — growth.sms's C side: which backend the settings select, and sending
 * through it.
 *
 * SMS is optional. With none of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
 * TWILIO_FROM_NUMBER set it is "not configured": agents ask sms.available()
 * and skip it. The sender number is what makes SMS configured; the account
 * credentials make it live. The live backend (Twilio's Messages API,
 * twilio_wire.h) needs the shared HTTP client and is not part of this build,
 * so a configured SMS uses the local outbox (sms_local.h) — except in
 * production (NODE_ENV / GROWTH_ENV), where a message is never written to the
 * outbox instead of being sent: there SMS is "missing" until the live backend
 * is present and its settings complete.
 */
#ifndef GROWTH_PROVIDERS_SMS_H
#define GROWTH_PROVIDERS_SMS_H

#include <stddef.h>

#include "base/config.h"
#include "base/error.h"
#include "providers/sms/sms_local.h"

enum sms_backend { SMS_BACKEND_LIVE, SMS_BACKEND_LOCAL, SMS_BACKEND_MISSING, SMS_BACKEND_NOT_CONFIGURED };

/* Which backend cfg selects, with the reason in words (never a secret) in reason. */
enum sms_backend sms_backend_of(const struct config *cfg, char *reason, size_t reason_size);

/* Sends body to to (E.164) with the selected backend; fills sid. bad_config with the reason
 * when SMS is missing or not configured. key (NULL: none) is an idempotency key: the local backend
 * sends a message once per key (sms_local_send_keyed). */
int sms_send_keyed(const struct config *cfg, const char *to, const char *body, const char *key,
                   char sid[SMS_SID_SIZE], struct growth_error *err);
/* sms_send_keyed without a key: every call sends. */
int sms_send(const struct config *cfg, const char *to, const char *body, char sid[SMS_SID_SIZE],
             struct growth_error *err);

#endif
