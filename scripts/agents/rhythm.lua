-- agents/rhythm.lua: calendar density and pause scheduling (rooted).
--
-- Reads the user's calendar for the next `days` days, and per working day (in the user's time
-- zone, daylight saving included) computes busy minutes, density and the longest back-to-back
-- streak with lib.rhythm: overlaps merged, free and declined events ignored, an all-day
-- out-of-office a day off. On days over densityThreshold or with a streak over 3 h it inserts
-- pause events, titled with lib.rhythm's marker "[Pause]" so a later run counts them and adds no
-- more, into free gaps inside working hours that break the longest streak. The plan is a ctx.step
-- (a retry plans nothing new), each insert and the e-mail of the days' table are steps too.
-- validate re-reads the calendar and checks every pause independently (lib.rhythm.verify).

local calendar = require "growth.calendar"
local json = require "growth.json"
local mail = require "growth.mail"
local time = require "growth.time"
local civil = require "lib.civil"
local html = require "lib.html"
local rhythm = require "lib.rhythm"
local stats = require "lib.stats"

local WEEKDAYS = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" }

-- workingHours with its defaults (a default {} gets no defaults of its fields).
local function hours(input)
  local wh = input.workingHours or {}
  return { start = wh.start or "09:00", ["end"] = wh["end"] or "18:00" }
end

local function options(ctx, zone, start, now)
  local input = ctx.input
  return {
    days = input.days, workingHours = hours(input), workingDays = input.workingDays,
    densityThreshold = input.densityThreshold, pauseMinutes = input.pauseMinutes,
    maxPausesPerDay = input.maxPausesPerDay, to_local = zone.to_local, from_local = zone.from_local,
    start = start, now = now,
  }
end

local function calendar_id(ctx)
  return ctx.input.calendarId or ctx.user.calendarId or "primary"
end

-- "YYYY-MM-DD" (all-day) or RFC 3339 -> epoch seconds; all-day dates at local midnight.
local function epoch_of(value, zone)
  if #value == 10 then
    local d = civil.parse_date(value)
    return zone.from_local(d.year, d.month, d.day, 0, 0)
  end
  return assert(time.parse(value))
end

local function read_events(ctx, zone, from, to)
  local raw = calendar.events(calendar_id(ctx), from, to)
  local events = {}
  for i, e in ipairs(raw) do
    events[i] = { id = e.id, title = e.title or "", start = epoch_of(e.start, zone), ["end"] = epoch_of(e["end"], zone),
      allDay = e.allDay == true, busy = e.busy ~= false, declined = e.declined == true, eventType = e.eventType,
      outOfOffice = e.eventType == "outOfOffice" }
  end
  return events
end

local function window(ctx, zone, now)
  local t = zone.to_local(now)
  local first = ctx.input.startDate and civil.parse_date(ctx.input.startDate) or { year = t.year, month = t.month, day = t.day }
  local last = civil.add_days(first, ctx.input.days)
  return civil.format_date(first), zone.from_local(first.year, first.month, first.day, 0, 0),
    zone.from_local(last.year, last.month, last.day, 0, 0)
end

