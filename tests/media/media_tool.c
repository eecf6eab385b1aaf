/*
 * media_tool.c — test and benchmark driver for the pdf and mail providers.
 *
 *   media_tool pdf DESCRIPTION.json OUT.pdf      render a document description
 *
 * Reads JSON from a file (or "-" for stdin); prints one line and exits 1 on error,
 * the line being "<error code>: <message>" so tests can check both.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
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

int main(int argc, char **argv)
{
  struct growth_error err = { 0 };
  int rc;
  if (argc >= 2 && strcmp(argv[1], "pdf") == 0)
    rc = command_pdf(argc, argv, &err);
  else
    rc = error_set(&err, ERR_BAD_ARGUMENT, "usage: media_tool pdf ...");
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", error_code_name(err.code), err.message);
    return 1;
  }
  return 0;
}
