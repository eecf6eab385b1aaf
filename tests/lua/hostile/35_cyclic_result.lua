-- expect: bad_argument
-- message: the result cannot be returned: nested deeper than 64 levels (or a table contains itself)
-- A result that contains itself.
return {
  name = "35_cyclic_result", tier = "rooted",
  run = function(ctx)
    local t = {}
    t.self = t
    return t
  end,
}
