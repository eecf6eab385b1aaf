-- expect: ok
-- message: {"poisoned":true}
-- Poisons _G (a trap metatable, removed builtins, a planted global); the next job must not notice.
return {
  name = "19_global_poison", tier = "rooted",
  run = function(ctx)
    rawset(_G, "planted", "poison")
    _G.print = nil
    _G.pairs = function() error("poisoned pairs") end
    table.insert = nil
    setmetatable(_G, { __index = function() return "poison" end })
    return { poisoned = true }
  end,
}
