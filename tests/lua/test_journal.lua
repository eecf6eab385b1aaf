local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local journal = require "lib.journal"

local function entry(date, energy, alignment, words)
  return { date = date, intention = words, gratitude = "A walk with Mia", energy = energy,
    alignment = alignment, reflection = "Focus came after the walk" }
end

local WEEK = {
  entry("2026-11-24", 5, 6, "Finish the workshop outline"),
  entry("2026-11-25", 6, 6, "Prepare the workshop slides"),
  entry("2026-11-26", 6, 7, "Call the customer about the workshop"),
  entry("2026-11-27", 7, 7, "Write the budget guide"),
  entry("2026-11-28", 8, 8, "Rest and cook for friends"),
}

check.test("headers, and rows there and back", function()
  check.eq(journal.HEADERS, { "Date", "Intention", "Gratitude", "Energy (1–10)", "Alignment (1–10)", "Reflection" }, "headers")
  local row = journal.to_row(WEEK[1])
  check.eq(row, { "2026-11-24", "Finish the workshop outline", "A walk with Mia", "5", "6", "Focus came after the walk" }, "row")
  check.eq(journal.from_row(row), WEEK[1], "entry")
  check.raises(function() journal.from_row({ "2026-11-24", "", "", "11", "5", "" }, "row 3") end,
    "row 3 has energy = \"11\"", "energy out of range")
  check.raises(function() journal.from_row({ "yesterday", "", "", "5", "5", "" }, "row 4") end,
    "row 4 has date", "bad date")
end)

check.test("recent keeps the last days, one entry per date, oldest first", function()
  local entries = { WEEK[3], WEEK[1], WEEK[2], entry("2026-11-25", 9, 9, "later entry, same day"),
    entry("2026-12-01", 5, 5, "future") }
  local r = journal.recent(entries, 2, "2026-11-26")
  check.eq(#r, 2, "two days")
  check.eq(r[1].date, "2026-11-25", "oldest first")
  check.eq(r[1].energy, 9, "the last entry of a date wins")
  check.eq(r[2].date, "2026-11-26", "today included")
  check.raises(function() journal.recent(entries, 7, "soon") end, "expected YYYY%-MM%-DD", "bad today")
end)

check.test("figures: averages and trends of energy and alignment", function()
  local f = journal.figures(WEEK)
  check.eq(f.count, 5, "count")
  check.eq(f.energy, { mean = 6.4, trend = 0.7, direction = "rising" }, "energy 5,6,6,7,8")
  check.eq(f.alignment, { mean = 6.8, trend = 0.5, direction = "rising" }, "alignment 6,6,7,7,8")
end)

check.test("offline summary from the figures and the frequent words, within its length", function()
  local s = journal.offline_summary(WEEK)
  -- "walk" is in every gratitude and reflection; "mia" and "focus" tie at 5 and keep their order
  check.eq(s.themes, { "walk", "mia", "focus" }, "themes")
  check.eq(s.summary, "Over 5 entries, energy averaged 6.4 (rising) and alignment 6.8 (rising). " ..
    "Recurring themes: walk, mia and focus.", "summary")
  check.eq(s.suggestion, "Things are steady or improving: keep making room for walk.", "suggestion")
  check.ok(journal.check_summary(s.summary, s.themes), "passes its check")
  local short = journal.offline_summary(WEEK, 40)
  check.ok(#short.summary <= 40, "max length")
  check.eq(journal.offline_summary(WEEK), journal.offline_summary(WEEK), "deterministic")
end)

check.test("suggestions follow the figures", function()
  local falling = { entry("2026-11-24", 8, 7, "a"), entry("2026-11-25", 6, 7, "b"), entry("2026-11-26", 4, 7, "c") }
  check.ok(journal.offline_summary(falling).suggestion:find("^Energy is falling"), "falling energy")
  local low = { entry("2026-11-24", 7, 3, "a"), entry("2026-11-25", 7, 3, "b") }
  check.ok(journal.offline_summary(low).suggestion:find("^Alignment is low"), "low alignment")
  check.raises(function() journal.offline_summary({}) end, "no entries", "empty")
end)

check.test("check_summary gives the reason", function()
  check.eq({ journal.check_summary("", { "a" }) }, { false, "the summary is empty" }, "empty")
  check.eq({ journal.check_summary(string.rep("a", 501), { "a" }) }, { false, "the summary has 501 characters, over 500" }, "long")
  check.eq({ journal.check_summary("ok", {}) }, { false, "0 themes, expected 1 to 5" }, "no themes")
  check.eq({ journal.check_summary("ok", { 1, 2, 3, 4, 5, 6 }) }, { false, "6 themes, expected 1 to 5" }, "six themes")
end)

check.done()
