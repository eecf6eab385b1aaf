-- expect: script_error
-- message: hostile/31_huge_error_message.lua:7: xxxxxxxxxx
-- A megabyte-long error message is cut to the failure reason's size.
return {
  name = "31_huge_error_message", tier = "rooted",
  run = function(ctx)
    error(string.rep("x", 1 << 20))
  end,
}
