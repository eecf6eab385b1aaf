-- lib/ikigai.lua: Ikigai from the user's own words, for the Purpose agent's offline mode, and the
-- checks its validate needs in either mode.
--
-- input = { love = {...}, goodAt = {...}, worldNeeds = {...}, paidFor = {...} } (1-10 texts each)
--
--   ikigai.overlaps(input)      -> { passion, mission, vocation, profession }, each { text, from = {a, b},
--                                  shared = {words} }: passion = love x goodAt, mission = love x
--                                  worldNeeds, vocation = worldNeeds x paidFor, profession = goodAt x paidFor
--   ikigai.statement(input)     -> a purpose statement of at most 280 characters
--   ikigai.affirmations(input)  -> seven affirmations, each one SMS segment (lib.gsm)
--   ikigai.first_steps(input)   -> three first steps
--   ikigai.offline(input)       -> all of the above in one table (passion, mission, vocation,
--                                  profession, statement, affirmations, steps)
--   ikigai.fit_sms(s)           -> s, cut at a word boundary until it fits one SMS segment
--   ikigai.check(result)        -> true, or false and the reason: the four overlaps present, the
--                                  statement within 280 characters, exactly seven affirmations
--                                  each within one segment, three steps
--   ikigai.STATEMENT_MAX        -> 280
--
-- Each overlap pairs the item of one circle with the item of the other that shares the most word
-- stems (a crude stemmer: "teaching", "teacher" and "teaches" meet at "teach"); without any shared
-- stem the first items pair up. Earlier items win ties, so the same input gives the same text.

local gsm = require "lib.gsm"
local text = require "lib.text"

local STATEMENT_MAX = 280
local FIELDS = { "love", "goodAt", "worldNeeds", "paidFor" }

local function check_input(input)
  for _, field in ipairs(FIELDS) do
    local list = input[field]
    if type(list) ~= "table" or #list < 1 or #list > 10 then
      error(string.format("ikigai: %s must be a list of 1 to 10 texts", field), 3)
    end
    for i, item in ipairs(list) do
      if type(item) ~= "string" or text.trim(item) == "" then
        error(string.format("ikigai: %s[%d] must be a non-empty text", field, i), 3)
      end
    end
  end
end

local function stem(w)
  for _, suffix in ipairs({ "ings", "ing", "ers", "er", "es", "ed", "s" }) do
    if #w - #suffix >= 4 and w:sub(-#suffix) == suffix then return w:sub(1, -#suffix - 1) end
  end
  return w
end

