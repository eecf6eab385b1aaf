/*
 * multipart.h — RFC 2387 multipart/related bodies assembled in memory.
 *
 * libcurl's mime API produces multipart/form-data; APIs such as Google Drive's
 * multipart upload want multipart/related (metadata part, then media part).
 * This builds such a body byte for byte: CRLF line ends, a boundary chosen at
 * random and checked absent from every part, a closing delimiter with "--".
 */
#ifndef GROWTH_NET_MULTIPART_H
#define GROWTH_NET_MULTIPART_H

#include <stddef.h>

#include "base/error.h"
#include "net/http_client.h"

struct multipart_body {
  char *data;
  size_t size;
  char content_type[128];   /* "multipart/related; boundary=..." */
};

/* Builds the body of parts (content_type and data of each are used). The caller frees with multipart_free. */
int multipart_build_related(const struct http_part *parts, size_t count, struct multipart_body *out,
                            struct growth_error *err);

void multipart_free(struct multipart_body *body);

#endif
