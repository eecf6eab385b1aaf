-- lib/journal.lua: the Journal agent's sheet rows, figures and offline summary.
--
--   journal.HEADERS                  -> the sheet's header row: Date, Intention, Gratitude,
--                                       Energy (1–10), Alignment (1–10), Reflection
--   journal.to_row(entry)            -> a row of strings in HEADERS order (entry.date is "YYYY-MM-DD")
--   journal.from_row(row [, where])  -> an entry with energy and alignment as numbers; a malformed
--                                       row is an error naming `where` (e.g. "row 7") and the field
--   journal.recent(entries, days, today) -> the entries dated in the `days` days ending `today`
--                                       ("YYYY-MM-DD"), oldest first, one per date (the last wins)
--   journal.figures(entries)         -> { count, energy = {mean, trend, direction}, alignment = {...} }
--                                       mean rounded to 1 decimal, trend = slope per entry (2 decimals),
--                                       direction "rising" (> 0.2), "falling" (< -0.2) or "steady"
--   journal.themes(entries [, n])    -> the n (default 3, at most 5) most frequent content words of
--                                       the intentions, gratitude and reflections
--   journal.offline_summary(entries [, max_length]) -> { themes, summary, suggestion, figures }:
--                                       the summary written from the figures and themes, within
--                                       max_length characters (default 500)
--   journal.check_summary(s, themes [, max_length]) -> true, or false and the reason: a non-empty
--                                       summary within max_length, and 1 to 5 themes
--
-- The suggestion follows fixed rules on the figures (falling energy first, then falling alignment,
-- then low averages), so the offline summary is the same for the same entries.

local civil = require "lib.civil"
local stats = require "lib.stats"
local text = require "lib.text"

local HEADERS = { "Date", "Intention", "Gratitude", "Energy (1–10)", "Alignment (1–10)", "Reflection" }
local FIELDS = { "date", "intention", "gratitude", "energy", "alignment", "reflection" }

local function to_row(entry)
  local row = {}
  for i, field in ipairs(FIELDS) do
    local v = entry[field]
    row[i] = v == nil and "" or tostring(v)
  end
  return row
end

local function score(value, field, where)
  local n = tonumber(value)
  if not n or n < 1 or n > 10 then
    error(string.format("journal: %s has %s = %q, expected a number from 1 to 10", where, field, tostring(value)), 3)
  end
  return n
end

local function from_row(row, where)
  where = where or "a row"
  local entry = {}
  for i, field in ipairs(FIELDS) do entry[field] = row[i] or "" end
  if not civil.parse_date(entry.date) then
    error(string.format("journal: %s has date %q, expected YYYY-MM-DD", where, tostring(entry.date)), 2)
  end
  entry.energy = score(entry.energy, "energy", where)
  entry.alignment = score(entry.alignment, "alignment", where)
  return entry
end

local function day_number(date_string)
  local d = civil.parse_date(date_string)
  return d and civil.days_from_civil(d.year, d.month, d.day)
end

local function recent(entries, days, today)
  local last = day_number(today)
  if not last then error("journal.recent: today = " .. tostring(today) .. ", expected YYYY-MM-DD", 2) end
  local by_date = {}
  for _, e in ipairs(entries) do
    local n = day_number(e.date)
    if n and n <= last and n > last - days then by_date[e.date] = e end
  end
  local out = {}
  for _, e in pairs(by_date) do out[#out + 1] = e end
  table.sort(out, function(a, b) return a.date < b.date end)
  return out
end

local function series(entries, field)
  local xs = {}
  for i, e in ipairs(entries) do xs[i] = e[field] end
  local slope = stats.trend(xs)
  local direction = "steady"
  if slope > 0.2 then direction = "rising" elseif slope < -0.2 then direction = "falling" end
  local mean = stats.mean(xs)
  return { mean = mean and stats.round(mean, 1), trend = stats.round(slope, 2), direction = direction }
end

local function figures(entries)
  return { count = #entries, energy = series(entries, "energy"), alignment = series(entries, "alignment") }
end

local function themes(entries, n)
  n = math.min(n or 3, 5)
  local texts = {}
  for _, e in ipairs(entries) do
    texts[#texts + 1] = table.concat({ e.intention or "", e.gratitude or "", e.reflection or "" }, " ")
  end
  return text.themes(texts, n)
end

local function suggestion(f, top)
  if f.energy.direction == "falling" then
    return "Energy is falling: plan one restful block this week and protect it like a meeting."
  elseif f.alignment.direction == "falling" then
    return "Alignment is slipping: start each day by writing one intention that matters to you."
  elseif f.energy.mean < 5 then
    return "Energy is low: look for one drain you can remove this week, and add one short break a day."
  elseif f.alignment.mean < 5 then
    return "Alignment is low: pick one task this week that moves you toward what you care about most."
  elseif top then
    return text.fill("Things are steady or improving: keep making room for {theme}.", { theme = top })
  end
  return "Things are steady or improving: keep the habits that brought you here."
end

local function offline_summary(entries, max_length)
  max_length = max_length or 500
  if #entries == 0 then error("journal.offline_summary: no entries to summarise", 2) end
  local f = figures(entries)
  local found = themes(entries, 3)
  local summary = text.fill("Over {count} {entries}, energy averaged {energy} ({energy_dir}) and alignment " ..
    "{alignment} ({alignment_dir}).", {
      count = f.count, entries = f.count == 1 and "entry" or "entries",
      energy = f.energy.mean, energy_dir = f.energy.direction,
      alignment = f.alignment.mean, alignment_dir = f.alignment.direction,
    })
  if #found > 0 then summary = summary .. " Recurring themes: " .. text.join(found) .. "." end
  return {
    themes = found,
    summary = text.truncate(summary, max_length),
    suggestion = text.truncate(suggestion(f, found[1]), max_length),
    figures = f,
  }
end

local function check_summary(s, found, max_length)
  max_length = max_length or 500
  if type(s) ~= "string" or text.trim(s) == "" then return false, "the summary is empty" end
  if text.length(s) > max_length then
    return false, string.format("the summary has %d characters, over %d", text.length(s), max_length)
  end
  if type(found) ~= "table" or #found < 1 or #found > 5 then
    return false, string.format("%d themes, expected 1 to 5", type(found) == "table" and #found or 0)
  end
  return true
end

return {
  HEADERS = HEADERS,
  to_row = to_row,
  from_row = from_row,
  recent = recent,
  figures = figures,
  themes = themes,
  offline_summary = offline_summary,
  check_summary = check_summary,
}
