local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")

-- Every ```lua block of docs/lua-lib.md is a complete program; run each one, so the reference
-- for agent authors never shows an example that does not work.

local f = assert(io.open(check.root .. "/docs/lua-lib.md"))
local doc = f:read("a")
f:close()

local count = 0
for heading_end, code in doc:gmatch("()```lua\n(.-)```") do
  count = count + 1
  local heading = doc:sub(1, heading_end):match(".*\n## ([^\n]+)") or "top"
  check.test("example of " .. heading, function()
    local chunk, err = load(code, "=" .. heading, "t")
    check.ok(chunk, "compiles: " .. tostring(err))
    chunk()
  end)
end
check.test("the document has an example per module", function()
  check.ok(count >= 12, "examples found: " .. count)
end)

check.done()
