-- expect: timeout
-- message: Lua instructions
-- xpcall whose message handler "handles" the timeout and returns normally, forever.
return {
  name = "03_xpcall_handler_swallow", tier = "rooted",
  run = function(ctx)
    while true do
      xpcall(function() while true do end end, function() return "handled" end)
    end
  end,
}
