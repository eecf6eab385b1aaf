-- expect: script_error
-- message: table.move: the range 1..9223372036854775807 is longer than
-- table.move over 2^63 nils would loop in C without allocating anything.
return {
  name = "24_table_move_bomb", tier = "rooted",
  run = function(ctx)
    table.move({}, 1, math.maxinteger, 2)
  end,
}
