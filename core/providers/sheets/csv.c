/*
 * csv.c — RFC 4180 encoding and decoding (see csv.h).
 */
#include "providers/sheets/csv.h"

#include <stdlib.h>
#include <string.h>

struct text {
  char *data;
  size_t size, capacity;
};

static int put(struct text *text, const char *data, size_t size)
{
  if (text->size + size + 1 > text->capacity) {
    size_t capacity = text->capacity ? text->capacity * 2 : 256;
    while (capacity < text->size + size + 1)
      capacity *= 2;
    char *grown = realloc(text->data, capacity);
    if (!grown)
      return -1;
    text->data = grown;
    text->capacity = capacity;
  }
  memcpy(text->data + text->size, data, size);
  text->size += size;
  text->data[text->size] = '\0';
  return 0;
}

static int needs_quotes(const char *field, size_t length)
{
  if (length > 0 && (field[0] == ' ' || field[length - 1] == ' '))
    return 1;
  return strpbrk(field, ",\"\r\n") != NULL;
}

static int put_field(struct text *text, const char *field)
{
  size_t length = strlen(field);
  if (!needs_quotes(field, length))
    return put(text, field, length);
  if (put(text, "\"", 1) != 0)
    return -1;
  for (const char *p = field; *p; p++)
    if (put(text, p, 1) != 0 || (*p == '"' && put(text, "\"", 1) != 0))
      return -1;
  return put(text, "\"", 1);
}

char *csv_encode(json_t *rows, size_t *size)
{
  struct text text = { 0 };
  size_t i, j;
  json_t *row, *cell;
  if (put(&text, "", 0) != 0)
    return NULL;
  json_array_foreach(rows, i, row) {
    json_array_foreach(row, j, cell) {
      const char *value = json_string_value(cell);
      if ((j > 0 && put(&text, ",", 1) != 0) || put_field(&text, value ? value : "") != 0)
        goto fail;
    }
    if (put(&text, "\r\n", 2) != 0)
      goto fail;
  }
  *size = text.size;
  return text.data;

fail:
  free(text.data);
  return NULL;
}

/* Moves the field into row. -1 when out of memory, -2 when the field is not valid UTF-8. */
static int append_field(json_t *row, struct text *field)
{
  const char *data = field->data ? field->data : "";
  json_t *value = json_stringn(data, field->size);
  int invalid = 0;
  if (!value) {
    /* json_stringn refuses invalid UTF-8 or fails to allocate; the unchecked copy tells which. */
    json_t *probe = json_stringn_nocheck(data, field->size);
    invalid = probe != NULL;
    json_decref(probe);
  }
  field->size = 0;
  if (field->data)
    field->data[0] = '\0';
  if (!value)
    return invalid ? -2 : -1;
  return json_array_append_new(row, value);
}

json_t *csv_decode(const char *text, size_t size, const char *what, struct growth_error *err)
{
  json_t *rows = json_array(), *row = json_array();
  struct text field = { 0 };
  int line = 1;
  size_t i = 0;
  if (!rows || !row)
    goto fail_memory;
  while (i < size) {
    int quoted = text[i] == '"';
    if (quoted) {
      int start_line = line;
      for (i++;; i++) {
        if (i >= size) {
          error_set(err, ERR_IO, "%s: line %d: a quoted field is not closed", what, start_line);
          goto fail;
        }
        if (text[i] == '"' && i + 1 < size && text[i + 1] == '"') {
          if (put(&field, "\"", 1) != 0)
            goto fail_memory;
          i++;
        } else if (text[i] == '"') {
          i++;
          break;
        } else {
          line += text[i] == '\n';
          if (put(&field, &text[i], 1) != 0)
            goto fail_memory;
        }
      }
    } else {
      size_t end = i;
      while (end < size && text[end] != ',' && text[end] != '\n' && text[end] != '\r') {
        if (text[end] == '"') {
          error_set(err, ERR_IO, "%s: line %d: a quote inside an unquoted field", what, line);
          goto fail;
        }
        end++;
      }
      if (put(&field, text + i, end - i) != 0)
        goto fail_memory;
      i = end;
    }
    int appended = append_field(row, &field);
    if (appended == 0 && i < size && text[i] == ',') {
      i++;
      if (i == size)
        appended = append_field(row, &field);
      if (appended == 0)
        continue;
    }
    if (appended == -2) {
      error_set(err, ERR_IO, "%s: line %d: the text is not valid UTF-8", what, line);
      goto fail;
    }
    if (appended != 0)
      goto fail_memory;
    if (i < size && text[i] != '\r' && text[i] != '\n') {
      error_set(err, ERR_IO, "%s: line %d: text after a closing quote", what, line);
      goto fail;
    }
    if (i < size && text[i] == '\r')
      i++;
    if (i < size && text[i] == '\n')
      i++;
    line++;
    if (json_array_append_new(rows, row) != 0) {
      row = NULL;
      goto fail_memory;
    }
    if (!(row = json_array()))
      goto fail_memory;
  }
  if (json_array_size(row) > 0 && json_array_append(rows, row) != 0)
    goto fail_memory;
  json_decref(row);
  free(field.data);
  return rows;

fail_memory:
  error_set(err, ERR_NO_MEMORY, "%s: out of memory reading CSV", what);
fail:
  json_decref(row);
  json_decref(rows);
  free(field.data);
  return NULL;
}
