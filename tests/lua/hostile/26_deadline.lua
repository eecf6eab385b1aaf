-- expect: timeout
-- message: the job ran past its time limit
-- Few instructions, each a slow C call: the wall-clock deadline (timeout = 0.5 s) stops it.
return {
  name = "26_deadline", tier = "rooted",
  timeout = 0.5,
  run = function(ctx)
    while true do
      local s = string.rep("ab", 1 << 20)
      s = nil
    end
  end,
}
