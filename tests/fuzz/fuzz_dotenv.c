/*
 * fuzz_dotenv.c — the dotenv reader on arbitrary text: it must either parse or
 * fail with a message, never crash, leak or read past the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct growth_error err = { 0 };
  struct dotenv *env = dotenv_parse(text, "fuzz.env", &err);
  if (env) {
    dotenv_get(env, "PORT");
    dotenv_free(env);
  } else if (err.message[0] == '\0') {
    abort();  /* a refusal must say why */
  }
  free(text);
  return 0;
}
