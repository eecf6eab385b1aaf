-- lib/distortions.lua: the ten cognitive distortions, found by cue words, with offline reframes.
--
--   distortions.NAMES            -> the ten names, in a fixed order
--   distortions.is_name(s)       -> true when s is one of NAMES (for validating an llm's answer)
--   distortions.detect(belief)   -> { {name=, score=, cues={...}}, ... } best first; empty if no cue
--   distortions.classify(belief) -> name, cues: the best match, or FALLBACK when no cue is found
--   distortions.reframe(belief [, name]) -> { belief, distortion, cues, evidence, reframe,
--                                            affirmation, action }; name defaults to classify()
--   distortions.FALLBACK         -> "emotional reasoning": a limiting belief with no cue word is
--                                   most often a feeling stated as a fact
--
-- Detection: the belief is lower-cased, typographic apostrophes are folded, and every run of
-- characters other than letters, digits and apostrophes becomes one space; each cue phrase is then
-- looked up between spaces (so "never" does not match "nevertheless"). A cue weighs 1, or 2 when it
-- is the textbook form of its distortion ("what if", "should", "i am a", "my fault"); ties go to
-- the earlier name in NAMES.
--
-- Reframes: the belief is rewritten in one pass through SOFTENERS, which swap absolute words for
-- measured ones ("always" -> "sometimes", "should" -> "would like to", "I am a failure" -> "I am
-- someone who has failed at times"), keeping the case of a capital at the start; the distortion's
-- closing sentence follows. When no softener applies, the belief is quoted as a thought ('The
-- thought "..." is one view, not a fact.'). Either way text is added, so a reframe never equals its
-- belief; reframe() checks this anyway and raises an error if it ever did.

local text = require "lib.text"

local FALLBACK = "emotional reasoning"

-- name, cues (phrase = weight), evidence, closing sentence, affirmation, action, default cue.
local CATALOGUE = {
  { name = "all-or-nothing",
    cues = { ["perfect"] = 2, ["perfectly"] = 2, ["all or nothing"] = 2, ["completely"] = 1,
      ["totally"] = 1, ["total failure"] = 2, ["complete failure"] = 2, ["entirely"] = 1,
      ["either"] = 1, ["flawless"] = 2, ["one mistake"] = 1, ["any mistake"] = 1, ["only if"] = 1 },
    evidence = 'Results are rarely all or nothing: "{cue}" hides the partial progress already made and the many outcomes between success and failure.',
    closing = "Progress counts even when it is partial.",
    affirmation = "I make real progress without needing to be perfect.",
    action = "Write down one thing you did today that was good enough, and leave it as it is.",
    default_cue = "all or nothing" },
  { name = "overgeneralisation",
    cues = { ["always"] = 2, ["never"] = 2, ["every time"] = 2, ["everyone"] = 1, ["everybody"] = 1,
      ["nobody"] = 1, ["no one"] = 1, ["all the time"] = 2, ["constantly"] = 1, ["each time"] = 1,
      ["nothing ever"] = 2 },
    evidence = 'A word like "{cue}" leaves no room for exceptions, yet most things vary from one time to the next: there has been at least one time it went differently.',
    closing = "One experience is not a rule about every time.",
    affirmation = "Each day is new, and I notice the times things go well.",
    action = "Note one time this week when it went differently from how you expected.",
    default_cue = "always" },
  { name = "mind reading",
    cues = { ["they think"] = 2, ["he thinks"] = 2, ["she thinks"] = 2, ["people think"] = 2,
      ["everyone thinks"] = 2, ["they'll think"] = 2, ["they will think"] = 2, ["must think"] = 2,
      ["probably think"] = 2, ["think i'm"] = 1, ["thinks i'm"] = 1, ["judging me"] = 1,
      ["judge me"] = 1, ["laugh at me"] = 1, ["don't like me"] = 1, ["hates me"] = 1,
      ["see me as"] = 1 },
    evidence = "No one can see into another mind: there is no direct evidence of what they think, and people are usually busier with their own concerns than with judging others.",
    closing = "I cannot know what others think unless I ask.",
    affirmation = "I let others speak for themselves and trust my own view of me.",
    action = "Ask one person directly what they think, instead of guessing.",
    default_cue = "they think" },
  { name = "fortune telling",
    cues = { ["will fail"] = 2, ["i'll fail"] = 2, ["going to fail"] = 2, ["will never"] = 2,
      ["i'll never"] = 2, ["won't work"] = 2, ["won't ever"] = 2, ["never going to"] = 2,
      ["bound to"] = 1, ["no point"] = 1, ["won't"] = 1, ["going to"] = 1, ["will go wrong"] = 2 },
    evidence = "The outcome has not happened yet, and earlier predictions like this one have not always come true.",
    closing = "The future is not written yet; I can prepare and see.",
    affirmation = "I meet the future one step at a time, ready to learn.",
    action = "List what you can prepare for the next step, then take the first item.",
    default_cue = "will" },
  { name = "catastrophising",
    cues = { ["what if"] = 2, ["disaster"] = 2, ["catastrophe"] = 2, ["ruin"] = 1, ["ruined"] = 1,
      ["terrible"] = 1, ["horrible"] = 1, ["awful"] = 1, ["the worst"] = 2, ["end of the world"] = 2,
      ["can't handle"] = 1, ["can't cope"] = 1, ["cannot cope"] = 1, ["unbearable"] = 1,
      ["nightmare"] = 1, ["lose everything"] = 2 },
    evidence = 'Picturing the worst ("{cue}") is not the same as it being likely; most setbacks are smaller and easier to recover from than they feel.',
    closing = "Even if it goes badly, I can handle it one step at a time.",
    affirmation = "I have handled hard things before, and I can handle this too.",
    action = "Write the worst, the best and the most likely outcome, and one step for the likely one.",
    default_cue = "what if" },
  { name = "should statements",
    cues = { ["should"] = 2, ["shouldn't"] = 2, ["must"] = 2, ["mustn't"] = 2, ["have to"] = 1,
      ["has to"] = 1, ["ought to"] = 2, ["supposed to"] = 1, ["need to be"] = 1, ["got to"] = 1 },
    evidence = '"{cue}" turns a wish into a rule; no law says it must be so, and falling short of a rule is not failing as a person.',
    closing = "Wanting it is reason enough to work towards it, at my own pace.",
    affirmation = "I choose my goals freely and move towards them at my own pace.",
    action = "Rewrite one of today's 'shoulds' as 'I would like to', and do the smallest part of it.",
    default_cue = "should" },
  { name = "labelling",
    cues = { ["i am a"] = 2, ["i'm a"] = 2, ["i am an"] = 2, ["i'm an"] = 2, ["i'm such a"] = 2,
      ["i am such a"] = 2, ["loser"] = 1, ["failure"] = 1, ["idiot"] = 1, ["stupid"] = 1,
      ["lazy"] = 1, ["useless"] = 1, ["worthless"] = 1, ["fraud"] = 1, ["impostor"] = 1,
      ["imposter"] = 1, ["not good enough"] = 2, ["i'm bad at"] = 2, ["i am bad at"] = 2,
      ["i'm no good at"] = 2 },
    evidence = "One label cannot describe a whole person: it leaves out the many things done well, and the times it did not fit at all.",
    closing = "One action or result does not define who I am.",
    affirmation = "I am more than any one result, and I keep growing.",
    action = "Write three things you did well this month that the label leaves out.",
    default_cue = "i am a" },
  { name = "discounting the positive",
    cues = { ["just luck"] = 2, ["only luck"] = 2, ["got lucky"] = 2, ["was lucky"] = 2,
      ["doesn't count"] = 2, ["don't count"] = 2, ["didn't count"] = 2, ["anyone could"] = 2,
      ["anybody could"] = 2, ["not a big deal"] = 1, ["no big deal"] = 1, ["just being nice"] = 2,
      ["fluke"] = 2, ["doesn't mean anything"] = 1, ["only because"] = 1 },
    evidence = "Luck alone rarely produces a result: preparation, effort and choices played their part, and others noticed them.",
    closing = "My part in it counts, and I can let it count.",
    affirmation = "I accept my successes and the effort that made them.",
    action = "Write down one recent success and the three things you did that made it happen.",
    default_cue = "just luck" },
  { name = "emotional reasoning",
    cues = { ["i feel"] = 2, ["feel like"] = 2, ["feels like"] = 2, ["i sense"] = 1, ["my gut"] = 1,
      ["feeling"] = 1, ["feel so"] = 1 },
    evidence = "Feelings are real signals, but they describe an inner state, not the facts of the situation; the facts can be checked separately.",
    closing = "A feeling is real, but it is not proof of a fact.",
    affirmation = "I honour my feelings and check the facts with a calm mind.",
    action = "Next time the feeling comes, write the feeling and the facts in two columns.",
    default_cue = "i feel" },
  { name = "personalisation",
    cues = { ["my fault"] = 2, ["because of me"] = 2, ["i caused"] = 2, ["i ruined"] = 1,
      ["blame myself"] = 2, ["i'm to blame"] = 2, ["i am to blame"] = 2, ["let them down"] = 1,
      ["let everyone down"] = 1, ["let you down"] = 1, ["all on me"] = 1, ["if only i"] = 1 },
    evidence = "Outcomes have many causes: other people, timing and circumstances all played a part, not only one person.",
    closing = "Many things shaped what happened, not only me.",
    affirmation = "I take fair responsibility and let go of what was never mine.",
    action = "Draw a pie chart of everything that contributed, and give yourself only your real slice.",
    default_cue = "my fault" },
}

-- Longer phrases first, so "will never" is rewritten before "never" could be.
local SOFTENERS = {
  { "i'll never", "I may not yet" }, { "will never", "may not yet" }, { "never going to", "not yet ready to" },
  { "i'll fail", "I might fail" }, { "will fail", "might fail" }, { "going to fail", "might fail" },
  { "won't", "might not" }, { "shouldn't", "would prefer not to" }, { "mustn't", "would prefer not to" },
  { "should", "would like to" }, { "must", "would like to" }, { "have to", "would like to" },
  { "need to", "would like to" }, { "ought to", "would like to" },
  { "always", "sometimes" }, { "never", "rarely" }, { "every time", "some of the time" },
  { "all the time", "some of the time" }, { "constantly", "sometimes" },
  { "nobody would ever", "not everyone would" }, { "no one would ever", "not everyone would" },
  { "nobody will ever", "not everyone will" }, { "no one will ever", "not everyone will" },
  { "everyone", "not everyone" }, { "everybody", "not everybody" }, { "nobody", "not everyone" },
  { "no one", "not everyone" },
  { "total failure", "partial success" }, { "complete failure", "partial success" },
  { "perfectly", "well enough" }, { "perfect", "good enough" }, { "completely", "partly" },
  { "totally", "partly" }, { "entirely", "partly" },
  { "a failure", "someone who has failed at times" }, { "a loser", "someone having a hard time" },
  { "a fraud", "someone still growing into this" }, { "an impostor", "someone still growing into this" },
  { "an imposter", "someone still growing into this" }, { "not good enough", "still growing" },
  { "stupid", "still learning" }, { "useless", "still learning" }, { "worthless", "still of value" },
  { "bad at", "still improving at" }, { "no good at", "still improving at" },
  { "lazy", "tired" },
  { "disaster", "setback" }, { "catastrophe", "setback" }, { "terrible", "difficult" },
  { "horrible", "hard" }, { "awful", "unpleasant" }, { "ruined", "affected" }, { "ruin", "affect" },
  { "just luck", "partly my doing" }, { "got lucky", "earned part of this" },
  { "doesn't count", "counts" }, { "don't count", "count" }, { "anyone could", "I could" },
  { "i feel like", "part of me feels like" }, { "i feel", "part of me feels" },
  { "my fault", "not only down to me" }, { "because of me", "because of many things, me included" },
}

local NAMES, BY_NAME = {}, {}
for i, d in ipairs(CATALOGUE) do
  NAMES[i] = d.name
  BY_NAME[d.name] = d
end

local function normalise(s)
  s = text.lower(s):gsub("\xE2\x80[\x98\x99]", "'")
  s = s:gsub("[^%w'\x80-\xFF]+", " ")
  return " " .. s:gsub("^ +", ""):gsub(" +$", "") .. " "
end

local function is_name(s)
  return BY_NAME[s] ~= nil
end

local function count(haystack, needle)
  local n, at = 0, 1
  while true do
    local a, b = haystack:find(needle, at, true)
    if not a then return n end
    n, at = n + 1, b
  end
end

local function detect(belief)
  local norm = normalise(belief)
  -- Occurrences of every cue; a cue inside a longer matched cue ("never" in "will never") is
  -- counted only where it stands on its own.
  local hits = {}
  for _, d in ipairs(CATALOGUE) do
    for cue in pairs(d.cues) do
      local c = count(norm, " " .. cue .. " ")
      if c > 0 then hits[cue] = c end
    end
  end
  local alone = {}
  for cue, c in pairs(hits) do
    for longer, lc in pairs(hits) do
      if #longer > #cue and (" " .. longer .. " "):find(" " .. cue .. " ", 1, true) then c = c - lc end
    end
    alone[cue] = c > 0
  end
  local found = {}
  for order, d in ipairs(CATALOGUE) do
    local score, cues = 0, {}
    for cue, weight in pairs(d.cues) do
      if alone[cue] then
        score = score + weight
        cues[#cues + 1] = cue
      end
    end
    if score > 0 then
      table.sort(cues, function(a, b) return #a > #b or (#a == #b and a < b) end)
      found[#found + 1] = { name = d.name, score = score, cues = cues, order = order }
    end
  end
  table.sort(found, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.order < b.order
  end)
  for _, f in ipairs(found) do f.order = nil end
  return found
end

local function classify(belief)
  local best = detect(belief)[1]
  if not best then return FALLBACK, {} end
  return best.name, best.cues
end

-- A case-insensitive Lua pattern for a phrase: letters as [xX], spaces as runs of white space.
local function phrase_pattern(phrase)
  return "^" .. phrase:gsub("%a", function(c) return "[" .. c:lower() .. c:upper() .. "]" end)
    :gsub(" ", "%%s+") .. "%f[^%w']"
end

local SOFTENER_PATTERNS = {}
for i, s in ipairs(SOFTENERS) do SOFTENER_PATTERNS[i] = { phrase_pattern(s[1]), s[2] } end

-- One left-to-right pass: at each word start the first (longest-listed) softener that matches
-- is applied, so a replacement is never rewritten again.
local function soften(belief)
  local s = belief:gsub("\xE2\x80\x99", "'")
  local out, i, changed = {}, 1, false
  while i <= #s do
    local replaced = false
    if i == 1 or not s:sub(i - 1, i - 1):match("[%w']") then
      for _, sp in ipairs(SOFTENER_PATTERNS) do
        local a, b = s:find(sp[1], i)
        if a then
          local rep = sp[2]
          if s:sub(a, a):match("%u") then rep = rep:sub(1, 1):upper() .. rep:sub(2) end
          out[#out + 1] = rep
          i, replaced, changed = b + 1, true, true
          break
        end
      end
    end
    if not replaced then
      out[#out + 1] = s:sub(i, i)
      i = i + 1
    end
  end
  return table.concat(out), changed
end

local function sentence(s)
  s = text.trim(s)
  if not s:match("[%.!?]$") then s = s .. "." end
  return text.capitalize(s)
end

local function reframe(belief, name)
  local cues
  if name == nil then name, cues = classify(belief) else cues = {} end
  local d = BY_NAME[name]
  if not d then error("distortions.reframe: unknown distortion " .. tostring(name) .. ", expected one of NAMES", 2) end
  if #cues == 0 then
    for _, f in ipairs(detect(belief)) do
      if f.name == name then cues = f.cues end
    end
  end
  local softened, changed = soften(text.trim(belief))
  local result
  if changed then
    result = sentence(softened) .. " " .. d.closing
  else
    result = 'The thought "' .. text.trim(belief):gsub("[%.!?]+$", "") .. '" is one view, not a fact. ' .. d.closing
  end
  if normalise(result) == normalise(belief) then
    error("distortions.reframe: the reframe equals its belief: " .. belief, 2)
  end
  return {
    belief = belief,
    distortion = name,
    cues = cues,
    evidence = text.fill(d.evidence, { cue = cues[1] or d.default_cue }),
    reframe = result,
    affirmation = d.affirmation,
    action = d.action,
  }
end

return {
  NAMES = NAMES,
  FALLBACK = FALLBACK,
  is_name = is_name,
  detect = detect,
  classify = classify,
  reframe = reframe,
}