local function stems(s)
  local out, seen = {}, {}
  for _, w in ipairs(text.content_words(s)) do
    local st = stem(w)
    if not seen[st] then seen[st] = w; out[#out + 1] = st end
  end
  return out, seen
end

-- "Teaching beginners" -> "teaching beginners"; "AI tools" keeps its capitals.
local function phrase(s, max)
  s = text.truncate(text.trim(s):gsub("[%.!?]+$", ""), max or 60, "")
  if s:match("^%u%l") then s = s:sub(1, 1):lower() .. s:sub(2) end
  return s
end

local function best_pair(a_list, b_list)
  local best = { a = a_list[1], b = b_list[1], shared = {} }
  for _, a in ipairs(a_list) do
    local a_stems, a_words = stems(a)
    for _, b in ipairs(b_list) do
      local _, b_words = stems(b)
      local shared = {}
      for _, st in ipairs(a_stems) do
        if b_words[st] then shared[#shared + 1] = a_words[st] end
      end
      if #shared > #best.shared then best = { a = a, b = b, shared = shared } end
    end
  end
  return best
end

local OVERLAP_TEMPLATES = {
  passion = { "love", "goodAt", "{A} meets your skill at {b}" },
  mission = { "love", "worldNeeds", "{A}, put to work for {b}" },
  vocation = { "worldNeeds", "paidFor", "Being paid for {b}, in answer to {a}" },
  profession = { "goodAt", "paidFor", "Being paid for {b}, built on your skill at {a}" },
}

local function overlaps(input)
  check_input(input)
  local out = {}
  for _, name in ipairs({ "passion", "mission", "vocation", "profession" }) do
    local t = OVERLAP_TEMPLATES[name]
    local pair = best_pair(input[t[1]], input[t[2]])
    local a, b = phrase(pair.a), phrase(pair.b)
    out[name] = {
      text = text.fill(t[3], { a = a, A = text.capitalize(a), b = b }),
      from = { pair.a, pair.b },
      shared = pair.shared,
    }
  end
  return out
end

local function statement(input)
  check_input(input)
  local s = text.fill("My purpose is to bring my skill at {good} and my love of {love} to {need}, " ..
    "and to earn my living through {paid}.", {
      good = phrase(input.goodAt[1], 40), love = phrase(input.love[1], 40),
      need = phrase(input.worldNeeds[1], 40), paid = phrase(input.paidFor[1], 40),
    })
  if text.length(s) > STATEMENT_MAX then s = text.truncate(s, STATEMENT_MAX - 1, "") .. "." end
  return s
end

local function fit_sms(s)
  local n = text.length(s)
  while not gsm.fits_one(s) and n > 0 do
    n = n - 1
    s = text.truncate(s, n, "")
  end
  return s
end

local function pick(list, i)
  return phrase(list[(i - 1) % #list + 1], 50)
end

local function affirmations(input)
  check_input(input)
  local lines = {
    text.fill("I love {x}, and I let it guide my work.", { x = pick(input.love, 1) }),
    text.fill("I am good at {x}, and I grow better every day.", { x = pick(input.goodAt, 1) }),
    text.fill("The world needs {x}, and I can help.", { x = pick(input.worldNeeds, 1) }),
    text.fill("My work on {x} has real value, and I am glad to be paid for it.", { x = pick(input.paidFor, 1) }),
    text.fill("My love of {x} and my skill at {y} belong together.", { x = pick(input.love, 2), y = pick(input.goodAt, 2) }),
    text.fill("Every small step towards {x} counts.", { x = pick(input.worldNeeds, 2) }),
    "Today I act on my purpose, one step at a time.",
  }
  for i, line in ipairs(lines) do lines[i] = fit_sms(line) end
  return lines
end

local function first_steps(input)
  check_input(input)
  return {
    text.fill("This week, spend one hour using your skill at {good} on something connected to {love}.",
      { good = phrase(input.goodAt[1]), love = phrase(input.love[1]) }),
    text.fill("Talk to one person who needs {need} and ask what would help them most.",
      { need = phrase(input.worldNeeds[1]) }),
    text.fill("Find three ways people are paid for {paid}, and choose one to try within 30 days.",
      { paid = phrase(input.paidFor[1]) }),
  }
end

local function offline(input)
  local o = overlaps(input)
  return {
    passion = o.passion.text, mission = o.mission.text, vocation = o.vocation.text,
    profession = o.profession.text, statement = statement(input),
    affirmations = affirmations(input), steps = first_steps(input),
  }
end

local function check(result)
  for _, name in ipairs({ "passion", "mission", "vocation", "profession" }) do
    if type(result[name]) ~= "string" or text.trim(result[name]) == "" then
      return false, name .. " is missing"
    end
  end
  if type(result.statement) ~= "string" or text.trim(result.statement) == "" then
    return false, "the purpose statement is missing"
  end
  if text.length(result.statement) > STATEMENT_MAX then
    return false, string.format("the purpose statement has %d characters, over %d",
      text.length(result.statement), STATEMENT_MAX)
  end
  local aff = result.affirmations
  if type(aff) ~= "table" or #aff ~= 7 then
    return false, string.format("%d affirmations, expected exactly 7", type(aff) == "table" and #aff or 0)
  end
  for i, a in ipairs(aff) do
    if type(a) ~= "string" or text.trim(a) == "" then return false, "affirmation " .. i .. " is empty" end
    if not gsm.fits_one(a) then
      return false, string.format("affirmation %d needs %d SMS segments, expected 1", i, gsm.segments(a))
    end
  end
  if result.steps ~= nil and (type(result.steps) ~= "table" or #result.steps ~= 3) then
    return false, "expected exactly 3 first steps"
  end
  return true
end

return {
  STATEMENT_MAX = STATEMENT_MAX,
  overlaps = overlaps,
  statement = statement,
  affirmations = affirmations,
  first_steps = first_steps,
  offline = offline,
  fit_sms = fit_sms,
  check = check,
}
