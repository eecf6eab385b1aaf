-- Returns the user's name and the input; reports progress and logs a line.
return {
  name = "echo",
  tier = "rooted",
  input = { words = { type = "array", items = "string", default = {} } },
  run = function(ctx)
    ctx.progress(50, "halfway")
    ctx.log("echoing " .. #ctx.input.words .. " words")
    local saved = ctx.artifact("words.txt", table.concat(ctx.input.words, "\n"))
    return { user = ctx.user.name, count = #ctx.input.words, file = saved }
  end,
}
