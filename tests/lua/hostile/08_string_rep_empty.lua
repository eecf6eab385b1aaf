-- expect: ok
-- message: {"length":0}
-- string.rep of an empty string 2^62 times would loop in C for centuries in stock Lua.
return {
  name = "08_string_rep_empty", tier = "rooted",
  run = function(ctx)
    return { length = #string.rep("", 1 << 62) + #string.rep("", 1 << 62, "") }
  end,
}
