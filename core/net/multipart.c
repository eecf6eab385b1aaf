/*
 * multipart.c — multipart/related assembly (see multipart.h).
 *
 * The boundary is "growth_" and 24 random hex digits from OpenSSL's RAND;
 * it is drawn again (up to a few times) in the unlikely case a part contains
 * it, so binary media can never end the body early.
 */
#include "net/multipart.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY_TRIES 8

static int contains(const void *data, size_t size, const char *needle)
{
  size_t length = strlen(needle);
  return size >= length && memmem(data, size, needle, length) != NULL;
}

static int pick_boundary(const struct http_part *parts, size_t count, char *out, size_t size)
{
  for (int attempt = 0; attempt < BOUNDARY_TRIES; attempt++) {
    unsigned char random[12];
    if (RAND_bytes(random, sizeof random) != 1)
      return -1;
    int used = snprintf(out, size, "growth_");
    for (size_t i = 0; i < sizeof random; i++)
      used += snprintf(out + used, size - (size_t)used, "%02x", random[i]);
    int clash = 0;
    for (size_t i = 0; i < count && !clash; i++)
      clash = contains(parts[i].data, parts[i].size, out);
    if (!clash)
      return 0;
  }
  return -1;
}

int multipart_build_related(const struct http_part *parts, size_t count, struct multipart_body *out,
                            struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  char boundary[64];
  if (count == 0)
    return error_set(err, ERR_BAD_ARGUMENT, "multipart body: no parts; expected at least one");
  if (pick_boundary(parts, count, boundary, sizeof boundary) != 0)
    return error_set(err, ERR_INTERNAL, "multipart body: could not choose a boundary absent from the data");
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    const char *type = parts[i].content_type ? parts[i].content_type : "application/octet-stream";
    total += strlen(boundary) + strlen(type) + parts[i].size + 64;
  }
  total += strlen(boundary) + 16;
  char *data = malloc(total);
  if (!data)
    return error_set(err, ERR_NO_MEMORY, "multipart body: out of memory for %zu bytes", total);
  size_t used = 0;
  for (size_t i = 0; i < count; i++) {
    const char *type = parts[i].content_type ? parts[i].content_type : "application/octet-stream";
    used += (size_t)snprintf(data + used, total - used, "--%s\r\nContent-Type: %s\r\n\r\n", boundary, type);
    if (parts[i].size)
      memcpy(data + used, parts[i].data, parts[i].size);
    used += parts[i].size;
    used += (size_t)snprintf(data + used, total - used, "\r\n");
  }
  used += (size_t)snprintf(data + used, total - used, "--%s--\r\n", boundary);
  out->data = data;
  out->size = used;
  snprintf(out->content_type, sizeof out->content_type, "multipart/related; boundary=%s", boundary);
  return 0;
}

void multipart_free(struct multipart_body *body)
{
  if (!body)
    return;
  free(body->data);
  body->data = NULL;
  body->size = 0;
}
