-- expect: timeout
-- message: setup failed: hostile/27_setup_loop.lua:7:
-- The loop is in setup: the job stops there and run never starts.
return {
  name = "27_setup_loop", tier = "rooted",
  setup = function(ctx)
    while true do end
  end,
  run = function(ctx) return { ran = true } end,
}
