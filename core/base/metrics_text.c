/*
 * metrics_text.c — numbers, escaping and names of the Prometheus text format
 * (see metrics_text.h).
 *
 * Numbers: Prometheus parses values with Go's ParseFloat, so any finite form
 * works, but "3" reads better than "3.0000000000000000" and "0.1" better than
 * "0.10000000000000001". Integers below 2^53 are written as integers; other
 * values with 15 significant digits when that reads back exactly, else 17.
 */
#include "base/metrics_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void metrics_text_number(double value, char *out, size_t size)
{
  if (isnan(value)) {
    snprintf(out, size, "NaN");
  } else if (isinf(value)) {
    snprintf(out, size, "%s", value > 0 ? "+Inf" : "-Inf");
  } else if (value == floor(value) && fabs(value) < 9007199254740992.0) {
    snprintf(out, size, "%.0f", value == 0 ? 0.0 : value);  /* no "-0" */
  } else {
    snprintf(out, size, "%.15g", value);
    if (strtod(out, NULL) != value)
      snprintf(out, size, "%.17g", value);
  }
}

void metrics_text_label_value(FILE *out, const char *value)
{
  for (const char *p = value; *p; p++) {
    switch (*p) {
    case '\\': fputs("\\\\", out); break;
    case '"': fputs("\\\"", out); break;
    case '\n': fputs("\\n", out); break;
    default: fputc(*p, out);
    }
  }
}

void metrics_text_help(FILE *out, const char *help)
{
  for (const char *p = help; *p; p++) {
    switch (*p) {
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    default: fputc(*p, out);
    }
  }
}

static bool is_letter(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool metrics_text_valid_metric_name(const char *name)
{
  if (!name || !(is_letter(name[0]) || name[0] == ':'))
    return false;
  for (const char *p = name + 1; *p; p++)
    if (!(is_letter(*p) || is_digit(*p) || *p == ':'))
      return false;
  return true;
}

bool metrics_text_valid_label_name(const char *name, size_t length)
{
  if (length == 0 || !is_letter(name[0]))
    return false;
  if (length >= 2 && name[0] == '_' && name[1] == '_')
    return false;
  if (length == 2 && name[0] == 'l' && name[1] == 'e')
    return false;
  for (size_t i = 1; i < length; i++)
    if (!(is_letter(name[i]) || is_digit(name[i])))
      return false;
  return true;
}
