-- expect: script_error
-- message: table.concat: the range
-- table.concat over 2^40 slots whose __index is a C function that answers "" at once.
return {
  name = "25_concat_metamethod_bomb", tier = "rooted",
  run = function(ctx)
    local t = setmetatable({}, { __index = table.concat })
    return { s = table.concat(t, "", 1, 1 << 40) }
  end,
}
