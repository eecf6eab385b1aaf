/*
 * sms.c — backend choice and the send path of growth.sms (see sms.h).
 */
#include "providers/sms/sms.h"

#include <stdio.h>
#include <string.h>

#include "providers/sms/sms_text.h"
#include "providers/sms/sms_twilio.h"
#include "providers/sms/twilio_wire.h"

enum sms_backend sms_backend_of(const struct config *cfg, char *reason, size_t reason_size)
{
  int has_account = cfg->twilio_account_sid != NULL, has_token = cfg->twilio_auth_token != NULL;
  int production = cfg->environment == ENV_PRODUCTION;
  struct growth_error sender_err = { 0 };
  if (!has_account && !has_token && !cfg->twilio_from_number) {
    snprintf(reason, reason_size, "TWILIO_FROM_NUMBER, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set; "
                                  "agents skip SMS");
    return SMS_BACKEND_NOT_CONFIGURED;
  }
  if (!cfg->twilio_from_number) {
    snprintf(reason, reason_size, "TWILIO_FROM_NUMBER is not set; expected the sender's E.164 number or "
                                  "alphanumeric id beside the Twilio account settings");
    return SMS_BACKEND_MISSING;
  }
  if (sms_check_sender(cfg->twilio_from_number, &sender_err) != 0) {
    snprintf(reason, reason_size, "%.*s", (int)reason_size - 1, sender_err.message);
    return SMS_BACKEND_MISSING;
  }
  if (has_account != has_token) {
    snprintf(reason, reason_size, "%s is set without %s; expected both or neither",
             has_account ? "TWILIO_ACCOUNT_SID" : "TWILIO_AUTH_TOKEN",
             has_account ? "TWILIO_AUTH_TOKEN" : "TWILIO_ACCOUNT_SID");
    return SMS_BACKEND_MISSING;
  }
  if (has_account) {
    struct growth_error account_err = { 0 };
    if (twilio_check_account_sid(cfg->twilio_account_sid, &account_err) != 0) {
      snprintf(reason, reason_size, "%.*s", (int)reason_size - 1, account_err.message + strlen("sms: "));
      return SMS_BACKEND_MISSING;
    }
    snprintf(reason, reason_size, "Twilio at %s, account %s, from %s", cfg->twilio_url ? cfg->twilio_url : "",
             cfg->twilio_account_sid, cfg->twilio_from_number);
    return SMS_BACKEND_LIVE;
  }
  if (production) {
    snprintf(reason, reason_size, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set; in production messages "
                                  "are never written to the local outbox instead");
    return SMS_BACKEND_MISSING;
  }
  snprintf(reason, reason_size, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set: messages are written to "
                                "%s/outbox/sms.jsonl", cfg->data_dir);
  return SMS_BACKEND_LOCAL;
}

int sms_send(const struct config *cfg, struct http_client *client, const char *to, const char *body,
             char sid[SMS_SID_SIZE], struct growth_error *err)
{
  return sms_send_keyed(cfg, client, to, body, NULL, sid, err);
}

int sms_send_keyed(const struct config *cfg, struct http_client *client, const char *to, const char *body,
                   const char *key, char sid[SMS_SID_SIZE], struct growth_error *err)
{
  char reason[384];
  enum sms_backend backend = sms_backend_of(cfg, reason, sizeof reason);
  if (backend == SMS_BACKEND_LIVE && client)
    return sms_twilio_send(client, cfg, to, body, sid, err);
  if (backend == SMS_BACKEND_LIVE)
    return error_set(err, ERR_BAD_CONFIG, "sms: the live backend is selected but this host gave it no HTTP client");
  if (backend != SMS_BACKEND_LOCAL)
    return error_set(err, ERR_BAD_CONFIG, "sms: %s", reason);
  return sms_local_send_keyed(cfg->data_dir, cfg->twilio_from_number, to, body, key, sid, err);
}
