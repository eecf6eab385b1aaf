-- expect: timeout
-- message: Lua instructions
-- coroutine.resume returns false instead of raising: the timeout must still travel up.
return {
  name = "04_coroutine_swallow", tier = "rooted",
  run = function(ctx)
    while true do
      local co = coroutine.create(function() while true do end end)
      coroutine.resume(co)
      coroutine.close(co)
    end
  end,
}
