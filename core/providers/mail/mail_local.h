/*
 * mail_local.h — the local mail backend: the exact bytes the live backend
 * would submit, stored as GROWTH_DATA_DIR/outbox/mail/<message id>.eml, ready
 * to open in any mail client. Files appear atomically (local_files.h).
 */
#ifndef GROWTH_PROVIDERS_MAIL_LOCAL_H
#define GROWTH_PROVIDERS_MAIL_LOCAL_H

#include <stddef.h>

#include "base/error.h"

/* Stores message (len bytes) under the local part of message_id (before '@'). When path
 * is not NULL it receives the file's path, which the caller frees. */
int mail_local_store(const char *data_dir, const char *message_id, const char *message, size_t len, char **path,
                     struct growth_error *err);

#endif
