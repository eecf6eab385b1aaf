/*
 * pdf_json.h — builds a PDF from a JSON document description, the form a
 * binding (Lua's growth.pdf, a test, a command) hands over.
 *
 *   { "page_size": "A4" | "Letter",                 (default A4)
 *     "title": "...", "author": "...", "subject": "...",   (metadata, optional)
 *     "date": "2026-11-27T09:00:00Z",               (metadata, optional; default now)
 *     "blocks": [
 *       { "type": "title", "text": "..." },
 *       { "type": "heading", "text": "...", "level": 1 | 2 },        (level default 1)
 *       { "type": "paragraph", "text": "..." },
 *       { "type": "bullets", "items": ["...", ...] },
 *       { "type": "table", "header": ["...", ...], "rows": [["...", 3, ...], ...] },
 *       { "type": "bar_chart", "title": "...", "labels": ["..."], "values": [1.5, ...] },
 *       { "type": "scatter", "title": "...", "x_label": "...", "y_label": "...",
 *         "groups": [ { "label": "...", "points": [[x, y] | [x, y, "label"], ...] } ] },
 *       { "type": "ikigai", "center": "...",
 *         "love" | "good_at" | "world_needs" | "paid_for": "label" | { "label": "...", "items": [...] },
 *         "passion" | "mission" | "profession" | "vocation": "overlap label" },
 *       { "type": "page_break" } ] }
 *
 * Table cells may be strings, numbers, booleans or null. An error names the
 * block by its position and type: "pdf: block 3 (table): ...".
 */
#ifndef GROWTH_PROVIDERS_PDF_JSON_H
#define GROWTH_PROVIDERS_PDF_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"
#include "providers/pdf/pdf_document.h"

/* Adds the blocks of a "blocks" array to doc. */
int pdf_json_add_blocks(struct pdf_document *doc, const json_t *blocks, struct growth_error *err);

/* Renders a whole description; hands over the bytes (free with free()). */
int pdf_json_render(const json_t *description, unsigned char **bytes, size_t *len, struct growth_error *err);

#endif
