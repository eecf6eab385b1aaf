-- lib/text.lua: words, themes and short texts, UTF-8 aware.
--
--   text.length(s)               -> number of characters (code points); invalid bytes count as one each
--   text.chars(s)                -> iterator of (character, code point) pairs; an invalid byte comes
--                                   alone with code point nil instead of raising an error
--   text.lower(s)                -> lower case for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
--   text.words(s)                -> { lower-case words in order }: runs of letters, digits and inner
--                                   apostrophes ("don't" is one word); a trailing "'s" is dropped
--   text.is_stop_word(w)         -> true for common English function words and the commonest verbs
--                                   ("the", "and", "i'm", "got", "felt", ...)
--   text.content_words(s)        -> words that are not stop words, not numbers, and 3+ characters long
--   text.frequencies(texts)      -> { {word=, count=}, ... } over a string or a list of strings,
--                                   most frequent first, ties in order of first appearance
--   text.themes(texts, n)        -> the n most frequent content words (fewer if there are fewer)
--   text.truncate(s, n [, suffix]) -> s if it has at most n characters; else cut at the last word
--                                   boundary so that the result plus suffix (default "...") is at most
--                                   n characters; a single over-long word is cut mid-word
--   text.trim(s)                 -> s without leading and trailing white space
--   text.capitalize(s)           -> s with its first ASCII letter in upper case
--   text.join(list [, last])     -> "a, b and c" (last defaults to " and ")
--   text.fill(template, vars)    -> template with each {name} replaced by tostring(vars.name);
--                                   a name missing from vars is an error naming it; "{{" gives "{"
--
-- Characters are classified without tables of the whole of Unicode: ASCII by Lua's patterns, code
-- points from U+00C0 on as letters except the punctuation and symbol blocks listed in SEPARATORS
-- (general punctuation, quotes, dashes, currency, arrows, emoji), which is right for the
-- European-language text the agents see.

local STOP_WORDS = {}
for w in ([[
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each even ever every few for from further get gets getting got had hadn't has
hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let's like make made
many me more most much must mustn't my myself no nor not now of off on once one only or other ought
our ours ourselves out over own really same shan't she she'd she'll she's should shouldn't so some
still such than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've thing things this those through to too under until up upon us very was
wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who
who's whom why why's will with won't would wouldn't yet you you'd you'll you're you've your yours
yourself yourselves today day week time lot way
came come comes coming went go goes going gone felt feel feels get gets got take took taken want
wanted know knew think thought say said see saw seen give gave keep kept try tried put
]]):gmatch("%S+") do
  STOP_WORDS[w] = true
end

-- Non-ASCII code point ranges that separate words rather than belong to them.
local SEPARATORS = {
  { 0x0080, 0x00BF }, -- Latin-1 controls, punctuation and symbols (NBSP, ¡, «, », ¿, ...)
  { 0x00D7, 0x00D7 }, { 0x00F7, 0x00F7 }, -- × ÷
  { 0x2000, 0x2017 }, { 0x201A, 0x206F }, -- general punctuation except ‘ ’ (apostrophes, below)
  { 0x20A0, 0x20CF }, -- currency
  { 0x2100, 0x2BFF }, -- letterlike symbols, arrows, maths, boxes, shapes, dingbats
  { 0x3000, 0x303F }, -- CJK punctuation
  { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF }, -- variation selectors, BOM
  { 0x1F000, 0x1FAFF }, -- emoji and pictographs
}

local APOSTROPHES = { [0x27] = true, [0x2018] = true, [0x2019] = true }

local function is_separator_cp(cp)
  for _, r in ipairs(SEPARATORS) do
    if cp >= r[1] and cp <= r[2] then return true end
  end
  return false
end

-- Iterates characters leniently: a byte that does not start a valid UTF-8 sequence is returned
-- alone with code point nil, instead of raising an error as utf8.codes does.
local function chars(s)
  local i, n = 1, #s
  return function()
    if i > n then return nil end
    local ch = s:match("^[\xC2-\xF4][\x80-\xBF]*", i) or s:sub(i, i)
    local cp
    if #ch > 1 and utf8.len(ch) == 1 then
      cp = utf8.codepoint(ch)
    else
      ch = s:sub(i, i)
      cp = ch:byte() < 0x80 and ch:byte() or nil
    end
    i = i + #ch
    return ch, cp
  end
end

local function length(s)
  local count = 0
  for _ in chars(s) do count = count + 1 end
  return count
end

