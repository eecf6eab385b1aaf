-- A test agent that never calls the LLM: its jobs record zero usage.
return {
  name = "quiet", title = "Quiet Agent", tier = "rooted",
  description = "test agent without LLM calls",
  needs = {},
  run = function(ctx)
    ctx.progress(100, "done")
    return { quiet = true }
  end,
}
