local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local civil = require "lib.civil"
local prng = require "lib.prng"
local rhythm = require "lib.rhythm"
local zones = require "zones"

local to_local, from_local = civil.fixed_zone(3600) -- +01:00, no daylight saving

-- A timed event on 2026-11-<day> (local), from h1:m1 to h2:m2.
local function ev(day, h1, m1, h2, m2, extra)
  local e = { title = "meeting", start = from_local(2026, 11, day, h1, m1), ["end"] = from_local(2026, 11, day, h2, m2) }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local function opts(extra)
  local o = { to_local = to_local, from_local = from_local, start = "2026-11-30", days = 1 }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function hhmm(rfc) return rfc:sub(12, 16) end

check.test("merge joins overlapping and touching intervals", function()
  check.eq(rhythm.merge({ { 5, 7 }, { 1, 3 }, { 2, 4 }, { 7, 8 }, { 10, 11 } }), { { 1, 4 }, { 5, 8 }, { 10, 11 } }, "merged")
  check.eq(rhythm.merge({}), {}, "empty")
end)

check.test("busy minutes, density and streak of a hand-built day", function()
  local events = {
    ev(30, 9, 0, 10, 0), ev(30, 9, 30, 11, 0),  -- overlap: 09:00-11:00
    ev(30, 11, 10, 12, 0),                      -- 10-minute gap: same streak
    ev(30, 13, 0, 14, 0),
    ev(30, 14, 0, 15, 0, { declined = true }),  -- ignored
    ev(30, 15, 0, 16, 0, { busy = false }),     -- free: ignored for density
    ev(30, 17, 0, 19, 30),                      -- only 17:00-18:00 is in working hours
  }
  local day = rhythm.plan(events, opts()).days[1]
  check.eq(day.date, "2026-11-30", "date")
  check.eq(day.weekday, "Monday", "weekday")
  check.eq(day.workingMinutes, 540, "09:00-18:00")
  check.eq(day.busyMinutes, 120 + 50 + 60 + 60, "busy minutes")
  check.eq(day.density, 0.54, "density 290 / 540")
  check.eq(day.longestStreakMinutes, 180, "09:00-12:00 with a 10-minute gap inside")
  check.eq(day.longestStreak, { start = "2026-11-30T09:00:00+01:00", ["end"] = "2026-11-30T12:00:00+01:00" }, "streak")
  check.eq(day.needsPause, false, "3 h exactly is not over the limit")
  check.eq(day.pauses, {}, "no pauses")
end)

