/*
 * json_text.c — see json_text.h.
 */
#include "base/json_text.h"

#define LOSSY_MAX 2048

json_t *json_text_lossy(const char *text)
{
  json_t *value = json_string(text);
  if (value)
    return value;
  char ascii[LOSSY_MAX];
  size_t i = 0;
  for (; text[i] && i < sizeof ascii - 1; i++)
    ascii[i] = (unsigned char)text[i] < 0x80 ? text[i] : '?';
  ascii[i] = '\0';
  return json_string(ascii);
}
