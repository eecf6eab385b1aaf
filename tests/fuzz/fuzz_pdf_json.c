/*
 * fuzz_pdf_json.c — PDF document descriptions from arbitrary JSON. Either the
 * description is refused with bad_argument (and a message naming the problem), or
 * a PDF comes out. Inputs are capped at 4 KiB to keep each run short.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/pdf/pdf_document.h"
#include "providers/pdf/pdf_json.h"

static void release_fonts(void)
{
  pdf_shutdown();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int registered;
  if (!registered) {
    atexit(release_fonts);
    registered = 1;
  }
  if (size > 4096)
    return 0;
  json_t *description = json_loadb((const char *)data, size, 0, NULL);
  if (!description)
    return 0;
  struct growth_error err = { 0 };
  unsigned char *bytes = NULL;
  size_t len = 0;
  if (pdf_json_render(description, &bytes, &len, &err) == 0) {
    if (len < 8 || memcmp(bytes, "%PDF-", 5) != 0)
      abort();
    free(bytes);
  } else if (err.code != ERR_BAD_ARGUMENT || strncmp(err.message, "pdf: ", 5) != 0) {
    abort();
  }
  json_decref(description);
  return 0;
}
