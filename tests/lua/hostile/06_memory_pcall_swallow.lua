-- expect: memory_limit
-- message: memory limit
-- Catches "not enough memory" with pcall and tries again, forever.
local kept = {}
return {
  name = "06_memory_pcall_swallow", tier = "rooted",
  run = function(ctx)
    while true do
      pcall(function()
        for i = 1, math.huge do kept[#kept + 1] = { i, i, i } end
      end)
    end
  end,
}
