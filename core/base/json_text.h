/*
 * json_text.h — JSON strings from text that may not be UTF-8.
 *
 * jansson refuses a string that is not valid UTF-8, and growthd often
 * quotes what a client sent (a raw request path, say) in logs and error
 * bodies. Rather than losing the whole message, bytes of 0x80 and above
 * become '?' so the rest of the detail survives.
 */
#ifndef GROWTH_BASE_JSON_TEXT_H
#define GROWTH_BASE_JSON_TEXT_H

#include <jansson.h>

/* A new JSON string of text (at most 2047 bytes kept when text is not UTF-8); NULL only when out of memory. */
json_t *json_text_lossy(const char *text);

#endif
