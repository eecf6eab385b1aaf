-- expect: ok
-- message: {"poisoned":true}
-- Poisons the string metatable and the string library; the next job must not notice.
return {
  name = "18_string_metatable_poison", tier = "rooted",
  run = function(ctx)
    local mt = getmetatable("")
    mt.__index = function() error("poisoned string method") end
    string.upper = function() return "POISON" end
    mt.__add = function() return "poison" end
    return { poisoned = true }
  end,
}
