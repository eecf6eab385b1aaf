-- Side effects that must happen once per job: a mail to the outbox, then an SMS line, each inside
-- ctx.step, with a pause between them (so a worker killed mid-job is caught between the two).
-- Every side effect names the job id, so the tests count them per job.
local mail = require "growth.mail"
local sms = require "growth.sms"
local time = require "growth.time"

local function spin(ms)
  local stop = time.monotonic_ms() + ms
  while time.monotonic_ms() < stop do end
end

return {
  name = "sidefx", tier = "grounded", needs = { "mail", "sms" },
  input = { pause_ms = { type = "number", default = 0 } },
  run = function(ctx)
    local id = ctx.job.id
    local sent = ctx.step("mail", function()
      return mail.send{ to = "ada@example.com", subject = "sidefx " .. id, text = "job " .. id .. "\n" }
    end)
    spin(ctx.input.pause_ms)
    local text = ctx.step("sms", function()
      return sms.send{ to = "+14155550123", body = "sidefx " .. id }
    end)
    ctx.progress(100, "sent")
    return { message_id = sent.message_id, sid = text.sid, attempt = ctx.job.attempt }
  end,
}
