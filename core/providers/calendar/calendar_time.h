/*
 * calendar_time.h — the two time forms of the calendar API: RFC 3339 instants
 * with an offset ("2024-05-01T09:00:00+02:00", "...Z") and all-day dates
 * ("2024-05-01"). Parsing is strict (fields in range, offset required), since
 * Google refuses anything else and agents should learn that at the call.
 */
#ifndef GROWTH_PROVIDERS_CALENDAR_TIME_H
#define GROWTH_PROVIDERS_CALENDAR_TIME_H

#include <stddef.h>
#include <stdint.h>

/* RFC 3339 with offset; fractions of a second are accepted and dropped. 0 or -1. */
int calendar_time_parse(const char *text, int64_t *epoch_s, int *offset_s);

/* YYYY-MM-DD; *epoch_s is its midnight UTC. 0 or -1. */
int calendar_time_parse_date(const char *text, int64_t *epoch_s);

/* "YYYY-MM-DDTHH:MM:SS+hh:mm" ("Z" for offset 0) of an instant shown at offset_s. out >= 32 bytes. */
void calendar_time_format(int64_t epoch_s, int offset_s, char *out, size_t size);

/* "YYYY-MM-DD" of the UTC day of epoch_s. out >= 16 bytes. */
void calendar_time_format_date(int64_t epoch_s, char *out, size_t size);

#endif
