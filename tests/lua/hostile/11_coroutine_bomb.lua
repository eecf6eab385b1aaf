-- expect: memory_limit
-- message: memory limit
-- Creates coroutines (each with its own stack) and keeps them all.
return {
  name = "11_coroutine_bomb", tier = "rooted",
  run = function(ctx)
    local all = {}
    while true do
      local co = coroutine.create(function() coroutine.yield() end)
      coroutine.resume(co)
      all[#all + 1] = co
    end
  end,
}
