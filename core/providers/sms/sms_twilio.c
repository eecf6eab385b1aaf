/*
 * sms_twilio.c — Twilio's Messages API over the shared HTTP client (see sms_twilio.h).
 */
#include "providers/sms/sms_twilio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "providers/sms/twilio_wire.h"

#define URL_MAX 2048

int sms_twilio_send(struct http_client *client, const struct config *cfg, const char *to, const char *body,
                    char sid[SMS_SID_SIZE], struct growth_error *err)
{
  char *path = twilio_messages_path(cfg->twilio_account_sid, err);
  char *form = path ? twilio_form_body(to, cfg->twilio_from_number, body, err) : NULL;
  struct http_response response = { 0 };
  int rc = -1;
  if (!form)
    goto done;
  const char *base = cfg->twilio_url ? cfg->twilio_url : "";
  size_t base_length = strlen(base);
  while (base_length > 0 && base[base_length - 1] == '/')
    base_length--;
  char url[URL_MAX];
  int length = snprintf(url, sizeof url, "%.*s%s", (int)base_length, base, path);
  if (base_length == 0 || length < 0 || (size_t)length >= sizeof url) {
    error_set(err, ERR_BAD_CONFIG, "sms: GROWTH_TWILIO_URL is empty or too long; expected a URL such as "
                                   "https://api.twilio.com");
    goto done;
  }
  struct http_request request = {
    .method = HTTP_POST, .url = url, .body = form, .body_size = strlen(form),
    .content_type = "application/x-www-form-urlencoded", .auth = HTTP_AUTH_BASIC,
    .username = cfg->twilio_account_sid, .password = cfg->twilio_auth_token, .repeat = HTTP_REPEAT_UNSAFE,
    .what = "sms",   /* "sms: POST <url>: ..." becomes "sms.send: POST ..." in Lua */
  };
  if (http_client_send(client, &request, &response, err) != 0) {
    if (response.status >= 400) {
      int attempts = response.attempts;
      twilio_error((int)response.status, response.body, response.body_size, err);
      if (attempts > 1) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (after %d attempts)", attempts);
      }
    }
    goto done;
  }
  char status[32];
  if (twilio_message_parse(response.body, response.body_size, sid, status, sizeof status, err) != 0)
    goto done;
  log_debug("SMS", "Twilio accepted %s (status %s)", sid, status);
  rc = 0;

done:
  http_response_free(&response);
  free(form);
  free(path);
  return rc;
}
