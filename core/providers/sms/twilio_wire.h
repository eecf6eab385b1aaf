/*
 * twilio_wire.h — Twilio's Messages API wire format, without the transport: the
 * request path and form body, the 201 answer and the error body
 * (shared/docs/external-apis.md section 6). The live SMS backend pairs these
 * with the shared HTTP client, which sends the form with HTTP Basic auth
 * (Account SID : Auth Token).
 */
#ifndef GROWTH_PROVIDERS_SMS_TWILIO_WIRE_H
#define GROWTH_PROVIDERS_SMS_TWILIO_WIRE_H

#include <stddef.h>

#include "base/error.h"
#include "providers/sms/sms_local.h"

/* 0 when sid is "AC" + 32 hex digits; else bad_config naming TWILIO_ACCOUNT_SID. */
int twilio_check_account_sid(const char *sid, struct growth_error *err);

/* "/2010-04-01/Accounts/<sid>/Messages.json" (free with free()). */
char *twilio_messages_path(const char *account_sid, struct growth_error *err);

/* The application/x-www-form-urlencoded body To=..&From=..&Body=.. (free with free()).
 * Checks to (E.164), from (E.164, or an alphanumeric sender of 1 to 11 letters, digits
 * and spaces with at least one letter) and the body (at most SMS_MAX_SEGMENTS). */
char *twilio_form_body(const char *to, const char *from, const char *body, struct growth_error *err);

/* Reads a 201 answer: sid ("SM"/"MM" + 32 hex) and status ("queued", ...). */
int twilio_message_parse(const char *body, size_t len, char sid[SMS_SID_SIZE], char *status, size_t status_size,
                         struct growth_error *err);

/* Turns a non-2xx answer into err by HTTP status and Twilio code: 20003 unauthorized;
 * 20404 not_found; 21211, 21604, 21602, 21617 bad_argument; 21603, 21606, 21659
 * bad_config; 21608, 21610, 21614 upstream_error (not retryable); 429 / 20429
 * rate_limited; 5xx unavailable. err->status = HTTP status. Returns -1. */
int twilio_error(int status, const char *body, size_t len, struct growth_error *err);

#endif
