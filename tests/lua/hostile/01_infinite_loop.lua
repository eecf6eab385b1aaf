-- expect: timeout
-- message: hostile/01_infinite_loop.lua:8: the job went over its budget of
-- A plain infinite loop: the count hook stops it when the instruction budget is spent.
return {
  name = "01_infinite_loop", tier = "rooted",
  run = function(ctx)
    local n = 0
    while true do n = n + 1 end
  end,
}
