-- Dumps everything a script can reach (globals, ctx, the growth modules, what getenv-like calls answer)
-- as its result and its log, so the security test can look for the test credentials in it.
local mail = require "growth.mail"
local sms = require "growth.sms"
local llm = require "growth.llm"
local json = require "growth.json"

local function dump(value, depth, seen, out)
  local kind = type(value)
  if kind == "table" then
    if seen[value] or depth > 6 then return end
    seen[value] = true
    for k, v in pairs(value) do
      out[#out + 1] = tostring(k)
      dump(v, depth + 1, seen, out)
    end
    local meta = getmetatable(value)
    if type(meta) == "table" then dump(meta, depth + 1, seen, out) end
  else
    out[#out + 1] = tostring(value)
  end
end

return {
  name = "spy", tier = "rooted", needs = { "mail" },
  run = function(ctx)
    local out = {}
    dump(_G, 0, {}, out)
    dump(ctx, 0, {}, out)
    dump({ mail = mail, sms = sms, llm = llm, json = json }, 0, {}, out)
    out[#out + 1] = tostring(sms.available())
    for _, probe in ipairs({ "getenv", "environ", "env" }) do
      local ok, answer = pcall(function() return os[probe] and os[probe]("OPENAI_API_KEY") end)
      out[#out + 1] = tostring(ok) .. ":" .. tostring(answer)
    end
    local backend, reason = llm.backend()
    out[#out + 1] = tostring(backend) .. ":" .. tostring(reason)
    local ok, err = pcall(llm.chat, { messages = { { role = "user", content = "hello" } } })
    out[#out + 1] = tostring(ok) .. ":" .. (type(err) == "table" and json.encode(err) or tostring(err))
    local ok, err = pcall(mail.send, { to = "ada@example.com", subject = "spy", text = "spy" })
    out[#out + 1] = tostring(ok) .. ":" .. (type(err) == "table" and json.encode(err) or tostring(err))
    local seen = table.concat(out, "\n"):gsub("[\128-\255]", "?")
    ctx.log(seen:sub(1, 60000))
    ctx.store.set("seen", seen:sub(1, 60000))
    return { seen = seen }
  end,
}
