-- expect: script_error
-- message: attempt to index a nil value (global 'debug')
-- No debug library: no sethook to remove the limits, no getregistry, no upvalue surgery.
return {
  name = "29_debug_library", tier = "rooted",
  run = function(ctx)
    debug.sethook()
  end,
}
