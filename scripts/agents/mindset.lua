-- agents/mindset.lua: reframes limiting beliefs (grounded).
--
-- For each belief the llm names the cognitive distortion (one of lib.distortions.NAMES), the
-- evidence against it, a reframe, an affirmation and one small action; offline, lib.distortions
-- finds the distortion by cue words and writes the reframe from templates. Each belief's answer is
-- a ctx.step, so a retried job reuses it, and the e-mail (text and HTML) is one step: a retry never
-- sends it twice. validate re-checks every reframe and that the e-mail went out.

local llm = require "growth.llm"
local mail = require "growth.mail"
local distortions = require "lib.distortions"
local html = require "lib.html"

local FIELDS = { "distortion", "evidence", "reframe", "affirmation", "action" }

local SCHEMA = {
  type = "object",
  properties = {
    distortion = { type = "string", enum = distortions.NAMES },
    evidence = { type = "string" },
    reframe = { type = "string" },
    affirmation = { type = "string" },
    action = { type = "string" },
  },
  required = FIELDS,
  additionalProperties = false,
}

local SYSTEM = "You are a cognitive behavioural coach. For the user's limiting belief, answer in JSON with: "
  .. "distortion (exactly one of: " .. table.concat(distortions.NAMES, ", ") .. "), evidence (one or two "
  .. "sentences of evidence against the belief), reframe (a kinder, realistic rewording in the first person, "
  .. "different from the belief), affirmation (one short sentence), action (one small step for this week)."

local function analyse(belief)
  local answer = llm.chat{
    messages = { { role = "system", content = SYSTEM }, { role = "user", content = belief } },
    temperature = 0.3,
    max_tokens = 400,
    schema = SCHEMA,
    offline = function()
      local r = distortions.reframe(belief)
      return { distortion = r.distortion, evidence = r.evidence, reframe = r.reframe,
        affirmation = r.affirmation, action = r.action }
    end,
  }
  local out = { belief = belief }
  for _, field in ipairs(FIELDS) do out[field] = answer[field] end
  return out
end

local function email_bodies(name, reframes)
  local lines = { "Hello " .. name .. ",", "", "Here are your reframed beliefs.", "" }
  local parts = { html.p("Hello " .. name .. ","), html.p("Here are your reframed beliefs.") }
  for i, r in ipairs(reframes) do
    lines[#lines + 1] = string.format("%d. \"%s\"", i, r.belief)
    lines[#lines + 1] = "   Distortion: " .. r.distortion
    lines[#lines + 1] = "   Evidence against it: " .. r.evidence
    lines[#lines + 1] = "   Reframe: " .. r.reframe
    lines[#lines + 1] = "   Affirmation: " .. r.affirmation
    lines[#lines + 1] = "   One small action: " .. r.action
    lines[#lines + 1] = ""
    parts[#parts + 1] = "<h3>" .. i .. ". &ldquo;" .. html.escape(r.belief) .. "&rdquo;</h3>\n<ul>"
      .. "<li><b>Distortion:</b> " .. html.escape(r.distortion) .. "</li>"
      .. "<li><b>Evidence against it:</b> " .. html.escape(r.evidence) .. "</li>"
      .. "<li><b>Reframe:</b> " .. html.escape(r.reframe) .. "</li>"
      .. "<li><b>Affirmation:</b> " .. html.escape(r.affirmation) .. "</li>"
      .. "<li><b>One small action:</b> " .. html.escape(r.action) .. "</li></ul>"
  end
  lines[#lines + 1] = "Be kind to yourself this week."
  parts[#parts + 1] = html.p("Be kind to yourself this week.")
  return table.concat(lines, "\n") .. "\n", html.page("Your reframed beliefs", table.concat(parts, "\n"))
end

return {
  name = "mindset",
  title = "Mindset Agent",
  tier = "grounded",
  description = "Reframes limiting beliefs and e-mails the reframes",
  needs = { "llm", "mail" },
  input = {
    beliefs = { type = "array", items = { type = "string", min = 1, max = 500 }, min = 1, max = 10, required = true,
      description = "the limiting beliefs, one sentence each" },
  },
  timeout = 300,

  setup = function(ctx)
    if type(ctx.user.email) ~= "string" or ctx.user.email == "" then
      error("the profile needs user.email to send the reframes to")
    end
  end,

  run = function(ctx)
    local beliefs = ctx.input.beliefs
    ctx.progress(5, "Reframing " .. #beliefs .. " beliefs")
    local reframes = {}
    for i, belief in ipairs(beliefs) do
      reframes[i] = ctx.step("reframe-" .. i, function() return analyse(belief) end)
      ctx.progress(5 + math.floor(75 * i / #beliefs), string.format("Belief %d of %d: %s", i, #beliefs,
        reframes[i].distortion))
    end
    local text, body = email_bodies(ctx.user.name or "there", reframes)
    local subject = "Your reframed beliefs (" .. #reframes .. ")"
    local artifacts = { { name = "mindset-email.html", type = "html", path = ctx.artifact("mindset-email.html", body) } }
    ctx.progress(85, "Sending the e-mail")
    local sent = ctx.step("send-email", function()
      local r = mail.send{ to = { name = ctx.user.name, email = ctx.user.email }, subject = subject, text = text,
        html = body }
      return { messageId = r.message_id, path = r.path }
    end)
    if sent.path then
      artifacts[#artifacts + 1] = { name = sent.path:match("[^/]+$"), type = "email", path = sent.path }
    end
    ctx.progress(100, "E-mail sent")
    return {
      reframes = reframes,
      email = { to = ctx.user.email, subject = subject, messageId = sent.messageId },
      artifacts = artifacts,
    }
  end,

  validate = function(ctx, result)
    local beliefs = ctx.input.beliefs
    if #result.reframes ~= #beliefs then
      error(string.format("%d reframes for %d beliefs", #result.reframes, #beliefs))
    end
    for i, r in ipairs(result.reframes) do
      if r.belief ~= beliefs[i] then error("reframe " .. i .. " is not for belief " .. i) end
      if not distortions.is_name(r.distortion) then
        error(string.format("reframe %d: distortion %q is not in the list", i, tostring(r.distortion)))
      end
      for _, field in ipairs(FIELDS) do
        if type(r[field]) ~= "string" or r[field]:match("^%s*$") then error("reframe " .. i .. ": " .. field .. " is empty") end
      end
      if r.reframe:lower():gsub("%W", "") == beliefs[i]:lower():gsub("%W", "") then
        error("reframe " .. i .. " only repeats its belief")
      end
    end
    if type(result.email.messageId) ~= "string" or result.email.messageId == "" then
      error("the e-mail was not sent")
    end
  end,
}
