/*
 * media_tool.c — test and benchmark driver for the pdf and mail providers.
 *
 *   media_tool pdf DESCRIPTION.json OUT.pdf      render a document description
 *   media_tool pdf-repeat DESCRIPTION.json N     render it N times in this process (as a long-lived
 *                                                worker does); prints the median milliseconds per document
 *   media_tool mail MESSAGE.json                 send with the backend the environment selects
 *                                                (SMTP_HOST, GROWTH_DATA_DIR, ...); prints the Message-ID
 *
 * MESSAGE.json: {"to": ["a@example.com" | {"name": "...", "email": "..."}], "subject": "...",
 * "text": "...", "html": "...", "attachments": [{"filename": "...", "content_type": "...", "path": "..."}]}
 *
 * Reads JSON from a file (or "-" for stdin); prints one line and exits 1 on error,
 * the line being "<error code>: <message>" so tests can check both.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/error.h"
#include "providers/mail/mail.h"
#include "providers/pdf/pdf_json.h"

static json_t *load(const char *path, struct growth_error *err)
{
  json_error_t jerr;
  json_t *value = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
  if (!value)
    error_set(err, ERR_BAD_ARGUMENT, "cannot read JSON from %s: %s (line %d)", path, jerr.text, jerr.line);
  return value;
}

static int write_file(const char *path, const unsigned char *bytes, size_t len, struct growth_error *err)
{
  FILE *f = fopen(path, "wb");
  if (!f)
    return error_set(err, ERR_IO, "cannot create %s", path);
  size_t written = fwrite(bytes, 1, len, f);
  if (fclose(f) != 0 || written != len)
    return error_set(err, ERR_IO, "cannot write %s", path);
  return 0;
}

static int command_pdf(int argc, char **argv, struct growth_error *err)
{
  if (argc != 4)
    return error_set(err, ERR_BAD_ARGUMENT, "usage: media_tool pdf DESCRIPTION.json OUT.pdf");
  json_t *description = load(argv[2], err);
  if (!description)
    return -1;
  unsigned char *bytes = NULL;
  size_t len = 0;
  int rc = pdf_json_render(description, &bytes, &len, err);
  if (rc == 0)
    rc = write_file(argv[3], bytes, len, err);
  free(bytes);
  json_decref(description);
  return rc;
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int command_pdf_repeat(int argc, char **argv, struct growth_error *err)
{
  long runs = argc == 4 ? strtol(argv[3], NULL, 10) : 0;
  if (runs < 1 || runs > 10000)
    return error_set(err, ERR_BAD_ARGUMENT, "usage: media_tool pdf-repeat DESCRIPTION.json N (1 to 10000)");
  json_t *description = load(argv[2], err);
  if (!description)
    return -1;
  double *times = malloc((size_t)runs * sizeof *times);
  int rc = times ? 0 : error_set(err, ERR_NO_MEMORY, "out of memory");
  for (long i = 0; rc == 0 && i < runs; i++) {
    unsigned char *bytes = NULL;
    size_t len = 0;
    double start = clock_monotonic_ms_precise();
    rc = pdf_json_render(description, &bytes, &len, err);
    times[i] = clock_monotonic_ms_precise() - start;
    free(bytes);
  }
  if (rc == 0) {
    qsort(times, (size_t)runs, sizeof *times, compare_doubles);
    printf("%.3f\n", times[runs / 2]);
  }
  free(times);
  json_decref(description);
  return rc;
}

static unsigned char *read_file(const char *path, size_t *len, struct growth_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    error_set(err, ERR_IO, "cannot open %s", path);
    return NULL;
  }
  unsigned char *data = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 65536;
      unsigned char *grown = realloc(data, cap);
      if (!grown) {
        free(data);
        fclose(f);
        error_set(err, ERR_NO_MEMORY, "out of memory reading %s", path);
        return NULL;
      }
      data = grown;
    }
    size_t n = fread(data + *len, 1, cap - *len, f);
    if (n == 0)
      break;
    *len += n;
  }
  fclose(f);
  return data;
}

static const char *lookup_env(const char *name, void *context)
{
  (void)context;
  return getenv(name);
}

#define MAX_ITEMS 16

static int command_mail(int argc, char **argv, struct growth_error *err)
{
  if (argc != 3)
    return error_set(err, ERR_BAD_ARGUMENT, "usage: media_tool mail MESSAGE.json");
  struct config cfg;
  if (config_load(&cfg, lookup_env, NULL, err) != 0)
    return -1;
  json_t *spec = load(argv[2], err);
  if (!spec) {
    config_free(&cfg);
    return -1;
  }
  struct mail_address to[MAX_ITEMS];
  struct mail_attachment attachments[MAX_ITEMS];
  unsigned char *contents[MAX_ITEMS] = { 0 };
  struct mail_message m = { .subject = json_string_value(json_object_get(spec, "subject")),
                            .text = json_string_value(json_object_get(spec, "text")),
                            .html = json_string_value(json_object_get(spec, "html")), .to = to,
                            .attachments = attachments };
  int rc = -1;
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(spec, "to"), i, item) {
    if (i == MAX_ITEMS)
      break;
    to[i].name = json_string_value(json_object_get(item, "name"));
    to[i].email = json_is_string(item) ? json_string_value(item) : json_string_value(json_object_get(item, "email"));
    m.to_count = i + 1;
  }
  json_array_foreach(json_object_get(spec, "attachments"), i, item) {
    if (i == MAX_ITEMS)
      break;
    attachments[i].filename = json_string_value(json_object_get(item, "filename"));
    attachments[i].content_type = json_string_value(json_object_get(item, "content_type"));
    contents[i] = read_file(json_string_value(json_object_get(item, "path")), &attachments[i].len, err);
    if (!contents[i])
      goto done;
    attachments[i].data = contents[i];
    m.attachment_count = i + 1;
  }
  char message_id[MAIL_MESSAGE_ID_SIZE];
  rc = mail_send(&cfg, &m, message_id, err);
  if (rc == 0)
    printf("%s\n", message_id);
done:
  for (i = 0; i < MAX_ITEMS; i++)
    free(contents[i]);
  json_decref(spec);
  config_free(&cfg);
  return rc;
}

int main(int argc, char **argv)
{
  struct growth_error err = { 0 };
  int rc;
  if (argc >= 2 && strcmp(argv[1], "pdf") == 0)
    rc = command_pdf(argc, argv, &err);
  else if (argc >= 2 && strcmp(argv[1], "pdf-repeat") == 0)
    rc = command_pdf_repeat(argc, argv, &err);
  else if (argc >= 2 && strcmp(argv[1], "mail") == 0)
    rc = command_mail(argc, argv, &err);
  else
    rc = error_set(&err, ERR_BAD_ARGUMENT, "usage: media_tool pdf|pdf-repeat|mail ...");
  pdf_shutdown();
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", error_code_name(err.code), err.message);
    return 1;
  }
  return 0;
}
