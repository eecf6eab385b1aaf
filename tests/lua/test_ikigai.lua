local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local gsm = require "lib.gsm"
local ikigai = require "lib.ikigai"
local text = require "lib.text"

local INPUT = {
  love = { "Cooking for friends", "Hiking in the hills", "Teaching kids" },
  goodAt = { "Explaining complex ideas simply", "Teaching beginners to cook" },
  worldNeeds = { "Healthier family meals", "Financial literacy for teens" },
  paidFor = { "Cooking classes", "Recipe writing for magazines" },
}

check.test("the four overlaps pair the items that share word stems", function()
  local o = ikigai.overlaps(INPUT)
  check.eq(o.passion.from, { "Cooking for friends", "Teaching beginners to cook" }, "passion: cook")
  check.eq(o.passion.shared, { "cooking" }, "shared word")
  check.eq(o.passion.text, "Cooking for friends meets your skill at teaching beginners to cook", "passion text")
  check.eq(o.mission.from, { "Cooking for friends", "Healthier family meals" }, "mission: no shared stem, first items")
  check.eq(o.vocation.text, "Being paid for cooking classes, in answer to healthier family meals", "vocation")
  check.eq(o.profession.from, { "Teaching beginners to cook", "Cooking classes" }, "profession: cook")
end)

check.test("statement within 280 characters even from very long words", function()
  check.ok(text.length(ikigai.statement(INPUT)) <= 280, "demo input")
  local long = {}
  for _, f in ipairs({ "love", "goodAt", "worldNeeds", "paidFor" }) do
    long[f] = { string.rep("wonderfully long description ", 12) }
  end
  local s = ikigai.statement(long)
  check.ok(text.length(s) <= 280, "long input: " .. text.length(s))
  check.ok(s:sub(1, 15) == "My purpose is t", "statement shape")
end)

check.test("seven affirmations, each one SMS segment, for GSM and non-GSM words", function()
  local inputs = { INPUT, {
    love = { "Café culture ☕ and “slow” mornings with a very long description that keeps going on and on" },
    goodAt = { "Listening… really listening, for hours and hours with great patience and care" },
    worldNeeds = { "Kindness 🙂 towards strangers in busy cities all over the world, every single day" },
    paidFor = { "Coaching" },
  }, {
    love = { string.rep("x", 300) }, goodAt = { "a" }, worldNeeds = { "b" }, paidFor = { "c" },
  } }
  for n, input in ipairs(inputs) do
    local list = ikigai.affirmations(input)
    check.eq(#list, 7, "seven for input " .. n)
    for i, a in ipairs(list) do
      check.ok(gsm.fits_one(a), string.format("input %d affirmation %d fits one segment (%d units)", n, i, (gsm.units(a))))
      check.ok(text.trim(a) ~= "", "not empty")
    end
  end
  local emoji = ikigai.affirmations(inputs[2])
  check.ok(not gsm.is_gsm7(emoji[3]), "the emoji affirmation is UCS-2...")
  check.ok(gsm.units(emoji[3]) <= 70, "...and within 70 units")
end)

check.test("fit_sms cuts at a word boundary only when needed", function()
  check.eq(ikigai.fit_sms("short"), "short", "unchanged")
  local cut = ikigai.fit_sms(string.rep("word ", 40) .. "🙂")
  check.ok(gsm.fits_one(cut), "fits")
  check.ok(cut:sub(-4) == "word", "ends on a whole word")
end)

check.test("offline result passes check; broken results fail it with the reason", function()
  local r = ikigai.offline(INPUT)
  check.ok(ikigai.check(r), "offline result")
  check.eq(#r.steps, 3, "three steps")
  local function broken(change)
    local copy = {}
    for k, v in pairs(r) do copy[k] = v end
    change(copy)
    local ok, why = ikigai.check(copy)
    check.ok(not ok, "broken result refused")
    return why
  end
  check.eq(broken(function(c) c.mission = "" end), "mission is missing", "missing overlap")
  check.ok(broken(function(c) c.statement = string.rep("a", 281) end):find("281 characters"), "long statement")
  check.eq(broken(function(c) c.affirmations = { "a", "b" } end), "2 affirmations, expected exactly 7", "count")
  local long = {}
  for i = 1, 7 do long[i] = "ok" end
  long[4] = string.rep("é", 60) .. "🙂" .. string.rep("a", 10)
  check.ok(broken(function(c) c.affirmations = long end):find("affirmation 4 needs 2 SMS segments"), "segment")
end)

check.test("input errors name the field; same input gives the same output", function()
  check.raises(function() ikigai.offline({ love = {}, goodAt = { "a" }, worldNeeds = { "b" }, paidFor = { "c" } }) end,
    "love must be a list of 1 to 10", "empty love")
  check.raises(function() ikigai.offline({ love = { "a" }, goodAt = { " " }, worldNeeds = { "b" }, paidFor = { "c" } }) end,
    "goodAt%[1%]", "blank item")
  check.eq(ikigai.offline(INPUT), ikigai.offline(INPUT), "deterministic")
end)

check.done()
