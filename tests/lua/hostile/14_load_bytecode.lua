-- expect: script_error
-- message: attempt to load a binary chunk (mode is 't')
-- load accepts text only, whatever mode the script asks for.
return {
  name = "14_load_bytecode", tier = "rooted",
  run = function(ctx)
    local chunk = "\27LuaT\0\25\147\13\10\26\10\4\8\8xV\0\0\0\0\0\0\0\0\0\0\0(w@"
    assert(load(chunk, "evil", "b"))
  end,
}
