-- expect: script_error
-- message: a metatable with __gc is not allowed
-- A finaliser runs with hooks off, so one that loops would hang lua_close: __gc is refused.
return {
  name = "23_finalizer_hang", tier = "rooted",
  run = function(ctx)
    setmetatable({}, { __gc = function() while true do end end })
    return {}
  end,
}
