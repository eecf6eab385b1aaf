-- An example agent for trying the runtime out (`growthd run`, `growthd check`) and for its tests.
-- The five real agents live in scripts/agents/.
local greeting = require "lib.greeting"
local json = require "growth.json"
local time = require "growth.time"

local function summarise(entries)
  local words = 0
  for _, entry in ipairs(entries) do
    words = words + greeting.word_count(entry)
  end
  return { entries = #entries, words = words }
end

return {
  name = "example",
  title = "Example Agent",
  tier = "rooted",
  description = "Greets the user and counts the words of their journal entries",
  needs = {},
  input = {
    entries = { type = "array", items = "string", max = 20, default = {} },
    tone = { type = "string", enum = { "warm", "plain" }, default = "warm" },
  },
  timeout = 30,

  setup = function(ctx)
    if not ctx.user.name then
      error("the profile has no name")
    end
  end,

  run = function(ctx)
    ctx.progress(10, "greeting")
    local message = greeting.greet(ctx.user.name)
    ctx.log(message)
    local stats = ctx.step("summarise", function()
      return summarise(ctx.input.entries)
    end)
    ctx.progress(90, "writing the note")
    local note = ctx.artifact("note.json", json.encode({ message = message, stats = stats }))
    return {
      message = ctx.input.tone == "warm" and message or ("Hi " .. ctx.user.name),
      stats = stats,
      note = note,
      day = time.date(),
    }
  end,

  validate = function(ctx, result)
    if result.stats.entries ~= #ctx.input.entries then
      error("the summary lost entries")
    end
  end,
}
