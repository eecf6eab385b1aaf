-- expect: script_error
-- message: require: '../../etc/passwd' is not a module name
-- A path instead of a module name is refused before any file is opened.
return {
  name = "17_require_path_traversal", tier = "rooted",
  run = function(ctx)
    return { passwd = require("../../etc/passwd") }
  end,
}