check.test("a long streak is split by a pause in the gap inside it, then the longer half", function()
  local events = {
    ev(30, 9, 0, 10, 30), ev(30, 10, 30, 12, 0),
    ev(30, 12, 25, 14, 0), -- 25-minute gap: too short to be rest, long enough for a pause
    ev(30, 14, 0, 16, 0),
  }
  local plan = rhythm.plan(events, opts())
  local day = plan.days[1]
  check.eq(day.longestStreakMinutes, 420, "streak 09:00-16:00")
  check.eq(day.needsPause, true, "over 3 h")
  -- The first pause is centred as near 12:30 (the streak's middle) as the gap allows; that leaves
  -- 12:25-16:00 (215 min, still over 3 h), whose nearest free slot starts at 16:00.
  check.eq(#plan.pauses, 2, "two pauses")
  check.eq({ plan.pauses[1].start, plan.pauses[1]["end"] },
    { "2026-11-30T12:05:00+01:00", "2026-11-30T12:25:00+01:00" }, "first pause")
  check.eq({ hhmm(plan.pauses[2].start), hhmm(plan.pauses[2]["end"]) }, { "16:00", "16:20" }, "second pause")
  check.eq(plan.pauses[1].endEpoch - plan.pauses[1].startEpoch, 1200, "20 minutes")
  check.ok(rhythm.verify(events, plan, opts()), "verify accepts the plan")
end)

check.test("a pause that brings every streak under the limit is the only one", function()
  local events = { ev(30, 9, 0, 11, 20), ev(30, 11, 40, 14, 0) }
  local plan = rhythm.plan(events, opts())
  check.eq(plan.days[1].longestStreakMinutes, 300, "streak 09:00-14:00")
  check.eq(#plan.pauses, 1, "one pause")
  check.eq({ hhmm(plan.pauses[1].start), hhmm(plan.pauses[1]["end"]) }, { "11:20", "11:40" }, "in the gap")
end)

check.test("a dense day gets pauses up to the cap, never over an event, free ones included", function()
  local events = {
    ev(30, 9, 0, 10, 0), ev(30, 10, 30, 12, 0), ev(30, 12, 30, 14, 30),
    ev(30, 15, 0, 16, 30), ev(30, 17, 0, 18, 0),
    ev(30, 14, 30, 15, 0, { busy = false, title = "Focus (free)" }), -- blocks pauses, not busy
  }
  local plan = rhythm.plan(events, opts({ densityThreshold = 0.7 }))
  local day = plan.days[1]
  check.eq(day.busyMinutes, 420, "busy minutes")
  check.eq(day.density, 0.78, "density 420 / 540")
  check.eq(day.longestStreakMinutes, 120, "no gap under 30 minutes: streaks are single blocks")
  check.eq(#plan.pauses, 2, "maxPausesPerDay")
  for _, p in ipairs(plan.pauses) do
    check.ok(hhmm(p.start) ~= "14:30", "not over the free event")
  end
  local ok, why = rhythm.verify(events, plan, opts({ densityThreshold = 0.7 }))
  check.ok(ok, "verify: " .. tostring(why))
  local three = rhythm.plan(events, opts({ densityThreshold = 0.7, maxPausesPerDay = 3 }))
  check.eq(#three.pauses, 3, "a higher cap gives a third (10:00, 12:00 and 16:30 gaps)")
end)

check.test("a re-run on the calendar with our pauses adds none", function()
  local events = {
    ev(30, 9, 0, 10, 30), ev(30, 10, 30, 12, 0), ev(30, 12, 25, 14, 0), ev(30, 14, 0, 16, 0),
    { title = "a", start = from_local(2026, 12, 1, 9, 0), ["end"] = from_local(2026, 12, 1, 11, 20) },
    { title = "b", start = from_local(2026, 12, 1, 11, 40), ["end"] = from_local(2026, 12, 1, 14, 0) },
  }
  local o = opts({ days = 2 })
  local first = rhythm.plan(events, o)
  check.eq(#first.pauses, 3, "first run")
  for _, p in ipairs(first.pauses) do
    events[#events + 1] = { title = rhythm.PAUSE_MARKER .. " Breathe", start = p.startEpoch, ["end"] = p.endEpoch }
  end
  local second = rhythm.plan(events, o)
  check.eq(#second.pauses, 0, "second run")
  check.eq(second.days[1].existingPauses, 2, "own pauses recognised on day 1")
  check.eq(second.days[2].existingPauses, 1, "own pauses recognised on day 2")
  check.ok(rhythm.verify(events, second, o), "the calendar is within the cap")
  check.eq(second.days[1].busyMinutes, first.days[1].busyMinutes, "own pauses are not busy time")
  local flagged = { { start = from_local(2026, 11, 30, 12, 0), ["end"] = from_local(2026, 11, 30, 12, 20), ownPause = true, title = "Pause" } }
  check.ok(rhythm.is_own_pause(flagged[1]), "ownPause flag")
  check.ok(not rhythm.is_own_pause({ title = "Pause with Ana" }), "a title without the marker")
end)

check.test("all-day out-of-office is a day off; other all-day events are ignored", function()
  local events = {
    { title = "Out of office", allDay = true, start = from_local(2026, 12, 1, 0, 0), ["end"] = from_local(2026, 12, 2, 0, 0) },
    { title = "Team offsite prep", allDay = true, start = from_local(2026, 12, 2, 0, 0), ["end"] = from_local(2026, 12, 3, 0, 0) },
    { title = "Meeting", start = from_local(2026, 12, 1, 9, 0), ["end"] = from_local(2026, 12, 1, 17, 0) },
    { title = "Meeting", start = from_local(2026, 12, 2, 9, 0), ["end"] = from_local(2026, 12, 2, 10, 0) },
    { title = "Holiday", allDay = true, declined = true, start = from_local(2026, 12, 3, 0, 0), ["end"] = from_local(2026, 12, 4, 0, 0) },
  }
  local plan = rhythm.plan(events, opts({ start = "2026-12-01", days = 3 }))
  check.eq(plan.days[1].dayOff, true, "OOO day")
  check.eq(plan.days[1].busyMinutes, 0, "no busy time on a day off")
  check.eq(#plan.pauses, 0, "no pauses on a day off")
  check.eq(plan.days[2].dayOff, false, "other all-day event")
  check.eq(plan.days[2].busyMinutes, 60, "only the timed meeting")
  check.eq(plan.days[3].dayOff, false, "declined holiday is no day off")
end)

check.test("weekends are skipped unless listed; an event crossing midnight counts on both days", function()
  local events = {
    { title = "Release", start = from_local(2026, 12, 1, 17, 0), ["end"] = from_local(2026, 12, 2, 10, 0) },
  }
  local plan = rhythm.plan(events, opts({ start = "2026-11-28", days = 7, workingHours = { start = "08:00", ["end"] = "18:00" } }))
  check.eq(#plan.days, 5, "Saturday and Sunday skipped")
  check.eq(plan.days[1].date, "2026-11-30", "first working day")
  check.eq(plan.days[2].busyMinutes, 60, "17:00-18:00 on the 1st")
  check.eq(plan.days[3].busyMinutes, 120, "08:00-10:00 on the 2nd")
  local weekend = rhythm.plan({}, opts({ start = "2026-11-28", days = 2, workingDays = { "Saturday", "sun" } }))
  check.eq(#weekend.days, 2, "listed weekend days")
end)

check.test("no pause before now", function()
  local events = { ev(30, 9, 0, 10, 30), ev(30, 10, 50, 14, 0) }
  local plan = rhythm.plan(events, opts({ now = from_local(2026, 11, 30, 11, 0) }))
  check.ok(#plan.pauses >= 1, "a pause later in the day")
  for _, p in ipairs(plan.pauses) do
    check.ok(p.startEpoch >= from_local(2026, 11, 30, 11, 0), "after now: " .. p.start)
  end
  local without = rhythm.plan({ ev(30, 9, 0, 10, 30), ev(30, 10, 50, 14, 0) }, opts())
  check.eq(hhmm(without.pauses[1].start), "10:30", "without now, the gap inside the streak")
end)

check.test("a day with a spring-forward change has 11 real working hours", function()
  local tl, fl = zones.berlin()
  -- Sunday 2027-03-28: 02:00 local becomes 03:00. Working 00:00-12:00 is 11 real hours.
  local function at(h, m) return fl(2027, 3, 28, h, m) end
  local events = {
    { title = "night shift", start = at(0, 0), ["end"] = at(1, 30) },
    { title = "handover", start = at(1, 30), ["end"] = at(3, 30) }, -- 01:30+01 to 03:30+02: 1 real hour
    { title = "review", start = at(3, 40), ["end"] = at(5, 0) },
  }
  local o = { to_local = tl, from_local = fl, start = "2027-03-28", days = 1, workingDays = { "Sunday" },
    workingHours = { start = "00:00", ["end"] = "12:00" } }
  local plan = rhythm.plan(events, o)
  local day = plan.days[1]
  check.eq(day.workingMinutes, 660, "11 hours")
  check.eq(day.busyMinutes, 90 + 60 + 80, "real minutes")
  check.eq(day.density, 0.35, "230 / 660")
  check.eq(day.longestStreakMinutes, 240, "00:00+01:00 to 05:00+02:00 is 4 real hours")
  check.eq(day.longestStreak.start, "2027-03-28T00:00:00+01:00", "streak start in winter time")
  check.eq(day.longestStreak["end"], "2027-03-28T05:00:00+02:00", "streak end in summer time")
  check.ok(#plan.pauses >= 1, "the 4-hour streak gets a pause")
  check.eq(plan.pauses[1].start:sub(-6), "+02:00", "pause offset after the change")
  local ok, why = rhythm.verify(events, plan, o)
  check.ok(ok, "verify: " .. tostring(why))
end)

check.test("a day with a fall-back change has 13 real working hours", function()
  local tl, fl = zones.berlin()
  local o = { to_local = tl, from_local = fl, start = "2027-10-31", days = 1, workingDays = { 7 },
    workingHours = { start = "00:00", ["end"] = "12:00" } }
  local events = { { title = "all morning", start = fl(2027, 10, 31, 1, 0), ["end"] = fl(2027, 10, 31, 4, 0) } }
  local day = rhythm.plan(events, o).days[1]
  check.eq(day.workingMinutes, 780, "13 hours")
  check.eq(day.busyMinutes, 240, "01:00+02:00 to 04:00+01:00 is 4 real hours")
end)

-- Random calendars: the plan must hold its promises on every one of them.
check.test("random weeks: pauses inside working hours, clear of events, within the cap, idempotent", function()
  local tl, fl = zones.berlin()
  local g = prng.new(2026)
  local checked = 0
  for week = 1, 40 do
    local first = civil.add_days({ year = 2027, month = 3, day = 15 }, week % 6 * 7 - 7)
    local events = {}
    for d = 0, 6 do
      local date = civil.add_days(first, d)
      local t = 7 * 60 + g:int(90)
      while t < 20 * 60 do
        local len = 15 * g:int(12)
        local e = { title = "event", start = fl(date.year, date.month, date.day, t // 60, t % 60) }
        local t2 = math.min(t + len, 23 * 60 + 59)
        e["end"] = fl(date.year, date.month, date.day, t2 // 60, t2 % 60)
        local r = g:int(10)
        if r == 1 then e.declined = true elseif r == 2 then e.busy = false end
        events[#events + 1] = e
        t = t + len + 5 * (g:int(8) - 1) - (g:int(6) == 1 and 30 or 0) -- sometimes overlapping
      end
    end
    local o = { to_local = tl, from_local = fl, start = civil.format_date(first), days = 7,
      densityThreshold = 0.6, maxPausesPerDay = g:int(3), pauseMinutes = 5 * (2 + g:int(4)) }
    local plan = rhythm.plan(events, o)
    local ok, why = rhythm.verify(events, plan, o)
    check.ok(ok, "week " .. week .. ": " .. tostring(why))
    for _, p in ipairs(plan.pauses) do
      check.eq(p.endEpoch - p.startEpoch, o.pauseMinutes * 60, "pause length")
      checked = checked + 1
    end
    for _, p in ipairs(plan.pauses) do
      events[#events + 1] = { title = rhythm.PAUSE_MARKER, start = p.startEpoch, ["end"] = p.endEpoch }
    end
    check.eq(#rhythm.plan(events, o).pauses, 0, "week " .. week .. " re-run")
  end
  check.ok(checked > 50, "enough pauses were planned to mean something (" .. checked .. ")")
end)

check.test("bad options are refused with the reason", function()
  check.raises(function() rhythm.plan({}, { start = "2026-11-30" }) end, "to_local", "no time functions")
  check.raises(function() rhythm.plan({}, opts({ workingHours = { start = "18:00", ["end"] = "09:00" } })) end,
    "start before end", "hours")
  check.raises(function() rhythm.plan({}, opts({ workingDays = { "Funday" } })) end, "Funday", "days")
  check.raises(function() rhythm.plan({ { title = "x" } }, opts()) end, "event 1", "event without times")
  check.raises(function() rhythm.plan({}, opts({ pauseMinutes = 0 })) end, "pauseMinutes = 0", "pause length")
  check.raises(function() rhythm.plan({}, opts({ maxPausesPerDay = 1.5 })) end, "maxPausesPerDay", "cap")
end)

check.test("same input, same plan", function()
  local events = { ev(30, 9, 0, 12, 10), ev(30, 12, 30, 16, 0) }
  check.eq(rhythm.plan(events, opts()), rhythm.plan(events, opts()), "plan")
end)

check.done()
