/*
 * mail.h — growth.mail's C side: send a message with the backend the
 * configuration selects.
 *
 * Live (SMTP, mail_smtp.h) when SMTP_HOST is set; From is then
 * GMAIL_SENDER_ADDRESS, which is required. Local (mail_local.h) otherwise,
 * writing the same bytes to the outbox, From GMAIL_SENDER_ADDRESS or
 * growthd@localhost.localdomain. In production (NODE_ENV / GROWTH_ENV) a
 * missing SMTP_HOST is an error, never a silent switch to local.
 */
#ifndef GROWTH_PROVIDERS_MAIL_H
#define GROWTH_PROVIDERS_MAIL_H

#include "base/config.h"
#include "base/error.h"
#include "providers/mail/mail_message.h"

enum mail_backend { MAIL_BACKEND_LIVE, MAIL_BACKEND_LOCAL, MAIL_BACKEND_MISSING };

/* Which backend cfg selects; "live", "local" or "missing" through mail_backend_name. */
enum mail_backend mail_backend_of(const struct config *cfg);
const char *mail_backend_name(enum mail_backend backend);

/* Builds and sends message (its from field is ignored: the sender comes from cfg).
 * Fills message_id (without angle brackets). */
int mail_send(const struct config *cfg, const struct mail_message *message, char message_id[MAIL_MESSAGE_ID_SIZE],
              struct growth_error *err);

/* mail_send that also hands over, in *stored (malloc'd), the .eml file's path when the local
 * backend kept the message; *stored stays NULL when it went out by SMTP. */
int mail_send_stored(const struct config *cfg, const struct mail_message *message,
                     char message_id[MAIL_MESSAGE_ID_SIZE], char **stored, struct growth_error *err);

#endif
