-- expect: timeout
-- message: Lua instructions
-- An infinite loop inside pcall, inside an infinite loop: pcall must not swallow the timeout.
return {
  name = "02_pcall_swallow", tier = "rooted",
  run = function(ctx)
    while true do
      pcall(function() while true do end end)
    end
  end,
}
