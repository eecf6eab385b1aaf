-- lib/rhythm.lua: calendar density per working day, and where to put pauses.
--
--   rhythm.plan(events, opts) -> { days = { day, ... }, pauses = { pause, ... } }
--   rhythm.verify(events, plan, opts) -> true, or false and the reason (for an agent's validate)
--   rhythm.merge(intervals)   -> sorted, non-overlapping { {s, e}, ... } (touching ones joined)
--   rhythm.is_own_pause(event [, marker]) -> true for a pause this module planned earlier
--   rhythm.PAUSE_MARKER       -> "[Pause]", the title prefix that marks our pauses
--
-- An event is { start = epoch s, ["end"] = epoch s, allDay, busy (default true), declined,
-- title, eventType ("outOfOffice", ...), outOfOffice, ownPause }. opts holds the agent's input
-- fields under their API names, with the same defaults as the Rhythm agent's schema, plus the
-- host's time functions (see lib/civil.lua):
--   to_local, from_local     required
--   start                    first local date, "YYYY-MM-DD" or {year, month, day}; default: now's date
--   now                      epoch; no pause is planned before it (default: none)
--   days = 7, workingHours = {start = "09:00", ["end"] = "18:00"}, workingDays = Monday..Friday,
--   densityThreshold = 0.75, pauseMinutes = 20, maxPausesPerDay = 2,
--   streakLimitMinutes = 180, restMinutes = 30, marker = rhythm.PAUSE_MARKER
--
-- How a day is read. Busy time is the union of timed events that are busy, not declined and not
-- our own pauses, clipped to the day's working hours (so a meeting crossing midnight counts on both
-- days, and each day's share only). density = busy time / working time, both in real seconds, so a
-- day with a daylight-saving change has its true length. A streak is a run of busy time whose gaps
-- are all shorter than restMinutes (a 10-minute gap between meetings is no rest); its length runs
-- from its first start to its last end. An out-of-office event (eventType "outOfOffice",
-- outOfOffice = true, or an all-day event titled like "Out of office", "OOO", "Vacation",
-- "Holiday", "PTO", "Leave", "Day off") covering the working hours makes the day a day off.
--
-- Where pauses go. A day needs pauses when its density is over densityThreshold or its longest
-- streak is over streakLimitMinutes. Then, up to maxPausesPerDay pauses per day (existing own
-- pauses count), each pause is centred as close as possible to the middle of the current longest
-- streak, inside a free gap: within working hours, after `now`, and clear of every timed event
-- that is not declined (free ones included, and earlier pauses). A pause counts as rest, so one
-- placed in a gap inside a streak splits it, and the next pause goes to the new longest streak;
-- a day stops getting pauses as soon as it no longer needs them. Two pauses stay at least one
-- pause length apart. Because existing own pauses are
-- read back the same way, running the plan again on the calendar it produced adds nothing.
-- Pause starts snap to a 5-minute mark when that keeps them inside the gap.

local civil = require "lib.civil"
local stats = require "lib.stats"

local PAUSE_MARKER = "[Pause]"
local OOO_TITLE_WORDS = { "out of office", "ooo", "vacation", "holiday", "pto", "leave", "day off" }

local function merge(intervals)
  local sorted = {}
  for i, iv in ipairs(intervals) do sorted[i] = { iv[1], iv[2] } end
  table.sort(sorted, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
  local out = {}
  for _, iv in ipairs(sorted) do
    local last = out[#out]
    if last and iv[1] <= last[2] then
      if iv[2] > last[2] then last[2] = iv[2] end
    else
      out[#out + 1] = iv
    end
  end
  return out
end

local function is_own_pause(event, marker)
  if event.ownPause then return true end
  marker = marker or PAUSE_MARKER
  local title = event.title or ""
  return title:sub(1, #marker) == marker
end

local function is_out_of_office(event)
  if event.outOfOffice or event.eventType == "outOfOffice" then return true end
  if not event.allDay then return false end
  local title = " " .. (event.title or ""):lower():gsub("[^%w]+", " ") .. " "
  for _, w in ipairs(OOO_TITLE_WORDS) do
    if title:find(" " .. w .. " ", 1, true) then return true end
  end
  return false
end

local function check_events(events)
  for i, ev in ipairs(events) do
    if type(ev.start) ~= "number" or type(ev["end"]) ~= "number" then
      error(string.format("rhythm: event %d (%s) has no numeric start and end", i, tostring(ev.title)), 3)
    end
  end
end

local function options(opts)
  if type(opts.to_local) ~= "function" or type(opts.from_local) ~= "function" then
    error("rhythm: opts.to_local and opts.from_local must be functions (see lib/civil.lua)", 3)
  end
  local wh = opts.workingHours or {}
  local o = {
    to_local = opts.to_local, from_local = opts.from_local, now = opts.now,
    days = opts.days or 7,
    work_start = civil.parse_hhmm(wh.start or "09:00"),
    work_end = civil.parse_hhmm(wh["end"] or "18:00"),
    threshold = opts.densityThreshold or 0.75,
    pause_s = (opts.pauseMinutes or 20) * 60,
    max_pauses = opts.maxPausesPerDay or 2,
    streak_limit_s = (opts.streakLimitMinutes or 180) * 60,
    rest_s = (opts.restMinutes or 30) * 60,
    marker = opts.marker or PAUSE_MARKER,
    working_days = {},
  }
  local function positive(name, v)
    if type(v) ~= "number" or v <= 0 then
      error(string.format("rhythm: %s = %s, expected a positive number", name, tostring(v)), 4)
    end
  end
  positive("days", o.days)
  positive("densityThreshold", o.threshold)
  positive("pauseMinutes", opts.pauseMinutes or 20)
  positive("streakLimitMinutes", opts.streakLimitMinutes or 180)
  if math.type(o.max_pauses) ~= "integer" or o.max_pauses < 0 then
    error("rhythm: maxPausesPerDay = " .. tostring(o.max_pauses) .. ", expected an integer >= 0", 3)
  end
  if not o.work_start or not o.work_end or o.work_start >= o.work_end then
    error(string.format("rhythm: workingHours %s-%s, expected HH:MM with start before end",
      tostring(wh.start), tostring(wh["end"])), 3)
  end
  for _, d in ipairs(opts.workingDays or { 1, 2, 3, 4, 5 }) do
    local wday = civil.parse_weekday(d)
    if not wday then error("rhythm: unknown working day " .. tostring(d) .. ", expected Monday..Sunday", 3) end
    o.working_days[wday] = true
  end
  local start = opts.start
  if type(start) == "string" then
    start = civil.parse_date(start)
    if not start then error("rhythm: start " .. tostring(opts.start) .. " is not a YYYY-MM-DD date", 3) end
  elseif start == nil then
    if not o.now then error("rhythm: opts.start or opts.now is needed to know the first day", 3) end
    local t = o.to_local(o.now)
    start = { year = t.year, month = t.month, day = t.day }
  end
  o.start = start
  return o
end

local function local_epoch(o, date, minutes)
  if minutes >= 1440 then
    local next_day = civil.add_days(date, 1)
    return o.from_local(next_day.year, next_day.month, next_day.day, 0, 0)
  end
  return o.from_local(date.year, date.month, date.day, minutes // 60, minutes % 60)
end

local function clip(intervals, lo, hi)
  local out = {}
  for _, iv in ipairs(intervals) do
    local s, e = math.max(iv[1], lo), math.min(iv[2], hi)
    if e > s then out[#out + 1] = { s, e } end
  end
  return out
end

-- Streaks of busy time; a gap is rest when it is at least rest_s long or holds one of our pauses.
local function streaks(busy, pauses, rest_s)
  local out = {}
  for _, iv in ipairs(busy) do
    local cur = out[#out]
    local rested = true
    if cur then
      rested = iv[1] - cur[2] >= rest_s
      for _, p in ipairs(pauses) do
        if p[1] >= cur[2] and p[2] <= iv[1] then rested = true end
      end
    end
    if rested then out[#out + 1] = { iv[1], iv[2] } else cur[2] = iv[2] end
  end
  return out
end

local function longest(list)
  local best
  for _, s in ipairs(list) do
    if not best or s[2] - s[1] > best[2] - best[1] then best = s end
  end
  return best
end

-- Free gaps of at least min_len inside [lo, hi], outside every blocked interval.
local function free_gaps(blocked, lo, hi, min_len)
  local gaps, cursor = {}, lo
  for _, b in ipairs(blocked) do
    if b[1] > cursor and math.min(b[1], hi) - cursor >= min_len then
      gaps[#gaps + 1] = { cursor, math.min(b[1], hi) }
    end
    if b[2] > cursor then cursor = b[2] end
    if cursor >= hi then break end
  end
  if hi - cursor >= min_len then gaps[#gaps + 1] = { cursor, hi } end
  return gaps
end

-- The pause slot whose centre lies nearest the middle of the streak; earlier wins ties.
local function best_slot(gaps, streak, pause_s)
  local target = (streak[1] + streak[2]) / 2
  local best, best_distance
  for _, g in ipairs(gaps) do
    local s = math.floor(stats.clamp(target - pause_s / 2, g[1], g[2] - pause_s))
    local snapped = s - s % 300
    if s % 300 >= 150 then snapped = snapped + 300 end
    if snapped >= g[1] and snapped + pause_s <= g[2] then s = snapped end
    local distance = math.abs(s + pause_s / 2 - target)
    if not best or distance < best_distance then best, best_distance = { s, s + pause_s }, distance end
  end
  return best
end

local function remove_slot(gaps, slot, min_len)
  local out = {}
  for _, g in ipairs(gaps) do
    if slot[2] <= g[1] or slot[1] >= g[2] then
      out[#out + 1] = g
    else
      if slot[1] - g[1] >= min_len then out[#out + 1] = { g[1], slot[1] } end
      if g[2] - slot[2] >= min_len then out[#out + 1] = { slot[2], g[2] } end
    end
  end
  return out
end

local function classify(events, marker)
  local busy, blocked, own, ooo = {}, {}, {}, {}
  for _, ev in ipairs(events) do
    if not ev.declined and ev["end"] > ev.start then
      local iv = { ev.start, ev["end"] }
      if is_out_of_office(ev) then ooo[#ooo + 1] = iv end
      if not ev.allDay then
        blocked[#blocked + 1] = iv
        if is_own_pause(ev, marker) then
          own[#own + 1] = iv
        elseif ev.busy ~= false then
          busy[#busy + 1] = iv
        end
      end
    end
  end
  return merge(busy), merge(blocked), own, ooo -- own pauses unmerged: each one counts
end

local function plan_day(o, date, ev)
  local day_start, day_end = local_epoch(o, date, 0), local_epoch(o, date, 1440)
  local ws, we = local_epoch(o, date, o.work_start), local_epoch(o, date, o.work_end)
  local day = {
    date = civil.format_date(date), weekday = civil.weekday_name(civil.weekday(date)),
    dayOff = false, workingMinutes = (we - ws) // 60, busyMinutes = 0, density = 0,
    longestStreakMinutes = 0, needsPause = false, existingPauses = 0, pauses = {},
  }
  for _, iv in ipairs(ev.ooo) do
    if iv[1] <= ws and iv[2] >= we then day.dayOff = true end
  end
  if day.dayOff then return day, {} end

  local busy = clip(ev.busy, ws, we)
  local own = clip(ev.own, day_start, day_end)
  day.existingPauses = #own
  local busy_s = 0
  for _, iv in ipairs(busy) do busy_s = busy_s + iv[2] - iv[1] end
  local density = busy_s / (we - ws)
  day.busyMinutes = stats.round(busy_s / 60)
  day.density = stats.round(density, 2)

  local rests = clip(ev.own, ws, we)
  local function needs()
    local l = longest(streaks(busy, rests, o.rest_s))
    return density > o.threshold or (l ~= nil and l[2] - l[1] > o.streak_limit_s)
  end
  local first = longest(streaks(busy, rests, o.rest_s))
  if first then
    day.longestStreakMinutes = stats.round((first[2] - first[1]) / 60)
    day.longestStreak = { start = civil.rfc3339(first[1], o.to_local), ["end"] = civil.rfc3339(first[2], o.to_local) }
  end
  day.needsPause = needs()

  -- Pauses keep one pause length apart, so two never run into one long break.
  local spaced = {}
  for i, iv in ipairs(ev.blocked) do spaced[i] = iv end
  for _, p in ipairs(own) do spaced[#spaced + 1] = { p[1] - o.pause_s, p[2] + o.pause_s } end
  local gaps = free_gaps(merge(spaced), o.now and math.max(ws, o.now) or ws, we, o.pause_s)
  local placed = {}
  while day.existingPauses + #placed < o.max_pauses and needs() do
    local streak = longest(streaks(busy, rests, o.rest_s))
    if not streak then break end
    local slot = best_slot(gaps, streak, o.pause_s)
    if not slot then break end
    placed[#placed + 1] = slot
    rests[#rests + 1] = slot
    gaps = remove_slot(gaps, { slot[1] - o.pause_s, slot[2] + o.pause_s }, o.pause_s)
  end
  table.sort(placed, function(a, b) return a[1] < b[1] end)
  for _, slot in ipairs(placed) do
    day.pauses[#day.pauses + 1] = {
      start = civil.rfc3339(slot[1], o.to_local), ["end"] = civil.rfc3339(slot[2], o.to_local),
      startEpoch = slot[1], endEpoch = slot[2], date = day.date,
    }
  end
  return day, day.pauses
end

local function plan(events, opts)
  check_events(events)
  local o = options(opts)
  local busy, blocked, own, ooo = classify(events, o.marker)
  local ev = { busy = busy, blocked = blocked, own = own, ooo = ooo }
  local result = { days = {}, pauses = {} }
  for i = 0, o.days - 1 do
    local date = civil.add_days(o.start, i)
    if o.working_days[civil.weekday(date)] then
      local day, pauses = plan_day(o, date, ev)
      result.days[#result.days + 1] = day
      for _, p in ipairs(pauses) do result.pauses[#result.pauses + 1] = p end
    end
  end
  return result
end

-- Independent checks of a plan: each pause inside its day's working hours, clear of every
-- event that is not declined, clear of the other pauses, and no day over maxPausesPerDay.
local function verify(events, result, opts)
  local o = options(opts)
  local _, blocked = classify(events, o.marker)
  local per_day = {}
  for i, p in ipairs(result.pauses) do
    local date = civil.parse_date(p.date)
    if not date then return false, string.format("pause %d has no valid date", i) end
    local ws, we = local_epoch(o, date, o.work_start), local_epoch(o, date, o.work_end)
    if p.startEpoch < ws or p.endEpoch > we then
      return false, string.format("pause %d (%s) is outside working hours of %s", i, p.start, p.date)
    end
    for _, b in ipairs(blocked) do
      if p.startEpoch < b[2] and p.endEpoch > b[1] then
        return false, string.format("pause %d (%s) overlaps an event", i, p.start)
      end
    end
    for j, q in ipairs(result.pauses) do
      if j ~= i and p.startEpoch < q.endEpoch and p.endEpoch > q.startEpoch then
        return false, string.format("pauses %d and %d overlap", i, j)
      end
    end
    per_day[p.date] = (per_day[p.date] or 0) + 1
  end
  for _, day in ipairs(result.days) do
    local total = (per_day[day.date] or 0) + day.existingPauses
    if total > o.max_pauses then
      return false, string.format("%s has %d pauses, over the cap of %d", day.date, total, o.max_pauses)
    end
  end
  return true
end

return {
  plan = plan,
  verify = verify,
  merge = merge,
  is_own_pause = is_own_pause,
  PAUSE_MARKER = PAUSE_MARKER,
}
