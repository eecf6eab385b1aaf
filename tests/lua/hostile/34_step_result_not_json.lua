-- expect: bad_argument
-- message: step 'fetch': a function cannot be turned into JSON
-- A step result must be JSON-able to be kept for retries.
return {
  name = "34_step_result_not_json", tier = "rooted",
  run = function(ctx)
    return ctx.step("fetch", function() return print end)
  end,
}
