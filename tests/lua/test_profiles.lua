local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local cjson = require "cjson"
local civil = require "lib.civil"
local distortions = require "lib.distortions"
local ikigai = require "lib.ikigai"
local text = require "lib.text"

-- The demo profile (scripts/profiles/demo.json) is what `growthd run AGENT` uses offline: it must
-- hold every field the agents read, in the API's camelCase, and feed the lib modules cleanly.

local f = assert(io.open(check.root .. "/scripts/profiles/demo.json"))
local profile = cjson.decode(f:read("a"))
f:close()
local inputs = profile.inputs

check.test("the user has every field", function()
  for _, field in ipairs({ "id", "name", "email", "phone", "timezone", "calendarId" }) do
    check.ok(type(profile.user[field]) == "string" and profile.user[field] ~= "", "user." .. field)
  end
  check.ok(profile.user.email:match("^[^@%s]+@[^@%s]+%.[a-z]+$"), "email shape")
  check.ok(profile.user.phone:match("^%+%d%d%d%d%d%d%d%d+$"), "E.164 phone")
  check.ok(profile.user.timezone:match("^%a+/[%a_]+$"), "IANA time zone name")
end)

check.test("an input for each of the five agents, names in camelCase", function()
  for _, agent in ipairs({ "journal", "niche", "mindset", "rhythm", "purpose" }) do
    check.eq(type(inputs[agent]), "table", agent)
  end
  local function walk(t, path)
    for k, v in pairs(t) do
      if type(k) == "string" then check.ok(k:match("^%l%w*$"), "camelCase key " .. path .. k) end
      if type(v) == "table" then walk(v, path .. tostring(k) .. ".") end
    end
  end
  walk(inputs, "")
end)

check.test("journal: today's entry with scores in 1..10", function()
  local e = inputs.journal.entry
  for _, field in ipairs({ "energy", "alignment" }) do
    check.ok(type(e[field]) == "number" and e[field] % 1 == 0 and e[field] >= 1 and e[field] <= 10, field)
  end
  for _, field in ipairs({ "intention", "gratitude", "reflection" }) do
    check.ok(#text.content_words(e[field]) >= 3, field .. " has words")
  end
end)

check.test("niche: 6 to 60 short texts across the four lists", function()
  local total = 0
  for _, list in ipairs({ "interests", "skills", "problems", "audiences" }) do
    check.ok(#inputs.niche[list] >= 3, list)
    for _, item in ipairs(inputs.niche[list]) do
      check.ok(text.length(item) <= 100, "short text: " .. item)
      total = total + 1
    end
  end
  check.ok(total >= 6 and total <= 60, "total " .. total)
end)

check.test("mindset: 1 to 10 beliefs, each with a cue word and a distinct reframe", function()
  local beliefs = inputs.mindset.beliefs
  check.ok(#beliefs >= 1 and #beliefs <= 10, "count")
  local seen = {}
  for _, b in ipairs(beliefs) do
    local r = distortions.reframe(b)
    check.ok(#r.cues >= 1, "a cue in: " .. b)
    check.ok(r.reframe ~= b, "reframe differs")
    seen[r.distortion] = true
  end
  local kinds = 0
  for _ in pairs(seen) do kinds = kinds + 1 end
  check.ok(kinds >= 4, "the demo shows several distortions (" .. kinds .. ")")
end)

check.test("rhythm: the issue's fields with valid values", function()
  local r = inputs.rhythm
  check.ok(civil.parse_hhmm(r.workingHours.start) < civil.parse_hhmm(r.workingHours["end"]), "hours")
  for _, d in ipairs(r.workingDays) do check.ok(civil.parse_weekday(d), "day " .. d) end
  check.ok(r.densityThreshold > 0 and r.densityThreshold <= 1, "threshold")
  check.ok(r.pauseMinutes > 0 and r.maxPausesPerDay >= 1 and r.days >= 1, "numbers")
end)

check.test("purpose: four lists and a send time; the offline result passes its checks", function()
  local p = inputs.purpose
  check.ok(civil.parse_hhmm(p.affirmationTime), "affirmationTime")
  local result = ikigai.offline(p)
  check.ok(ikigai.check(result), "offline result")
end)

check.done()
