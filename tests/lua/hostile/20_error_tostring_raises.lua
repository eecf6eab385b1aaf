-- expect: script_error
-- message: hostile/20_error_tostring_raises.lua:9: error object is a table value
-- An error object whose __tostring raises: the host reads errors without calling metamethods.
return {
  name = "20_error_tostring_raises", tier = "rooted",
  run = function(ctx)
    local trap = setmetatable({}, { __tostring = function() error("tostring trap") end,
                                    __index = function() error("index trap") end })
    error(trap)
  end,
}
