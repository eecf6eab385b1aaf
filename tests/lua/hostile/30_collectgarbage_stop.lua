-- expect: script_error
-- message: bad argument #1 to 'collectgarbage' (invalid option 'stop')
-- Stopping or retuning the collector is refused.
return {
  name = "30_collectgarbage_stop", tier = "rooted",
  run = function(ctx)
    collectgarbage("stop")
  end,
}
