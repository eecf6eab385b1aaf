-- expect: script_error
-- message: hostile/12_os_execute.lua:7: attempt to call a nil value (field 'execute')
-- os keeps only time, date and clock.
return {
  name = "12_os_execute", tier = "rooted",
  run = function(ctx)
    os.execute("touch /tmp/growth-hostile-pwned")
  end,
}
