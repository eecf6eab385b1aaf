/*
 * metrics_text.h — the lexical rules of the Prometheus text format 0.0.4:
 * how numbers, label values and HELP text are written. metrics.c builds the
 * exposition with these; they are separate so the rules can be tested alone.
 */
#ifndef GROWTH_BASE_METRICS_TEXT_H
#define GROWTH_BASE_METRICS_TEXT_H

#include <stdbool.h>
#include <stdio.h>

/* Writes a sample value: "+Inf", "-Inf", "NaN", integers without exponent or point, other numbers in the
 * shortest form that reads back as the same double. out needs 32 bytes. */
void metrics_text_number(double value, char *out, size_t size);

/* Writes a label value with '\\', '"' and newline escaped (as \\, \" and \n). */
void metrics_text_label_value(FILE *out, const char *value);

/* Writes HELP text with '\\' and newline escaped. */
void metrics_text_help(FILE *out, const char *help);

/* Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; label names [a-zA-Z_][a-zA-Z0-9_]* and must not start
 * with "__" (reserved) nor be "le" (used by histogram buckets). */
bool metrics_text_valid_metric_name(const char *name);
bool metrics_text_valid_label_name(const char *name, size_t length);

#endif
