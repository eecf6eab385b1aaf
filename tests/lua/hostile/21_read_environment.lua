-- expect: script_error
-- message: attempt to call a nil value (field 'getenv')
-- The environment (and the credentials in it) is out of reach.
return {
  name = "21_read_environment", tier = "rooted",
  run = function(ctx)
    return { key = os.getenv("OPENAI_API_KEY"), home = os.getenv("HOME") }
  end,
}
