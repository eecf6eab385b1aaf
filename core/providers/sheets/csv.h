/*
 * csv.h — RFC 4180 text for the local Sheets backend.
 *
 * Rows are jansson arrays of strings. Encoding quotes a field when it holds a
 * comma, a double quote, CR or LF, or starts or ends with a blank, doubles the
 * quotes inside, and ends every record with CRLF. Decoding accepts CRLF or LF
 * record ends, quoted fields spanning lines and a last record without an end,
 * and refuses an unterminated quote or text after a closing quote.
 */
#ifndef GROWTH_PROVIDERS_CSV_H
#define GROWTH_PROVIDERS_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

/* The CSV text of rows (array of arrays of strings). Caller frees; NULL when out of memory. */
char *csv_encode(json_t *rows, size_t *size);

/* The rows of text (new reference), or NULL with err naming the line. */
json_t *csv_decode(const char *text, size_t size, const char *what, struct growth_error *err);

#endif
