/*
 * mail.c — backend choice and the send path of growth.mail (see mail.h).
 */
#include "providers/mail/mail.h"

#include <stdlib.h>

#include "base/clock.h"
#include "providers/mail/mail_local.h"
#include "providers/mail/mail_smtp.h"

#define LOCAL_SENDER "growthd@localhost.localdomain"

enum mail_backend mail_backend_of(const struct config *cfg)
{
  if (cfg->smtp_host)
    return MAIL_BACKEND_LIVE;
  return cfg->environment == ENV_PRODUCTION ? MAIL_BACKEND_MISSING : MAIL_BACKEND_LOCAL;
}

const char *mail_backend_name(enum mail_backend backend)
{
  switch (backend) {
  case MAIL_BACKEND_LIVE: return "live";
  case MAIL_BACKEND_LOCAL: return "local";
  default: return "missing";
  }
}

int mail_send(const struct config *cfg, const struct mail_message *message, char message_id[MAIL_MESSAGE_ID_SIZE],
              struct growth_error *err)
{
  return mail_send_stored(cfg, message, message_id, NULL, err);
}

int mail_send_stored(const struct config *cfg, const struct mail_message *message,
                     char message_id[MAIL_MESSAGE_ID_SIZE], char **stored, struct growth_error *err)
{
  if (stored)
    *stored = NULL;
  enum mail_backend backend = mail_backend_of(cfg);
  if (backend == MAIL_BACKEND_MISSING)
    return error_set(err, ERR_BAD_CONFIG, "mail: SMTP_HOST is not set; in production mail is never written to the "
                                          "local outbox instead");
  if (backend == MAIL_BACKEND_LIVE && !cfg->gmail_sender_address)
    return error_set(err, ERR_BAD_CONFIG, "mail: GMAIL_SENDER_ADDRESS is not set; expected the sender's address");
  struct mail_message m = *message;
  m.from.name = NULL;
  m.from.email = cfg->gmail_sender_address ? cfg->gmail_sender_address : LOCAL_SENDER;

  char *bytes = NULL;
  size_t len = 0;
  if (mail_message_build(&m, clock_wall_ms(), &bytes, &len, message_id, err) != 0)
    return -1;
  int rc;
  if (backend == MAIL_BACKEND_LOCAL) {
    rc = mail_local_store(cfg->data_dir, message_id, bytes, len, stored, err);
  } else {
    const char **recipients = malloc(m.to_count * sizeof *recipients);
    if (!recipients) {
      free(bytes);
      return error_set(err, ERR_NO_MEMORY, "mail: out of memory");
    }
    for (size_t i = 0; i < m.to_count; i++)
      recipients[i] = m.to[i].email;
    struct mail_smtp_settings settings = {
      .host = cfg->smtp_host, .port = cfg->smtp_port, .user = cfg->smtp_user, .password = cfg->smtp_pass,
      .ca_file = cfg->smtp_ca_file, .security = cfg->smtp_security, .connect_timeout_ms = cfg->smtp_connect_timeout_ms,
      .timeout_ms = cfg->smtp_timeout_ms,
    };
    rc = mail_smtp_send(&settings, m.from.email, recipients, m.to_count, bytes, len, err);
    free(recipients);
  }
  free(bytes);
  return rc;
}
