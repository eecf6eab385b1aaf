-- expect: memory_limit
-- message: memory limit
-- string.rep asked for a terabyte: refused before anything is allocated.
return {
  name = "07_string_rep_bomb", tier = "rooted",
  run = function(ctx)
    return { s = string.rep("x", 1 << 40) }
  end,
}
