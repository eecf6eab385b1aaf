local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local distortions = require "lib.distortions"
local gsm = require "lib.gsm"
local text = require "lib.text"

check.test("the ten names of the issue, in order", function()
  check.eq(distortions.NAMES, {
    "all-or-nothing", "overgeneralisation", "mind reading", "fortune telling", "catastrophising",
    "should statements", "labelling", "discounting the positive", "emotional reasoning", "personalisation",
  }, "names")
  check.ok(distortions.is_name("labelling"), "is_name")
  check.ok(not distortions.is_name("labeling"), "American spelling is not on the list")
end)

local EXAMPLES = {
  { "If it isn't perfect, it's a waste of time.", "all-or-nothing" },
  { "I always mess up presentations.", "overgeneralisation" },
  { "Nobody ever listens to my ideas.", "overgeneralisation" },
  { "My manager thinks I'm incompetent; they think I don't belong here.", "mind reading" },
  { "I'll never get promoted, it won't work.", "fortune telling" },
  { "What if I lose my job and everything falls apart?", "catastrophising" },
  { "I should be further along by now.", "should statements" },
  { "I'm a failure.", "labelling" },
  { "I am such an idiot with money.", "labelling" },
  { "I only got the job because I got lucky.", "discounting the positive" },
  { "I feel like a fraud, so I must be one.", "emotional reasoning" },
  { "It’s my fault the launch went badly.", "personalisation" },
}

check.test("cue words find the distortion of example beliefs", function()
  for _, ex in ipairs(EXAMPLES) do
    local name, cues = distortions.classify(ex[1])
    check.eq(name, ex[2], ex[1])
    check.ok(#cues >= 1, "cues named for " .. ex[1])
  end
end)

check.test("a cue inside a longer cue does not count twice; words inside words do not count", function()
  local found = distortions.detect("I will never be good enough")
  check.eq(found[1].name, "fortune telling", "'will never' over 'never'")
  check.eq(distortions.detect("Nevertheless, I shouldered it.")[1], nil, "no cue in nevertheless or shouldered")
  check.eq({ distortions.classify("I'm bad at maths") }, { "labelling", { "i'm bad at" } }, "bad at")
  check.eq({ distortions.classify("Work is hard lately") }, { distortions.FALLBACK, {} }, "fallback")
end)

check.test("every reframe differs from its belief, with evidence, affirmation and action", function()
  local beliefs = { "Work is hard lately", "I must never fail", "Everyone thinks I'm boring" }
  for _, ex in ipairs(EXAMPLES) do beliefs[#beliefs + 1] = ex[1] end
  for _, b in ipairs(beliefs) do
    local r = distortions.reframe(b)
    check.ok(distortions.is_name(r.distortion), "distortion from the list for " .. b)
    check.ok(text.trim(r.reframe):lower() ~= text.trim(b):lower(), "reframe differs: " .. b)
    check.ok(#r.evidence > 20 and #r.action > 20, "evidence and action for " .. b)
    check.ok(not r.evidence:find("{", 1, true), "template filled for " .. b)
    check.ok(gsm.fits_one(r.affirmation), "affirmation fits one SMS for " .. b)
    check.eq(r.belief, b, "belief kept")
  end
end)

check.test("reframes soften absolutes, or quote the thought", function()
  check.eq(distortions.reframe("I always mess up presentations.").reframe,
    "I sometimes mess up presentations. One experience is not a rule about every time.", "always")
  check.eq(distortions.reframe("I should be further along by now").reframe,
    "I would like to be further along by now. Wanting it is reason enough to work towards it, at my own pace.", "should")
  check.eq(distortions.reframe("Nobody would ever pay for my work").reframe:sub(1, 35),
    "Not everyone would pay for my work.", "nobody would ever")
  check.eq(distortions.reframe("What if they say no?").reframe:sub(1, 42),
    'The thought "What if they say no" is one v', "quoted thought")
  check.eq(distortions.reframe("Shouldn't this be easier?", "should statements").distortion,
    "should statements", "explicit name")
  check.raises(function() distortions.reframe("x", "denial") end, "unknown distortion", "unknown name")
end)

check.test("same input, same output", function()
  for _, ex in ipairs(EXAMPLES) do
    check.eq(distortions.reframe(ex[1]), distortions.reframe(ex[1]), ex[1])
  end
end)

check.done()
