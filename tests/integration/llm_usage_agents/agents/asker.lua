-- A test agent for the LLM usage records: two chats (the second with a schema), then one embed of three
-- texts; each call also has an offline answer. When the model's answers miss the schema twice, the job
-- fails at the second chat.
local llm = require "growth.llm"

local function ask(question, schema)
  return llm.chat{
    messages = { { role = "system", content = "Answer briefly." }, { role = "user", content = question } },
    schema = schema,
    offline = function() return schema and { theme = "offline" } or "offline answer" end,
  }
end

return {
  name = "asker", title = "Asker Agent", tier = "rooted",
  description = "test agent that spends tokens",
  needs = { "llm" },
  run = function(ctx)
    local text = ask("What should I focus on this week?")
    local themed = ask("Name one theme of my journal", {
      type = "object", properties = { theme = { type = "string" } }, required = { "theme" } })
    local vectors = llm.embed{ "morning writing habit", "walk after lunch", "evening review in three lines" }
    return { text = text, theme = themed.theme, vectors = #vectors }
  end,
}
