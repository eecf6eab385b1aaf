-- expect: timeout
-- message: Lua instructions
-- ctx.log calls __tostring, which never returns.
return {
  name = "32_tostring_loop", tier = "rooted",
  run = function(ctx)
    ctx.log(setmetatable({}, { __tostring = function() while true do end end }))
  end,
}
