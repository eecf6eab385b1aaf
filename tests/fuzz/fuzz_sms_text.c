/*
 * fuzz_sms_text.c — E.164 check and segment counting on arbitrary bytes. Checks
 * the counter's invariants: at least one segment, units never fewer than
 * characters, and enough room in the segments for the units.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sms/sms_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct growth_error err = { 0 };
  sms_check_e164(text, &err);
  struct sms_segments out;
  if (sms_count_segments(text, &out, &err) == 0) {
    size_t per_part = out.encoding == SMS_GSM7 ? 153 : 67, single = out.encoding == SMS_GSM7 ? 160 : 70;
    if (out.segments == 0 || out.units < out.characters || out.characters == 0)
      abort();
    if (out.segments == 1 ? out.units > single : out.segments * per_part < out.units)
      abort();
    if (out.segments > 1 && (out.segments - 1) * per_part >= out.units + out.segments)
      abort();  /* far more parts than the units need: the packer went wrong */
  }
  free(text);
  return 0;
}
