-- expect: too_large
-- message: is larger than 65536 bytes of JSON
-- ctx.store keeps small values only.
return {
  name = "33_store_huge_value", tier = "rooted",
  run = function(ctx)
    ctx.store.set("notes", string.rep("x", 1 << 20))
  end,
}
