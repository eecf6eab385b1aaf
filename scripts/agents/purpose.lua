-- agents/purpose.lua: Ikigai purpose discovery (radiant).
--
-- From what the user loves, is good at, what the world needs and what they can be paid for, the
-- llm finds the four overlaps (passion, mission, vocation, profession), a purpose statement of at
-- most 280 characters, seven affirmations of one SMS segment each and three first steps (offline:
-- lib.ikigai from the user's own words). A PDF with the Ikigai diagram, the statement and the
-- steps is kept as an artifact, uploaded to Drive and e-mailed as an attachment.
--
-- SMS is optional. When it is configured and the profile has a phone number, the seven
-- affirmations go out one a day at affirmationTime in the user's zone: with a queue (the host
-- gives ctx.schedule) each is a delayed follow-up job running this agent's task
-- send_affirmation; without one (growthd run) the schedule is in the result and every message is
-- written with its send time to the SMS outbox artifact purpose-sms-outbox.jsonl. Every side
-- effect (the upload, the e-mail, each scheduled job, each SMS) is a ctx.step, so a retry repeats none.

local json = require "growth.json"
local llm = require "growth.llm"
local mail = require "growth.mail"
local pdf = require "growth.pdf"
local drive = require "growth.drive"
local sms = require "growth.sms"
local time = require "growth.time"
local civil = require "lib.civil"
local gsm = require "lib.gsm"
local ikigai = require "lib.ikigai"
local schedule = require "lib.schedule"
local text = require "lib.text"

local CIRCLES = { "love", "goodAt", "worldNeeds", "paidFor" }
local OVERLAPS = { "passion", "mission", "vocation", "profession" }

local function list_of_texts(description)
  return { type = "array", items = { type = "string", min = 1, max = 200 }, min = 1, max = 10, required = true,
    description = description }
end

local SCHEMA = {
  type = "object",
  properties = {
    passion = { type = "string" }, mission = { type = "string" }, vocation = { type = "string" },
    profession = { type = "string" }, statement = { type = "string" },
    affirmations = { type = "array", items = { type = "string" } },
    steps = { type = "array", items = { type = "string" } },
  },
  required = { "passion", "mission", "vocation", "profession", "statement", "affirmations", "steps" },
  additionalProperties = false,
}

local SYSTEM = "You are an Ikigai coach. From the user's four lists answer in JSON: passion (what they love and "
  .. "are good at), mission (love and what the world needs), vocation (what the world needs and they can be paid "
  .. "for), profession (good at and paid for), statement (a purpose statement of at most 280 characters), "
  .. "affirmations (exactly seven, each under 150 plain GSM characters, no emoji), steps (exactly three first steps)."

-- The user's local time functions (the host's tz database, so daylight saving is right).
local function zone(name)
  local z = time.zone(name or "UTC")
  return z.to_local, z.from_local, z.name
end

