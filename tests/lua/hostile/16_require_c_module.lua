-- expect: script_error
-- message: module 'socket.core' not found: require reaches only 'lib.*'
-- No C modules from disk: require knows lib.* and growth.* only.
return {
  name = "16_require_c_module", tier = "rooted",
  run = function(ctx)
    return { socket = require("socket.core") }
  end,
}
