-- Writes a 256 KB artifact, a mail with a 256 KB attachment and an SMS line: on a full disk each
-- must fail the job with a clear reason and leave no partial file behind.
local mail = require "growth.mail"
local sms = require "growth.sms"

return {
  name = "bigfile", tier = "grounded", needs = { "mail", "sms" },
  run = function(ctx)
    local id = ctx.job.id
    local blob = string.rep("0123456789abcdef", 16384)
    ctx.step("sms", function()
      return sms.send{ to = "+14155550123", body = "bigfile " .. id .. " " .. string.rep("x", 600) }
    end)
    ctx.step("mail", function()
      return mail.send{ to = "ada@example.com", subject = "bigfile " .. id, text = "job " .. id .. "\n",
                        attachments = { { name = "blob.bin", bytes = blob } } }
    end)
    local where = ctx.artifact("blob.bin", blob)
    return { file = where }
  end,
}