-- Holds the llm's answer to the limits the result promises, whatever model answered: a model that gives
-- fewer than seven affirmations or three steps (the schema cannot ask for a count) is topped up from the
-- offline ones, so the seven SMS always have a text.
local function tidy(answer, words)
  local out = {}
  for _, name in ipairs(OVERLAPS) do out[name] = text.trim(answer[name]) end
  out.statement = text.truncate(text.trim(answer.statement), ikigai.STATEMENT_MAX)
  out.affirmations, out.steps = {}, {}
  for i = 1, math.min(7, #answer.affirmations) do out.affirmations[i] = ikigai.fit_sms(text.trim(answer.affirmations[i])) end
  for i = 1, math.min(3, #answer.steps) do out.steps[i] = text.trim(answer.steps[i]) end
  if #out.affirmations < 7 then
    local spare = ikigai.affirmations(words)
    for i = #out.affirmations + 1, 7 do out.affirmations[i] = spare[i] end
  end
  if #out.steps < 3 then
    local spare = ikigai.first_steps(words)
    for i = #out.steps + 1, 3 do out.steps[i] = spare[i] end
  end
  return out
end

local function discover(input)
  local words = {}
  for _, circle in ipairs(CIRCLES) do words[circle] = input[circle] end
  local answer = llm.chat{
    messages = { { role = "system", content = SYSTEM }, { role = "user", content = json.encode(words) } },
    temperature = 0.5,
    max_tokens = 1200,
    schema = SCHEMA,
    offline = function() return ikigai.offline(words) end,
  }
  return tidy(answer, words)
end

local function build_pdf(ctx, found)
  local input = ctx.input
  -- dated when the answer was found, so a retry renders the same bytes as the first attempt
  local doc = pdf.new{ title = "Your Ikigai", author = "growthd Purpose Agent", subject = ctx.user.name,
    date = found.made }
  doc:title("Your Ikigai" .. (ctx.user.name and (", " .. ctx.user.name) or ""))
  doc:ikigai{
    love = { label = "What you love", items = input.love },
    good_at = { label = "What you are good at", items = input.goodAt },
    world_needs = { label = "What the world needs", items = input.worldNeeds },
    paid_for = { label = "What you can be paid for", items = input.paidFor },
    passion = "Passion", mission = "Mission", vocation = "Vocation", profession = "Profession",
    center = "Ikigai",
  }
  doc:heading("Your purpose")
  doc:paragraph(found.statement)
  doc:heading("Where your circles meet")
  doc:table{ header = { "Overlap", "What it means for you" }, rows = {
    { "Passion", found.passion }, { "Mission", found.mission },
    { "Vocation", found.vocation }, { "Profession", found.profession } } }
  doc:heading("Three first steps")
  doc:bullets(found.steps)
  doc:heading("Seven affirmations")
  doc:bullets(found.affirmations)
  return doc
end

local function email_text(ctx, found)
  local lines = { "Hello " .. (ctx.user.name or "there") .. ",", "", "Your purpose statement:", found.statement, "" }
  for _, name in ipairs(OVERLAPS) do lines[#lines + 1] = text.capitalize(name) .. ": " .. found[name] end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Three first steps:"
  for i, s in ipairs(found.steps) do lines[#lines + 1] = i .. ". " .. s end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Your Ikigai diagram is attached as a PDF."
  return table.concat(lines, "\n") .. "\n"
end

-- The seven send times, fixed at the first attempt so a retry keeps them.
local function plan_sms(ctx, found)
  local to_local, from_local, zone_name = zone(ctx.user.timezone)
  local times = schedule.daily(math.floor(time.now()), ctx.input.affirmationTime, 7, to_local, from_local)
  local messages = {}
  for i, t in ipairs(times) do
    messages[i] = { day = i, sendAt = civil.rfc3339(t.epoch, to_local), delaySeconds = t.delay_s,
      to = ctx.user.phone, body = found.affirmations[i], segments = gsm.segments(found.affirmations[i]) }
  end
  return { zone = zone_name, messages = messages }
end

local function send_sms(ctx, found, artifacts)
  local available, reason = sms.available()
  if not available then
    ctx.log("SMS is not configured; the affirmations are not sent: " .. tostring(reason))
    return { configured = false, reason = reason, scheduled = 0 }
  end
  if type(ctx.user.phone) ~= "string" or ctx.user.phone == "" then
    ctx.log("SMS is configured but the profile has no phone number; the affirmations are not sent")
    return { configured = true, reason = "the profile has no user.phone", scheduled = 0 }
  end
  local plan = ctx.step("plan-sms", function() return plan_sms(ctx, found) end)
  local out = { configured = true, zone = plan.zone, schedule = plan.messages, scheduled = 0 }
  if ctx.schedule then
    out.mode = "queue"
    for i, m in ipairs(plan.messages) do
      local id = ctx.step("schedule-sms-" .. i, function()
        return ctx.schedule("send_affirmation", m.delaySeconds, { to = m.to, body = m.body, sendAt = m.sendAt, day = i })
      end)
      m.jobId = id
      out.scheduled = out.scheduled + 1
      ctx.progress(85 + 2 * i, string.format("Affirmation %d of 7 scheduled for %s", i, m.sendAt))
    end
  else
    out.mode = "outbox"
    local lines = {}
    for i, m in ipairs(plan.messages) do
      lines[i] = json.encode({ to = m.to, body = m.body, sendAt = m.sendAt, segments = m.segments, day = i })
    end
    local path = ctx.artifact("purpose-sms-outbox.jsonl", table.concat(lines, "\n") .. "\n")
    artifacts[#artifacts + 1] = { name = "purpose-sms-outbox.jsonl", type = "sms-outbox", path = path }
    out.scheduled = #plan.messages
    ctx.progress(98, "Seven affirmations written to the SMS outbox with their send times")
  end
  return out
end

return {
  name = "purpose",
  title = "Purpose Agent",
  tier = "radiant",
  description = "Ikigai purpose discovery: statement, PDF diagram, e-mail and seven daily SMS affirmations",
  needs = { "llm", "pdf", "drive", "mail", "sms" },
  input = {
    love = list_of_texts("what the user loves"),
    goodAt = list_of_texts("what the user is good at"),
    worldNeeds = list_of_texts("what the world needs"),
    paidFor = list_of_texts("what the user can be paid for"),
    affirmationTime = { type = "string", min = 5, max = 5, default = "08:00",
      description = "local time of the daily affirmation SMS, HH:MM" },
  },
  timeout = 300,

  setup = function(ctx)
    local minutes = civil.parse_hhmm(ctx.input.affirmationTime)
    if not minutes or minutes >= 1440 then
      error({ code = "bad_argument", retryable = false,
        message = "purpose.affirmationTime: expected HH:MM from 00:00 to 23:59, got " .. ctx.input.affirmationTime })
    end
    if type(ctx.user.email) ~= "string" or ctx.user.email == "" then
      error("the profile needs user.email to send the Ikigai report to")
    end
    if ctx.user.timezone ~= nil and not pcall(time.zone, ctx.user.timezone) then
      error({ code = "bad_argument", retryable = false,
        message = "user.timezone: " .. tostring(ctx.user.timezone) .. " is not a time zone of the tz database" })
    end
  end,

  run = function(ctx)
    ctx.progress(5, "Finding the four overlaps")
    local found = ctx.step("ikigai", function()
      local answer = discover(ctx.input)
      answer.made = time.iso(math.floor(time.now())):sub(1, 19) .. "Z"
      return answer
    end)
    ctx.progress(40, "Drawing the Ikigai diagram")
    local doc = build_pdf(ctx, found)
    local artifacts = { { name = "purpose-ikigai.pdf", type = "pdf", path = ctx.artifact("purpose-ikigai.pdf", doc) } }
    ctx.progress(50, "Uploading the report to Drive")
    local uploaded = ctx.step("upload", function()
      return drive.upload{ name = "ikigai.pdf", mime = "application/pdf", bytes = doc, share_with = ctx.user.email }
    end)
    artifacts[#artifacts + 1] = { name = "ikigai.pdf", type = "drive", path = uploaded.url }
    ctx.progress(60, "E-mailing the report")
    local sent = ctx.step("send-email", function()
      local r = mail.send{ to = { name = ctx.user.name, email = ctx.user.email }, subject = "Your Ikigai and purpose statement",
        text = email_text(ctx, found) .. "It is also in your Drive: " .. uploaded.url .. "\n",
        attachments = { { name = "ikigai.pdf", mime = "application/pdf", bytes = doc } } }
      return { messageId = r.message_id, path = r.path }
    end)
    if sent.path then artifacts[#artifacts + 1] = { name = sent.path:match("[^/]+$"), type = "email", path = sent.path } end
    ctx.progress(80, "Scheduling the affirmations")
    local sms_result = send_sms(ctx, found, artifacts)
    ctx.progress(100, sms_result.configured and "Done" or "Done (SMS not configured)")
    return {
      statement = found.statement,
      passion = found.passion, mission = found.mission, vocation = found.vocation, profession = found.profession,
      affirmations = found.affirmations,
      steps = found.steps,
      email = { to = ctx.user.email, messageId = sent.messageId },
      drive = { id = uploaded.id, url = uploaded.url },
      sms = sms_result,
      artifacts = artifacts,
    }
  end,

  validate = function(ctx, result)
    local ok, reason = ikigai.check(result)
    if not ok then error(reason) end
    if type(result.email.messageId) ~= "string" or result.email.messageId == "" then error("the e-mail was not sent") end
    local pdf_ok = false
    for _, a in ipairs(result.artifacts) do pdf_ok = pdf_ok or (a.type == "pdf" and type(a.path) == "string") end
    if not pdf_ok then error("the PDF was not made") end
    if type(result.drive.id) ~= "string" or result.drive.id == "" then error("the PDF was not uploaded to Drive") end
    if result.sms.configured and result.sms.reason == nil and result.sms.scheduled ~= 7 then
      error(string.format("%d affirmations scheduled, expected 7", result.sms.scheduled))
    end
  end,

  tasks = {
    -- A follow-up job from ctx.schedule: sends one affirmation, once.
    send_affirmation = function(ctx, data)
      local sent = ctx.step("sms", function() return sms.send{ to = data.to, body = data.body } end)
      ctx.log(string.format("Affirmation %s sent (%s)", tostring(data.day), sent.sid))
      return { sid = sent.sid, segments = sent.segments, to = data.to, sendAt = data.sendAt }
    end,
  },
}
