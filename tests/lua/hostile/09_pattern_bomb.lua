-- expect: timeout
-- message: Lua instructions
-- A backtracking pattern that runs in C for hours: the matcher charges its steps to the budget.
return {
  name = "09_pattern_bomb", tier = "rooted",
  run = function(ctx)
    return { found = string.find(string.rep("a", 30000), ".-.-.-.-b") }
  end,
}
