-- expect: too_large
-- message: result.blob: the value is larger than 1048576 bytes of JSON
-- A result bigger than a job may return.
return {
  name = "22_huge_return", tier = "rooted",
  run = function(ctx)
    return { blob = string.rep("x", 2 * 1024 * 1024) }
  end,
}
