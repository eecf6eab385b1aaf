/*
 * a1_range.c — A1 notation (see a1_range.h).
 *
 * A sheet name is quoted ('It''s') or a run of characters other than '!'.
 * Without '!', text that is not a cell reference is a sheet name meaning the
 * whole sheet, as Google reads it ("Sheet1", "Entries").
 */
#include "providers/sheets/a1_range.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define A1_MAX_COLUMN 18277   /* ZZZ */
#define A1_MAX_ROW 10000000

/* Reads [A-Z]*[0-9]* from *p; -1 for an absent part. Returns -1 on overflow. */
static int parse_cell(const char **p, int *column, int *row)
{
  long c = 0, r = 0;
  int letters = 0, digits = 0;
  while (isupper((unsigned char)**p) || islower((unsigned char)**p)) {
    c = c * 26 + (toupper((unsigned char)**p) - 'A' + 1);
    if (c > A1_MAX_COLUMN + 1)
      return -1;
    letters++;
    (*p)++;
  }
  while (isdigit((unsigned char)**p)) {
    r = r * 10 + (**p - '0');
    if (r > A1_MAX_ROW)
      return -1;
    digits++;
    (*p)++;
  }
  if (digits && r == 0)
    return -1;
  *column = letters ? (int)c - 1 : -1;
  *row = digits ? (int)r - 1 : -1;
  return letters || digits ? 0 : -1;
}

static int parse_cells(const char *text, struct a1_range *out)
{
  const char *p = text;
  int column = -1, row = -1;
  if (parse_cell(&p, &column, &row) != 0)
    return -1;
  out->first_column = column < 0 ? 0 : column;
  out->first_row = row < 0 ? 0 : row;
  out->last_column = -1;
  out->last_row = -1;
  if (*p == '\0') {
    /* "A1" is one cell; "A" and "3" alone are not valid A1. */
    if (column < 0 || row < 0)
      return -1;
    out->last_column = column;
    out->last_row = row;
    return 0;
  }
  if (*p++ != ':')
    return -1;
  int end_column = -1, end_row = -1;
  if (parse_cell(&p, &end_column, &end_row) != 0 || *p != '\0')
    return -1;
  out->last_column = end_column;
  out->last_row = end_row;
  if ((end_column >= 0 && end_column < out->first_column) || (end_row >= 0 && end_row < out->first_row))
    return -1;
  return 0;
}

static int parse_sheet(const char *text, size_t length, char *out)
{
  size_t used = 0;
  if (length >= 2 && text[0] == '\'' && text[length - 1] == '\'') {
    for (size_t i = 1; i + 1 < length; i++) {
      if (text[i] == '\'') {
        if (i + 2 >= length || text[i + 1] != '\'')
          return -1;
        i++;
      }
      if (used + 1 >= A1_SHEET_MAX)
        return -1;
      out[used++] = text[i];
    }
  } else {
    if (length == 0 || length >= A1_SHEET_MAX || memchr(text, '\'', length))
      return -1;
    memcpy(out, text, length);
    used = length;
  }
  out[used] = '\0';
  return used > 0 ? 0 : -1;
}

int a1_parse(const char *text, struct a1_range *out)
{
  memset(out, 0, sizeof *out);
  out->last_column = out->last_row = -1;
  if (!text || !*text)
    return -1;
  const char *bang = strrchr(text, '!');
  if (bang) {
    if (parse_sheet(text, (size_t)(bang - text), out->sheet) != 0)
      return -1;
    return parse_cells(bang + 1, out);
  }
  struct a1_range cells;
  memset(&cells, 0, sizeof cells);
  if (parse_cells(text, &cells) == 0 && !islower((unsigned char)text[0])) {
    *out = cells;
    return 0;
  }
  return parse_sheet(text, strlen(text), out->sheet);
}

void a1_column_name(int column, char *out)
{
  char reversed[8];
  int used = 0;
  for (int value = column + 1; value > 0 && used < 7; value = (value - 1) / 26)
    reversed[used++] = (char)('A' + (value - 1) % 26);
  for (int i = 0; i < used; i++)
    out[i] = reversed[used - 1 - i];
  out[used] = '\0';
}