local function lower_cp(cp)
  if cp >= 0x41 and cp <= 0x5A then return cp + 32 end
  if cp < 0xC0 then return cp end
  if (cp >= 0xC0 and cp <= 0xDE and cp ~= 0xD7) then return cp + 32 end
  if cp >= 0x100 and cp <= 0x137 and cp % 2 == 0 then return cp + 1 end
  if cp >= 0x139 and cp <= 0x148 and cp % 2 == 1 then return cp + 1 end
  if cp >= 0x14A and cp <= 0x177 and cp % 2 == 0 then return cp + 1 end
  if cp == 0x178 then return 0xFF end -- Ÿ
  if cp >= 0x179 and cp <= 0x17E and cp % 2 == 1 then return cp + 1 end
  if cp >= 0x391 and cp <= 0x3AB and cp ~= 0x3A2 then return cp + 32 end
  if cp >= 0x400 and cp <= 0x40F then return cp + 80 end
  if cp >= 0x410 and cp <= 0x42F then return cp + 32 end
  return cp
end

local function lower(s)
  local out = {}
  for ch, cp in chars(s) do
    if cp and cp >= 0x80 then
      out[#out + 1] = utf8.char(lower_cp(cp))
    else
      out[#out + 1] = ch:lower()
    end
  end
  return table.concat(out)
end

local function is_word_cp(cp)
  if not cp then return false end
  if cp < 0x80 then return string.char(cp):match("%w") ~= nil end
  return not is_separator_cp(cp)
end

local function finish_word(buf, out)
  local w = table.concat(buf)
  w = w:gsub("^'+", ""):gsub("'+$", "")
  w = w:gsub("'s$", "")
  if w ~= "" then out[#out + 1] = w end
end

local function words(s)
  local out, buf = {}, {}
  for ch, cp in chars(lower(s)) do
    if cp and APOSTROPHES[cp] then
      if #buf > 0 then buf[#buf + 1] = "'" end -- typographic apostrophes are folded to ASCII
    elseif is_word_cp(cp) then
      buf[#buf + 1] = ch
    elseif #buf > 0 then
      finish_word(buf, out)
      buf = {}
    end
  end
  if #buf > 0 then finish_word(buf, out) end
  return out
end

local function is_stop_word(w)
  return STOP_WORDS[w] == true
end

local function content_words(s)
  local out = {}
  for _, w in ipairs(words(s)) do
    if not STOP_WORDS[w] and not w:match("^%d+$") and length(w) >= 3 then out[#out + 1] = w end
  end
  return out
end

local function as_list(texts)
  if type(texts) == "string" then return { texts } end
  return texts
end

local function count_words(texts, pick)
  local counts, first, order = {}, {}, {}
  for _, t in ipairs(as_list(texts)) do
    for _, w in ipairs(pick(t)) do
      if not counts[w] then
        counts[w] = 0
        order[#order + 1] = w
        first[w] = #order
      end
      counts[w] = counts[w] + 1
    end
  end
  local list = {}
  for _, w in ipairs(order) do list[#list + 1] = { word = w, count = counts[w] } end
  table.sort(list, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return first[a.word] < first[b.word]
  end)
  return list
end

local function frequencies(texts)
  return count_words(texts, content_words)
end

local function themes(texts, n)
  local out = {}
  for i, entry in ipairs(frequencies(texts)) do
    if i > n then break end
    out[i] = entry.word
  end
  return out
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function truncate(s, n, suffix)
  suffix = suffix or "..."
  if length(s) <= n then return s end
  local room = n - length(suffix)
  if room <= 0 then return "" end
  local kept, count, last_break = {}, 0, nil
  for ch, cp in chars(s) do
    if count == room then
      if not is_word_cp(cp) and not (cp and APOSTROPHES[cp]) then last_break = #kept end
      break
    end
    if not is_word_cp(cp) and not (cp and APOSTROPHES[cp]) then last_break = #kept end
    kept[#kept + 1] = ch
    count = count + 1
  end
  if last_break and last_break > 0 then
    kept = table.move(kept, 1, last_break, 1, {})
  end
  local head = table.concat(kept):gsub("[%s%p]+$", "")
  if head == "" then head = table.concat(kept) end
  return head .. suffix
end

local function capitalize(s)
  return (s:gsub("^(%s*)(%a)", function(space, c) return space .. c:upper() end))
end

local function join(list, last)
  last = last or " and "
  if #list == 0 then return "" end
  if #list == 1 then return list[1] end
  return table.concat(list, ", ", 1, #list - 1) .. last .. list[#list]
end

local function fill(template, vars)
  local out = template:gsub("{{", "\0"):gsub("{([%a_][%w_]*)}", function(name)
    local v = vars[name]
    if v == nil then error("text.fill: no value for {" .. name .. "} in the template", 3) end
    return tostring(v)
  end)
  return (out:gsub("%z", "{"))
end

return {
  length = length,
  lower = lower,
  words = words,
  is_stop_word = is_stop_word,
  content_words = content_words,
  frequencies = frequencies,
  themes = themes,
  truncate = truncate,
  trim = trim,
  capitalize = capitalize,
  join = join,
  fill = fill,
  chars = chars,
}
