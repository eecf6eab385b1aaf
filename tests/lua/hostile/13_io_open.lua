-- expect: script_error
-- message: attempt to index a nil value (global 'io')
-- No io library at all.
return {
  name = "13_io_open", tier = "rooted",
  run = function(ctx)
    local f = io.open("/etc/passwd")
    return { text = f:read("a") }
  end,
}
