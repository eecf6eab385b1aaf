/*
 * mail_local.c — .eml files in the outbox (see mail_local.h).
 */
#include "providers/mail/mail_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/local_files.h"

int mail_local_store(const char *data_dir, const char *message_id, const char *message, size_t len, char **path,
                     struct growth_error *err)
{
  char name[160];
  size_t local = strcspn(message_id, "@");
  if (local == 0 || local > 120)
    return error_set(err, ERR_BAD_ARGUMENT, "mail: message id '%.60s' cannot name a file", message_id);
  for (size_t i = 0; i < local; i++) {
    char c = message_id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
          c == '_'))
      return error_set(err, ERR_BAD_ARGUMENT, "mail: message id '%.60s' cannot name a file", message_id);
  }
  snprintf(name, sizeof name, "%.*s.eml", (int)local, message_id);
  char *folder = local_files_outbox(data_dir, "mail", err);
  if (!folder)
    return error_prefix(err, "outbox");
  int rc = local_files_write_in(folder, name, message, len, err);
  if (rc != 0)
    error_prefix(err, "outbox");
  if (rc == 0 && path) {
    size_t size = strlen(folder) + strlen(name) + 2;
    *path = malloc(size);
    if (*path)
      snprintf(*path, size, "%s/%s", folder, name);
    else
      rc = error_set(err, ERR_NO_MEMORY, "mail: out of memory");
  }
  free(folder);
  return rc;
}
