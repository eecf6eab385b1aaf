/*
 * pdf_document.h — a document builder writing real PDF files with cairo and
 * pango.
 *
 * Blocks are added top to bottom and flow onto pages as they come: text wraps
 * at the margins and breaks across pages line by line, a heading never ends a
 * page (it moves to the next one with the text that follows), a table row
 * never splits (the header row is repeated on each new page), and a chart or
 * diagram that does not fit in what is left of a page starts the next one.
 * Every page gets its number in the footer.
 *
 * Text is UTF-8 throughout, set with pango in the DejaVu fonts (Debian's
 * fonts-dejavu-core), which cairo embeds as subsets, so the file shows the
 * same on any reader. Text is taken literally (never as markup). Metadata
 * (title, author, subject, creation date, creator "growthd") goes into the PDF
 * information dictionary.
 *
 * A document is used by one thread at a time. Every add function returns 0, or
 * -1 with err set; after a failure the document can only be freed.
 */
#ifndef GROWTH_PROVIDERS_PDF_DOCUMENT_H
#define GROWTH_PROVIDERS_PDF_DOCUMENT_H

#include <stddef.h>

#include "base/error.h"

enum pdf_page_size { PDF_PAGE_A4, PDF_PAGE_LETTER };

struct pdf_metadata {
  const char *title;    /* may be NULL */
  const char *author;   /* may be NULL */
  const char *subject;  /* may be NULL */
  const char *date;     /* ISO 8601 "YYYY-MM-DDThh:mm:ss" with "Z" or "+hh:mm"; NULL: now, in UTC */
};

struct pdf_document;

/* Starts a document. The caller frees it with pdf_document_free. */
struct pdf_document *pdf_document_new(enum pdf_page_size size, const struct pdf_metadata *metadata,
                                      struct growth_error *err);
void pdf_document_free(struct pdf_document *doc);

/* Parses "A4" or "Letter" (any case). */
int pdf_page_size_parse(const char *name, enum pdf_page_size *out, struct growth_error *err);

int pdf_add_title(struct pdf_document *doc, const char *text, struct growth_error *err);
/* level 1 or 2. */
int pdf_add_heading(struct pdf_document *doc, const char *text, int level, struct growth_error *err);
int pdf_add_paragraph(struct pdf_document *doc, const char *text, struct growth_error *err);
int pdf_add_bullets(struct pdf_document *doc, const char *const *items, size_t count, struct growth_error *err);
int pdf_add_page_break(struct pdf_document *doc, struct growth_error *err);

/* A table of columns x rows text cells; header (columns cells) may be NULL. Column
 * widths follow the widest content of each column. */
struct pdf_table {
  size_t columns, rows;
  const char *const *header;
  const char *const *cells;  /* rows * columns, row after row; a NULL cell is empty */
};
int pdf_add_table(struct pdf_document *doc, const struct pdf_table *table, struct growth_error *err);

/* Vertical bars, one per label, on an axis with round tick values. */
struct pdf_bar_chart {
  const char *title;  /* may be NULL */
  size_t count;
  const char *const *labels;
  const double *values;
};
int pdf_add_bar_chart(struct pdf_document *doc, const struct pdf_bar_chart *chart, struct growth_error *err);

/* Points in groups (clusters): each group has its colour, a legend entry, and its label
 * written at the group's centre. */
struct pdf_scatter_group {
  const char *label;
  size_t count;
  const double *xs, *ys;
  const char *const *point_labels;  /* may be NULL; else count labels, NULL entries skipped */
};
struct pdf_scatter {
  const char *title, *x_label, *y_label;  /* each may be NULL */
  size_t group_count;
  const struct pdf_scatter_group *groups;
};
int pdf_add_scatter(struct pdf_document *doc, const struct pdf_scatter *plot, struct growth_error *err);

/* The Ikigai diagram: four overlapping circles (what you love, what you are good at,
 * what the world needs, what you can be paid for), each with a label and a few items,
 * the four two-circle overlaps named, and the centre label. */
enum { PDF_IKIGAI_LOVE, PDF_IKIGAI_GOOD_AT, PDF_IKIGAI_WORLD_NEEDS, PDF_IKIGAI_PAID_FOR, PDF_IKIGAI_CIRCLES };
enum { PDF_IKIGAI_PASSION, PDF_IKIGAI_MISSION, PDF_IKIGAI_PROFESSION, PDF_IKIGAI_VOCATION, PDF_IKIGAI_OVERLAPS };
struct pdf_ikigai {
  const char *center;                           /* NULL: "Ikigai" */
  const char *labels[PDF_IKIGAI_CIRCLES];       /* NULL: the English default */
  const char *const *items[PDF_IKIGAI_CIRCLES]; /* may be NULL */
  size_t item_counts[PDF_IKIGAI_CIRCLES];
  const char *overlaps[PDF_IKIGAI_OVERLAPS];    /* NULL: Passion, Mission, Profession, Vocation */
};
int pdf_add_ikigai(struct pdf_document *doc, const struct pdf_ikigai *diagram, struct growth_error *err);

/* Ends the document and hands over the PDF bytes, which the caller frees with free().
 * Nothing can be added afterwards. */
int pdf_document_finish(struct pdf_document *doc, unsigned char **bytes, size_t *len, struct growth_error *err);

/* Ends the document and writes it to path atomically (a temporary file, then rename). */
int pdf_document_write_file(struct pdf_document *doc, const char *path, struct growth_error *err);

/* Releases the process-wide font caches of pango, cairo and fontconfig. Call once at
 * exit, after every document is freed and no other thread renders (so that leak
 * checkers see a clean exit); rendering afterwards is not allowed. */
void pdf_shutdown(void);

/* Pages so far (the page being filled counts). */
int pdf_document_page_count(const struct pdf_document *doc);

#endif
