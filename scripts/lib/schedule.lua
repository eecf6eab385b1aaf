-- lib/schedule.lua: the next send times of a daily message at a local wall-clock time.
--
--   schedule.daily(now, "HH:MM", n, to_local, from_local)
--       -> { { epoch = ..., date = "YYYY-MM-DD", delay_s = epoch - now }, ... } (n entries)
--
-- The first time is today's HH:MM when it is still ahead of `now` (strictly), otherwise
-- tomorrow's; then one a day. Each is found from the local date with from_local, never by adding
-- 86400 seconds, so across a daylight-saving change the message still goes out at 08:00 local
-- (the gap between two sends is then 23 or 25 hours). to_local and from_local are the host's time
-- functions (see lib/civil.lua). A time that does not exist on some day (inside a spring-forward
-- gap) is whatever from_local makes of it; the host maps it forward.

local civil = require "lib.civil"

local function daily(now, hhmm, n, to_local, from_local)
  local minutes = civil.parse_hhmm(hhmm)
  if not minutes or minutes >= 1440 then
    error("schedule.daily: time " .. tostring(hhmm) .. ", expected HH:MM between 00:00 and 23:59", 2)
  end
  if math.type(n) ~= "integer" or n < 0 then
    error("schedule.daily: count " .. tostring(n) .. ", expected a non-negative integer", 2)
  end
  local t = to_local(now)
  local date = { year = t.year, month = t.month, day = t.day }
  local function at(d) return from_local(d.year, d.month, d.day, minutes // 60, minutes % 60) end
  if at(date) <= now then date = civil.add_days(date, 1) end
  local out = {}
  for i = 1, n do
    local epoch = at(date)
    out[i] = { epoch = epoch, date = civil.format_date(date), delay_s = epoch - now }
    date = civil.add_days(date, 1)
  end
  return out
end

return {
  daily = daily,
}
