/*
 * sms_text.c — E.164 check and GSM-7 / UCS-2 segment counting (see sms_text.h).
 *
 * The GSM 03.38 tables are kept as Unicode code points: the basic table's 128
 * positions (0x1B, the escape, is not a character of its own) and the nine
 * printable characters of the extension table plus form feed.
 */
#include "providers/sms/sms_text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#define GSM7_SINGLE_SEPTETS 160
#define GSM7_PART_SEPTETS 153
#define UCS2_SINGLE_UNITS 70
#define UCS2_PART_UNITS 67

static const uint16_t gsm7_basic[] = {
  '@', 0x00A3, '$', 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, '\n', 0x00D8, 0x00F8, '\r', 0x00C5, 0x00E5,
  0x0394, '_', 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
  ' ', '!', '"', '#', 0x00A4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  0x00A1, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
  0x00BF, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

static const uint16_t gsm7_extension[] = { '\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC };

const char *sms_encoding_name(enum sms_encoding encoding)
{
  return encoding == SMS_GSM7 ? "gsm7" : "ucs2";
}

int sms_check_e164(const char *number, struct growth_error *err)
{
  if (!number || number[0] != '+')
    return error_set(err, ERR_BAD_ARGUMENT, "sms: the number '%.32s' does not start with '+'; expected E.164 such as +33612345678",
                     number ? number : "");
  size_t digits = 0;
  for (const char *p = number + 1; *p; p++) {
    if (*p < '0' || *p > '9')
      return error_set(err, ERR_BAD_ARGUMENT, "sms: the number '%.32s' holds a character other than a digit after '+'; "
                       "expected E.164 such as +33612345678", number);
    digits++;
  }
  if (digits < 8 || digits > 15 || number[1] == '0')
    return error_set(err, ERR_BAD_ARGUMENT, "sms: the number '%.32s' has %zu digits%s; expected E.164: 8 to 15 digits, "
                     "the first one 1-9", number, digits, number[1] == '0' ? " starting with 0" : "");
  return 0;
}

int sms_check_sender(const char *sender, struct growth_error *err)
{
  if (sender && sender[0] == '+') {
    if (sms_check_e164(sender, err) != 0) {
      err->code = ERR_BAD_CONFIG;
      return error_prefix(err, "sms: TWILIO_FROM_NUMBER");
    }
    return 0;
  }
  size_t len = sender ? strlen(sender) : 0;
  int letters = 0, ok = len >= 1 && len <= 11;
  for (size_t i = 0; ok && i < len; i++) {
    ok = isalnum((unsigned char)sender[i]) || sender[i] == ' ';
    letters += isalpha((unsigned char)sender[i]) != 0;
  }
  if (!ok || letters == 0)
    return error_set(err, ERR_BAD_CONFIG, "sms: TWILIO_FROM_NUMBER '%.20s' is neither E.164 nor an alphanumeric "
                     "sender of 1 to 11 characters", sender ? sender : "");
  return 0;
}

/* Cost in septets of a code point in GSM-7: 1 (basic), 2 (extension) or 0 (not in GSM-7). */
static int gsm7_cost(uint32_t cp)
{
  for (size_t i = 0; i < sizeof gsm7_basic / sizeof gsm7_basic[0]; i++)
    if (gsm7_basic[i] == cp)
      return 1;
  for (size_t i = 0; i < sizeof gsm7_extension / sizeof gsm7_extension[0]; i++)
    if (gsm7_extension[i] == cp)
      return 2;
  return 0;
}

/* Decodes one UTF-8 sequence at s; returns its length, or 0 when it is not valid UTF-8
 * (overlong forms, surrogates and values above U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((s[0] & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = s[0] & 0x07;
  } else {
    return 0;
  }
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    *cp = (*cp << 6) | (s[i] & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
    return 0;
  return len;
}

/* Packs items of the given costs into parts of part_size without splitting an item. */
struct packer {
  size_t part_size, used, parts;
};

static void pack(struct packer *p, size_t cost)
{
  if (p->parts == 0 || p->used + cost > p->part_size) {
    p->parts++;
    p->used = 0;
  }
  p->used += cost;
}

int sms_count_segments(const char *body, struct sms_segments *out, struct growth_error *err)
{
  if (!body || !*body)
    return error_set(err, ERR_BAD_ARGUMENT, "sms: the body is empty; expected some text");
  memset(out, 0, sizeof *out);
  const unsigned char *s = (const unsigned char *)body;
  int gsm7 = 1;
  size_t septets = 0, ucs2_units = 0, characters = 0;
  for (size_t i = 0; s[i];) {
    uint32_t cp;
    size_t len = utf8_decode(s + i, &cp);
    if (len == 0)
      return error_set(err, ERR_BAD_ARGUMENT, "sms: the body is not valid UTF-8 at byte %zu", i);
    int cost = gsm7_cost(cp);
    if (cost == 0)
      gsm7 = 0;
    septets += (size_t)cost;
    ucs2_units += cp > 0xFFFF ? 2 : 1;
    characters++;
    i += len;
  }
  out->characters = characters;
  out->encoding = gsm7 ? SMS_GSM7 : SMS_UCS2;
  out->units = gsm7 ? septets : ucs2_units;
  if (out->units <= (gsm7 ? GSM7_SINGLE_SEPTETS : UCS2_SINGLE_UNITS)) {
    out->segments = 1;
    return 0;
  }
  struct packer packer = { .part_size = gsm7 ? GSM7_PART_SEPTETS : UCS2_PART_UNITS };
  for (size_t i = 0; s[i];) {
    uint32_t cp;
    i += utf8_decode(s + i, &cp);
    pack(&packer, gsm7 ? (size_t)gsm7_cost(cp) : (cp > 0xFFFF ? 2 : 1));
  }
  out->segments = packer.parts;
  return 0;
}

int sms_check_body(const char *body, struct sms_segments *out, struct growth_error *err)
{
  if (sms_count_segments(body, out, err) != 0)
    return -1;
  if (out->segments > SMS_MAX_SEGMENTS)
    return error_set(err, ERR_TOO_LARGE, "sms: the body needs %zu %s segments (%zu characters); expected at most %d",
                     out->segments, out->encoding == SMS_GSM7 ? "GSM-7" : "UCS-2", out->characters,
                     SMS_MAX_SEGMENTS);
  return 0;
}
