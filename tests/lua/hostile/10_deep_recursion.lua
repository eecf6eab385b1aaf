-- expect: script_error
-- message: stack overflow
-- Unbounded recursion ends in Lua's "stack overflow", not in a crash of the C stack.
local function dive(n)
  return 1 + dive(n + 1)
end
return {
  name = "10_deep_recursion", tier = "rooted",
  run = function(ctx)
    return { depth = dive(1) }
  end,
}
