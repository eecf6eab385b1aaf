-- Returns a string holding a zero byte (Lua strings may), which JSON carries as \u0000.
return {
  name = "zerobyte", tier = "rooted",
  run = function(ctx)
    return { text = "a\0b" }
  end,
}
