-- sidefx with a 300 ms pause between its two side effects: jobs stay in flight long enough for a
-- worker to be killed, stopped or reloaded in the middle of them.
local mail = require "growth.mail"
local sms = require "growth.sms"
local time = require "growth.time"

local function spin(ms)
  local stop = time.monotonic_ms() + ms
  while time.monotonic_ms() < stop do end
end

return {
  name = "slowfx", tier = "grounded", needs = { "mail", "sms" },
  run = function(ctx)
    local id = ctx.job.id
    local sent = ctx.step("mail", function()
      return mail.send{ to = "ada@example.com", subject = "slowfx " .. id, text = "job " .. id .. "\n" }
    end)
    spin(300)
    local text = ctx.step("sms", function()
      return sms.send{ to = "+14155550123", body = "slowfx " .. id }
    end)
    return { message_id = sent.message_id, sid = text.sid, attempt = ctx.job.attempt }
  end,
}
