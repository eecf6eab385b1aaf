-- lib/civil.lua: calendar dates and local times without the C library's time zone functions.
--
-- The sandbox has no os.date with a time zone, and a daylight-saving change must be right, so
-- local time comes from two functions the host provides (growth.time) and the agent passes in:
--
--   to_local(epoch)                 -> { year, month, day, hour, min, sec, offset_s }
--                                      (offset_s: seconds east of UTC in force at that instant)
--   from_local(year, month, day, hour, min) -> epoch seconds of that local wall-clock time
--
-- Everything else here is pure calendar arithmetic on proleptic Gregorian dates (Hinnant's
-- days-from-civil algorithm), so it is exact for any year and needs no tables.
--
--   civil.days_from_civil(y, m, d)  -> days since 1970-01-01
--   civil.civil_from_days(z)        -> y, m, d
--   civil.add_days(date, n)         -> a new { year, month, day } n days after date
--   civil.weekday(date)             -> ISO weekday, 1 = Monday ... 7 = Sunday
--   civil.weekday_name(wday)        -> "Monday" ... "Sunday"
--   civil.parse_weekday(v)          -> 1..7 from "Monday", "mon", "MON" or an integer 1..7; nil if unknown
--   civil.format_date(date)         -> "2026-11-30"
--   civil.parse_date(s)             -> { year, month, day } from "YYYY-MM-DD", or nil
--   civil.parse_hhmm(s)             -> minutes after midnight from "HH:MM" (00:00..24:00), or nil
--   civil.rfc3339(epoch, to_local)  -> "2026-11-30T09:00:00+01:00" (the local time and its offset)
--   civil.fixed_zone(offset_s)      -> to_local, from_local for a zone with a constant offset
--                                      (UTC is fixed_zone(0)); tests and UTC users need no host

local WEEKDAYS = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12 -- March = 0, so the leap day ends the year
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function add_days(date, n)
  local y, m, d = civil_from_days(days_from_civil(date.year, date.month, date.day) + n)
  return { year = y, month = m, day = d }
end

local function weekday(date)
  return (days_from_civil(date.year, date.month, date.day) + 3) % 7 + 1 -- 1970-01-01 was a Thursday
end

local function weekday_name(wday)
  return WEEKDAYS[wday]
end

local function parse_weekday(v)
  if math.type(v) == "integer" then
    if v >= 1 and v <= 7 then return v end
    return nil
  end
  if type(v) ~= "string" or #v < 3 then return nil end
  local prefix = v:lower()
  for i, name in ipairs(WEEKDAYS) do
    if name:lower():sub(1, #prefix) == prefix then return i end
  end
  return nil
end

local function format_date(date)
  return string.format("%04d-%02d-%02d", date.year, date.month, date.day)
end

local function parse_date(s)
  local y, m, d = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return nil end
  local cy, cm, cd = civil_from_days(days_from_civil(y, m, d))
  if cy ~= y or cm ~= m or cd ~= d then return nil end -- 2026-02-30 and friends
  return { year = y, month = m, day = d }
end

local function parse_hhmm(s)
  local h, m = tostring(s):match("^(%d%d?):(%d%d)$")
  if not h then return nil end
  h, m = tonumber(h), tonumber(m)
  if m > 59 or h > 24 or (h == 24 and m > 0) then return nil end
  return h * 60 + m
end

local function rfc3339(epoch, to_local)
  local t = to_local(epoch)
  local off = t.offset_s or 0
  local sign = off < 0 and "-" or "+"
  off = math.abs(off)
  return string.format("%04d-%02d-%02dT%02d:%02d:%02d%s%02d:%02d", t.year, t.month, t.day, t.hour,
    t.min, t.sec or 0, sign, off // 3600, off % 3600 // 60)
end

local function fixed_zone(offset_s)
  local function to_local(epoch)
    local t = epoch + offset_s
    local days, secs = t // 86400, t % 86400
    local y, m, d = civil_from_days(days)
    return { year = y, month = m, day = d, hour = secs // 3600, min = secs % 3600 // 60,
      sec = secs % 60, offset_s = offset_s }
  end
  local function from_local(y, m, d, h, min)
    return days_from_civil(y, m, d) * 86400 + h * 3600 + min * 60 - offset_s
  end
  return to_local, from_local
end

return {
  days_from_civil = days_from_civil,
  civil_from_days = civil_from_days,
  add_days = add_days,
  weekday = weekday,
  weekday_name = weekday_name,
  parse_weekday = parse_weekday,
  format_date = format_date,
  parse_date = parse_date,
  parse_hhmm = parse_hhmm,
  rfc3339 = rfc3339,
  fixed_zone = fixed_zone,
}
