-- expect: timeout
-- message: the job ran past its time limit
-- Each iteration is a handful of instructions and a 16 MB copy in C: the copy is charged to the
-- budget, so the 0.5 s deadline is checked during the copies, not once per 1000 instructions.
return {
  name = "36_big_copies", tier = "rooted",
  timeout = 0.5,
  run = function(ctx)
    while true do
      local s = string.rep("x", 1 << 24)
      s = nil
    end
  end,
}
