/*
 * outbox.h — the local backends' outbox under GROWTH_DATA_DIR/outbox/.
 *
 * The local mail and sms backends "send" by writing files that a person (or a
 * test) can read: one whole file per mail message, one appended line per SMS.
 * Both writes are safe against readers and concurrent writers: a file appears
 * under its final name only when complete (written to a temporary name in the
 * same folder, flushed, then renamed), and an appended line is one write(2) to
 * a descriptor opened with O_APPEND while holding an exclusive flock(2), so
 * lines from several processes never interleave.
 */
#ifndef GROWTH_PROVIDERS_OUTBOX_H
#define GROWTH_PROVIDERS_OUTBOX_H

#include <stddef.h>

#include "base/error.h"

/* Creates data_dir/outbox/sub (and every missing parent). Returns the path, which the
 * caller frees, or NULL with err set. sub may be "" for the outbox folder itself. */
char *outbox_folder(const char *data_dir, const char *sub, struct growth_error *err);

/* Writes data (len bytes) as folder/name, atomically. name must be a plain file name. */
int outbox_write_file(const char *folder, const char *name, const void *data, size_t len,
                      struct growth_error *err);

/* Appends line (len bytes, which must end with '\n') to folder/name in one write. */
int outbox_append_line(const char *folder, const char *name, const char *line, size_t len,
                       struct growth_error *err);

/* The same, unless the file already holds marker (looked for under the same lock): then nothing is
 * written and 1 is returned. How a send that is repeated with the same idempotency key stays one line.
 * marker NULL: always appends (0). */
int outbox_append_line_once(const char *folder, const char *name, const char *line, size_t len, const char *marker,
                            struct growth_error *err);

#endif
