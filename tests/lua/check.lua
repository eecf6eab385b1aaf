-- tests/lua/check.lua: the assertion helper of the Lua suites (no framework needed).
--
-- A suite starts with `local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")`, which
-- points package.path at scripts/ so `require "lib.x"` loads scripts/lib/x.lua as in the sandbox.
-- check.test(name, fn) runs one case and records a failure instead of stopping; check.done()
-- prints "N passed, N failed" and exits non-zero when anything failed.

local here = arg[0]:match("^(.*)/") or "."
package.path = here .. "/../../scripts/?.lua;" .. here .. "/?.lua"

local check = { passed = 0, failed = 0, root = here .. "/../.." }

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts, n = {}, 0
  for k, x in pairs(v) do
    n = n + 1
    if n > 12 then parts[#parts + 1] = "..."; break end
    parts[#parts + 1] = tostring(k) .. "=" .. show(x)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
check.show = show

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

function check.eq(actual, expected, what)
  if not deep_equal(actual, expected) then
    error(string.format("%s: got %s, expected %s", what or "value", show(actual), show(expected)), 2)
  end
end

function check.near(actual, expected, tolerance, what)
  if type(actual) ~= "number" or math.abs(actual - expected) > tolerance then
    error(string.format("%s: got %s, expected %s within %g", what or "value", show(actual), show(expected), tolerance), 2)
  end
end

function check.ok(condition, what)
  if not condition then error((what or "condition") .. " is false", 2) end
end

function check.raises(fn, pattern, what)
  local ok, err = pcall(fn)
  if ok then error((what or "call") .. " did not raise an error", 2) end
  if pattern and not tostring(err):find(pattern) then
    error(string.format("%s raised %s, expected a message matching %q", what or "call", tostring(err), pattern), 2)
  end
end

function check.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    check.passed = check.passed + 1
    print("ok     " .. name)
  else
    check.failed = check.failed + 1
    print("FAILED " .. name .. "\n  " .. tostring(err):gsub("\n", "\n  "))
  end
end

function check.done()
  print(string.format("%d passed, %d failed", check.passed, check.failed))
  os.exit(check.failed == 0 and 0 or 1)
end

return check
