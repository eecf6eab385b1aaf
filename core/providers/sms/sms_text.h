/*
 * sms_text.h — what an SMS may carry: the recipient's E.164 number and the body's
 * size in segments.
 *
 * A body that fits the GSM 03.38 alphabet (basic table, plus the extension
 * table whose characters take two septets: ^ { } \ [ ~ ] | € and form feed) is
 * sent in GSM-7: 160 septets in one segment, or 153 per segment when split,
 * since each part then carries a 7-septet concatenation header. Any other
 * character switches the whole body to UCS-2 (UTF-16 code units): 70 units in
 * one segment, 67 per segment when split. Like real handsets and carriers, a
 * split never cuts an escape pair (GSM-7) or a surrogate pair (UCS-2) in two,
 * so a count can be higher than a plain division gives.
 */
#ifndef GROWTH_PROVIDERS_SMS_TEXT_H
#define GROWTH_PROVIDERS_SMS_TEXT_H

#include <stddef.h>

#include "base/error.h"

#define SMS_MAX_SEGMENTS 10

enum sms_encoding { SMS_GSM7, SMS_UCS2 };

struct sms_segments {
  enum sms_encoding encoding;
  size_t characters;  /* Unicode code points in the body */
  size_t units;       /* septets (GSM-7) or UTF-16 code units (UCS-2) */
  size_t segments;
};

/* "gsm7" or "ucs2". */
const char *sms_encoding_name(enum sms_encoding encoding);

/* 0 when number is E.164: '+', a first digit 1-9, 8 to 15 digits in all, nothing else.
 * Otherwise -1 with bad_argument. */
int sms_check_e164(const char *number, struct growth_error *err);

/* 0 when sender is a usable TWILIO_FROM_NUMBER: E.164, or an alphanumeric sender id of 1
 * to 11 letters, digits and spaces with at least one letter. Otherwise bad_config. */
int sms_check_sender(const char *sender, struct growth_error *err);

/* Counts the segments of a UTF-8 body. -1 with bad_argument when the body is empty or
 * not valid UTF-8. Does not apply the SMS_MAX_SEGMENTS limit (see sms_check_body). */
int sms_count_segments(const char *body, struct sms_segments *out, struct growth_error *err);

/* sms_count_segments, then refuses (too_large) a body over SMS_MAX_SEGMENTS segments. */
int sms_check_body(const char *body, struct sms_segments *out, struct growth_error *err);

#endif