local function table_rows(days)
  local rows = {}
  for i, d in ipairs(days) do
    rows[i] = { d.date, d.weekday, d.dayOff and "day off" or tostring(d.busyMinutes),
      d.dayOff and "-" or (stats.round(100 * d.density) .. "%"), tostring(d.longestStreakMinutes),
      tostring(#d.pauses) }
  end
  return rows
end

local HEADER = { "Date", "Day", "Busy (min)", "Density", "Longest streak (min)", "Pauses added" }

local function email_bodies(ctx, plan)
  local lines = { "Hello " .. (ctx.user.name or "there") .. ",", "", "Your week at a glance:", "" }
  for _, row in ipairs(table_rows(plan.days)) do lines[#lines + 1] = table.concat(row, " | ") end
  lines[#lines + 1] = ""
  if #plan.pauses == 0 then
    lines[#lines + 1] = "No pauses were needed."
  else
    lines[#lines + 1] = "Pauses added to your calendar:"
    for _, p in ipairs(plan.pauses) do lines[#lines + 1] = "- " .. p.start .. " to " .. p["end"] end
  end
  local body = html.p("Hello " .. (ctx.user.name or "there") .. ",") .. "\n" .. html.p("Your week at a glance:") .. "\n"
    .. html.table(HEADER, table_rows(plan.days)) .. "\n"
    .. html.p(#plan.pauses == 0 and "No pauses were needed." or (#plan.pauses .. " pauses were added to your calendar."))
  return table.concat(lines, "\n") .. "\n", html.page("Your week at a glance", body)
end

return {
  name = "rhythm",
  title = "Rhythm Agent",
  tier = "rooted",
  description = "Calendar density per working day, with pauses inserted where the days are too full",
  needs = { "calendar", "mail" },
  input = {
    days = { type = "integer", min = 1, max = 31, default = 7 },
    workingHours = { type = "object", default = {}, fields = {
      start = { type = "string", min = 5, max = 5, default = "09:00" },
      ["end"] = { type = "string", min = 5, max = 5, default = "18:00" },
    } },
    workingDays = { type = "array", items = "string", min = 1, max = 7, default = WEEKDAYS },
    densityThreshold = { type = "number", min = 0, max = 1, default = 0.75 },
    pauseMinutes = { type = "integer", min = 5, max = 120, default = 20 },
    maxPausesPerDay = { type = "integer", min = 1, max = 10, default = 2 },
    calendarId = { type = "string", min = 1, max = 200, description = "default user.calendarId, else primary" },
    startDate = { type = "string", min = 10, max = 10, description = "first day, YYYY-MM-DD; default today" },
  },
  timeout = 300,

  setup = function(ctx)
    local function bad(message) error({ code = "bad_argument", retryable = false, message = message }) end
    local input = ctx.input
    local wh = hours(input)
    local s, e = civil.parse_hhmm(wh.start), civil.parse_hhmm(wh["end"])
    if not s or s >= 1440 then bad("rhythm.workingHours.start: expected HH:MM, got " .. wh.start) end
    if not e or e > 1440 then bad("rhythm.workingHours.end: expected HH:MM, got " .. wh["end"]) end
    if s >= e then bad("rhythm.workingHours: start must be before end") end
    for i, d in ipairs(input.workingDays) do
      if not civil.parse_weekday(d) then bad(string.format("rhythm.workingDays[%d]: %q is not a weekday", i, d)) end
    end
    if input.startDate and not civil.parse_date(input.startDate) then
      bad("rhythm.startDate: expected YYYY-MM-DD, got " .. input.startDate)
    end
    if not pcall(time.zone, ctx.user.timezone or "UTC") then
      bad("user.timezone: " .. tostring(ctx.user.timezone) .. " is not a time zone of the tz database")
    end
    if type(ctx.user.email) ~= "string" or ctx.user.email == "" then
      error("the profile needs user.email to send the week's table to")
    end
  end,

  run = function(ctx)
    local zone = time.zone(ctx.user.timezone or "UTC")
    ctx.progress(5, "Reading the calendar")
    local plan = ctx.step("plan", function()
      local now = math.floor(time.now())
      local start, from, to = window(ctx, zone, now)
      local events = read_events(ctx, zone, from, to)
      local p = rhythm.plan(events, options(ctx, zone, start, now))
      return { start = start, now = now, events = #events, days = p.days, pauses = p.pauses }
    end)
    ctx.progress(40, string.format("%d events read, %d pauses to add", plan.events, #plan.pauses))
    local inserted = {}
    for i, p in ipairs(plan.pauses) do
      local made = ctx.step("pause-" .. i, function()
        return calendar.insert(calendar_id(ctx), { title = rhythm.PAUSE_MARKER .. " Breathe and reset",
          start = p.start, ["end"] = p["end"], timeZone = zone.name,
          description = "A pause added by the growthd Rhythm Agent to break a long run of meetings." })
      end)
      inserted[i] = { start = p.start, ["end"] = p["end"], date = p.date, id = made.id, link = made.link }
      ctx.progress(40 + math.floor(40 * i / #plan.pauses), "Pause " .. i .. " of " .. #plan.pauses .. " added")
    end
    local text, body = email_bodies(ctx, plan)
    local artifacts = { { name = "rhythm-email.html", type = "html", path = ctx.artifact("rhythm-email.html", body) } }
    ctx.progress(85, "E-mailing the week's table")
    local sent = ctx.step("send-email", function()
      local r = mail.send{ to = { name = ctx.user.name, email = ctx.user.email }, subject = "Your week's rhythm",
        text = text, html = body }
      return { messageId = r.message_id, path = r.path }
    end)
    if sent.path then artifacts[#artifacts + 1] = { name = sent.path:match("[^/]+$"), type = "email", path = sent.path } end
    if inserted[1] and inserted[1].link and inserted[1].link:match("^file://") then
      artifacts[#artifacts + 1] = { name = inserted[1].link:match("[^/]+$"), type = "ics", path = inserted[1].link }
    end
    ctx.progress(100, "Done")
    local days = {}
    for i, d in ipairs(plan.days) do
      days[i] = { date = d.date, weekday = d.weekday, dayOff = d.dayOff, busyMinutes = d.busyMinutes,
        density = stats.round(d.density, 3), longestStreakMinutes = d.longestStreakMinutes,
        existingPauses = d.existingPauses, pausesAdded = #d.pauses }
    end
    return {
      calendarId = calendar_id(ctx),
      timeZone = zone.name,
      days = days,
      pauses = #inserted > 0 and inserted or json.empty_array,
      email = { to = ctx.user.email, messageId = sent.messageId },
      artifacts = artifacts,
    }
  end,

  validate = function(ctx, result)
    local zone = time.zone(ctx.user.timezone or "UTC")
    local plan = ctx.step("plan", function() error("the plan step is missing") end)
    local from = epoch_of(plan.start, zone)
    local last = civil.add_days(civil.parse_date(plan.start), ctx.input.days)
    local events = read_events(ctx, zone, from, zone.from_local(last.year, last.month, last.day, 0, 0))
    local ours, others = {}, {}
    local pauses = type(result.pauses) == "table" and result.pauses or {}   -- json.empty_array when none
    for i, p in ipairs(pauses) do ours[p.id] = i end
    for _, e in ipairs(events) do
      if ours[e.id] then ours[e.id] = nil else others[#others + 1] = e end
    end
    local missing = next(ours)
    if missing then error("pause " .. ours[missing] .. " is not in the calendar") end
    events = others   -- the calendar as the plan saw it: the pauses of this job must fit around it
    local ok, reason = rhythm.verify(events, plan, options(ctx, zone, plan.start, plan.now))
    if not ok then error(reason) end
    if type(result.email.messageId) ~= "string" or result.email.messageId == "" then error("the e-mail was not sent") end
  end,
}
