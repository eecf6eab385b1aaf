-- A test agent: validates its input, reports progress, saves a small PDF-shaped artifact and a text file.
return {
  name = "alpha", title = "Alpha Agent", tier = "rooted",
  description = "test agent for the orchestrator endpoints",
  needs = { "llm", "sheets" },
  input = {
    days = { type = "integer", min = 1, max = 30, default = 7 },
    mood = { type = "string", enum = { "calm", "busy" } },
  },
  run = function(ctx)
    ctx.progress(50, "halfway")
    ctx.artifact("note.txt", "alpha ran for " .. tostring(ctx.input.days) .. " days\n")
    ctx.progress(100, "done")
    return { days = ctx.input.days }
  end,
}
