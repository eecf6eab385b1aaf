/*
 * sms_twilio.h — the live SMS backend: Twilio's Messages API at
 * GROWTH_TWILIO_URL, over the shared HTTP client.
 *
 * One POST /2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json per message
 * with HTTP Basic auth (Account SID : Auth Token) and the form fields To, From
 * (TWILIO_FROM_NUMBER) and Body, built and checked by twilio_wire.h: To in
 * E.164, the body at most SMS_MAX_SEGMENTS segments.
 *
 * Creating a message is not safe to repeat: after a timeout, a dropped
 * connection or a 5xx the message may have been queued, so the client does not
 * send it again; the error is retryable and the job decides (an agent that must
 * not text twice wraps the send in ctx.step). A 429 (code 20429) was never
 * processed and is retried here, after Retry-After when Twilio sends one.
 * Twilio's error body (code, message, more_info, status) becomes the error:
 * a bad number is bad_argument, not retryable (twilio_wire.h has the table).
 */
#ifndef GROWTH_PROVIDERS_SMS_TWILIO_H
#define GROWTH_PROVIDERS_SMS_TWILIO_H

#include "base/config.h"
#include "base/error.h"
#include "net/http_client.h"
#include "providers/sms/sms_local.h"

/* Sends body to to from cfg->twilio_from_number; fills sid ("SM" + 32 hex). */
int sms_twilio_send(struct http_client *client, const struct config *cfg, const char *to, const char *body,
                    char sid[SMS_SID_SIZE], struct growth_error *err);

#endif
