/*
 * clock.h — time in the units growthd uses: milliseconds, monotonic for
 * durations and wall-clock (Unix epoch) for timestamps, and ISO-8601 text.
 */
#ifndef GROWTH_BASE_CLOCK_H
#define GROWTH_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t clock_monotonic_ms(void);
double clock_monotonic_ms_precise(void);
int64_t clock_wall_ms(void);

/* Writes "2026-11-27T09:30:00.123Z" for a wall time in ms into out (at least 25 bytes). */
void clock_format_iso(int64_t wall_ms, char *out, size_t size);

#endif
