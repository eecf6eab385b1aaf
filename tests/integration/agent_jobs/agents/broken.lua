-- A script error: final at once, with file and line in the reason.
return {
  name = "broken",
  tier = "radiant",
  run = function(ctx)
    local missing = nil
    return missing.field
  end,
}
