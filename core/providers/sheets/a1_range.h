/*
 * a1_range.h — Google Sheets A1 notation ("Entries!A1:C10", "'My sheet'!A:D",
 * "Sheet1", "B2"), parsed to a sheet name and zero-based bounds. Used to check
 * ranges at the call and by the local backend to cut and place cells.
 */
#ifndef GROWTH_PROVIDERS_A1_RANGE_H
#define GROWTH_PROVIDERS_A1_RANGE_H

#define A1_SHEET_MAX 128

struct a1_range {
  char sheet[A1_SHEET_MAX];   /* "" when the range names no sheet (the first sheet) */
  int first_column, first_row; /* 0-based; 0 when absent */
  int last_column, last_row;   /* 0-based; -1 when open */
};

/* 0 on success; -1 when text is not A1 notation. */
int a1_parse(const char *text, struct a1_range *out);

/* "A" for 0, "AA" for 26. out holds at least 8 bytes. */
void a1_column_name(int column, char *out);

#endif
