-- lib/gsm.lua: how many SMS segments a text takes (GSM 03.38 / 3GPP TS 23.038).
--
--   gsm.is_gsm7(s)    -> true when every character is in the GSM-7 basic set or its extension table
--   gsm.units(s)      -> length in the encoding the text will be sent in, and that encoding's name:
--                        GSM-7 septets (extension characters take two) or UCS-2 code units
--                        (characters beyond U+FFFF take two)
--   gsm.limit(s)      -> the single-segment limit for s: 160 for GSM-7 text, 70 otherwise
--   gsm.segments(s)   -> how many segments s needs (1 for ""; concatenated messages carry 153
--                        septets or 67 code units per segment)
--   gsm.fits_one(s)   -> true when s goes out as a single segment
--
-- One character outside GSM-7 (an emoji, a curly quote, "…") switches the whole message to UCS-2
-- and cuts its single-segment room from 160 to 70, which is why affirmations are checked here
-- rather than by counting bytes or characters. Invalid UTF-8 counts as UCS-2, one unit a byte.

local BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" ..
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
local EXTENSION = "\f^{}\\[~]|€"

local basic_set, extension_set = {}, {}
for _, cp in utf8.codes(BASIC) do basic_set[cp] = true end
for _, cp in utf8.codes(EXTENSION) do extension_set[cp] = true end

-- Code points of s, or nil when s is not valid UTF-8.
local function codepoints(s)
  if not utf8.len(s) then return nil end
  local out = {}
  for _, cp in utf8.codes(s) do out[#out + 1] = cp end
  return out
end

local function is_gsm7(s)
  local cps = codepoints(s)
  if not cps then return false end
  for _, cp in ipairs(cps) do
    if not basic_set[cp] and not extension_set[cp] then return false end
  end
  return true
end

local function units(s)
  local cps = codepoints(s)
  if not cps then return #s, "ucs2" end
  if is_gsm7(s) then
    local septets = 0
    for _, cp in ipairs(cps) do septets = septets + (extension_set[cp] and 2 or 1) end
    return septets, "gsm7"
  end
  local count = 0
  for _, cp in ipairs(cps) do count = count + (cp > 0xFFFF and 2 or 1) end
  return count, "ucs2"
end

local function limit(s)
  return is_gsm7(s) and 160 or 70
end

local function segments(s)
  local n, encoding = units(s)
  local single, multi = 160, 153
  if encoding == "ucs2" then single, multi = 70, 67 end
  if n <= single then return 1 end
  return (n + multi - 1) // multi
end

local function fits_one(s)
  return segments(s) == 1
end

return {
  is_gsm7 = is_gsm7,
  units = units,
  limit = limit,
  segments = segments,
  fits_one = fits_one,
}
