-- expect: memory_limit
-- message: memory limit of 65536 KB
-- Grows a table of strings until the VM's heap cap refuses.
return {
  name = "05_memory_bomb", tier = "rooted",
  run = function(ctx)
    local t = {}
    for i = 1, math.huge do
      t[#t + 1] = string.rep("x", 1000) .. i
    end
  end,
}
