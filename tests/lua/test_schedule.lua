local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local civil = require "lib.civil"
local schedule = require "lib.schedule"
local zones = require "zones"

check.test("seven daily times at 08:00 local across a daylight-saving change", function()
  local tl, fl = zones.berlin()
  local now = fl(2027, 3, 25, 21, 15) -- Thursday evening; Sunday the 28th springs forward
  local times = schedule.daily(now, "08:00", 7, tl, fl)
  check.eq(#times, 7, "seven")
  check.eq(times[1].date, "2027-03-26", "today's 08:00 has passed: tomorrow first")
  for i, t in ipairs(times) do
    local l = tl(t.epoch)
    check.eq({ l.hour, l.min }, { 8, 0 }, "08:00 local on day " .. i)
    check.eq(t.delay_s, t.epoch - now, "delay")
    if i > 1 then
      local gap = t.epoch - times[i - 1].epoch
      local expected = t.date == "2027-03-28" and 23 * 3600 or 24 * 3600
      check.eq(gap, expected, "gap before " .. t.date)
    end
  end
  check.eq(civil.rfc3339(times[2].epoch, tl), "2027-03-27T08:00:00+01:00", "before the change")
  check.eq(civil.rfc3339(times[3].epoch, tl), "2027-03-28T08:00:00+02:00", "after the change")
end)

check.test("today counts when the time is still ahead, strictly", function()
  local tl, fl = civil.fixed_zone(-5 * 3600)
  check.eq(schedule.daily(fl(2026, 12, 1, 7, 59), "08:00", 1, tl, fl)[1].date, "2026-12-01", "a minute early")
  check.eq(schedule.daily(fl(2026, 12, 1, 8, 0), "08:00", 1, tl, fl)[1].date, "2026-12-02", "exactly on time")
  check.eq(schedule.daily(fl(2026, 12, 31, 9, 0), "08:00", 2, tl, fl)[2].date, "2027-01-02", "over the year end")
  check.eq(schedule.daily(fl(2026, 12, 1, 9, 0), "08:00", 0, tl, fl), {}, "none asked")
end)

check.test("a bad time or count is refused", function()
  local tl, fl = civil.fixed_zone(0)
  check.raises(function() schedule.daily(0, "8am", 7, tl, fl) end, "HH:MM", "format")
  check.raises(function() schedule.daily(0, "24:00", 7, tl, fl) end, "23:59", "24:00")
  check.raises(function() schedule.daily(0, "08:00", -1, tl, fl) end, "non%-negative", "count")
end)

check.done()
