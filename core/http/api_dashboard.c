/*
 * api_dashboard.c — serves the /agents dashboard's static files from
 * GROWTH_DASHBOARD_DIR. Files are read on each request, so editing the
 * dashboard needs no restart. Only plain names in that one folder are served:
 * no '/', no leading '.', so a request cannot reach outside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api_handlers.h"

#define DASHBOARD_FILE_MAX (4 * 1024 * 1024)

static const struct {
  const char *extension;
  const char *type;
} content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".json", "application/json; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".ico", "image/x-icon" },
};

static const char *content_type_for(const char *name)
{
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
    if (strcmp(dot, content_types[i].extension) == 0)
      return content_types[i].type;
  return NULL;
}

static int is_plain_name(const char *name)
{
  if (name[0] == '\0' || name[0] == '.')
    return 0;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\')
      return 0;
  return 1;
}

/* Reads path whole; NULL with errno set on failure. */
static char *read_file(const char *path, size_t *length)
{
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  char *data = malloc(DASHBOARD_FILE_MAX);
  if (!data) {
    fclose(file);
    errno = ENOMEM;
    return NULL;
  }
  *length = fread(data, 1, DASHBOARD_FILE_MAX, file);
  int failed = ferror(file) || *length == DASHBOARD_FILE_MAX;
  fclose(file);
  if (failed) {
    free(data);
    errno = EFBIG;
    return NULL;
  }
  return data;
}

static void serve_file(struct http_request *request, struct http_response *response, const char *name)
{
  const struct api_context *context = request->context;
  const char *type = content_type_for(name);
  if (!is_plain_name(name) || !type) {
    http_respond_error(response, 404, "not_found", "no dashboard file %s", request->path);
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", context->config->dashboard_dir, name);
  size_t length = 0;
  char *data = read_file(path, &length);
  if (!data) {
    if (errno == ENOENT)
      http_respond_error(response, 404, "not_found", "no dashboard file %s", request->path);
    else
      http_respond_error(response, 500, "io_error", "cannot read dashboard file %s: %s", name, strerror(errno));
    return;
  }
  http_respond_bytes(response, 200, type, data, length);
  http_response_add_header(response, "Cache-Control", "no-cache");
}

void api_dashboard_page(struct http_request *request, struct http_response *response)
{
  serve_file(request, response, "index.html");
}

void api_dashboard_asset(struct http_request *request, struct http_response *response)
{
  serve_file(request, response, route_param(&request->params, "file"));
}
