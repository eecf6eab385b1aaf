-- A test agent with required input; fails when asked to.
return {
  name = "beta", title = "Beta Agent", tier = "grounded",
  description = "test agent that can fail on purpose",
  needs = { "mail" },
  input = {
    beliefs = { type = "array", items = "string", min = 1, max = 3, required = true },
    fail = { type = "boolean", default = false },
  },
  run = function(ctx)
    ctx.progress(30, "reading")
    if ctx.input.fail then error("asked to fail") end
    return { count = #ctx.input.beliefs }
  end,
}
