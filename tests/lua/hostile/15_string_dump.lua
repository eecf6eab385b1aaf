-- expect: script_error
-- message: attempt to call a nil value (field 'dump')
-- string.dump is removed, so no bytecode can be produced either.
return {
  name = "15_string_dump", tier = "rooted",
  run = function(ctx)
    return { code = string.dump(function() return 1 end) }
  end,
}
