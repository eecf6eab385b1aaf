local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")

-- scripts/lib/ runs inside the job sandbox: only string, table, math and utf8, the safe base
-- functions, and require of other lib. modules. This suite reads each module's bytecode listing
-- (luac -l) for every global it touches, then loads each module in an environment holding only
-- those names, where writing a global is an error.

local ALLOWED = {}
for name in ([[string table math utf8 assert error ipairs pairs next select tonumber tostring type
  setmetatable getmetatable rawequal rawget rawlen rawset pcall xpcall require]]):gmatch("%S+") do
  ALLOWED[name] = true
end

local lib_dir = check.root .. "/scripts/lib"
local luac = os.getenv("LUAC") or "luac5.4"

local function modules()
  local list = {}
  local p = assert(io.popen("ls " .. lib_dir .. "/*.lua"))
  for path in p:lines() do list[#list + 1] = path:match("([^/]+)%.lua$") end
  p:close()
  table.sort(list)
  return list
end

local function globals_of(path)
  local p = assert(io.popen(luac .. " -l -p " .. path .. " 2>&1"))
  local listing = p:read("a")
  p:close()
  local reads, writes = {}, {}
  for op, name in listing:gmatch("([GS]ETTABUP)[^\n]-; _ENV \"([%w_]+)\"") do
    if op == "GETTABUP" then reads[name] = true else writes[name] = true end
  end
  return reads, writes, listing
end

check.test("there are modules to check", function()
  check.ok(#modules() >= 10, "scripts/lib holds the modules")
end)

for _, name in ipairs(modules()) do
  check.test("lib." .. name .. " touches only sandbox globals and writes none", function()
    local reads, writes, listing = globals_of(lib_dir .. "/" .. name .. ".lua")
    check.ok(listing:find("main <"), "luac listed the module")
    for g in pairs(reads) do check.ok(ALLOWED[g], "global " .. g .. " is in the sandbox") end
    check.eq(next(writes), nil, "global writes")
  end)
end

check.test("every module loads in a sandbox-like environment and returns a table of functions", function()
  local loaded = {}
  local env
  local function sandbox_require(modname)
    if loaded[modname] then return loaded[modname] end
    local file = modname:match("^lib%.([%w_]+)$")
    if not file then error("require of " .. modname .. " outside lib.", 2) end
    local chunk = assert(loadfile(lib_dir .. "/" .. file .. ".lua", "t", env))
    loaded[modname] = chunk()
    return loaded[modname]
  end
  env = setmetatable({}, {
    __index = function(_, k)
      if k == "require" then return sandbox_require end
      if ALLOWED[k] then return _G[k] end
      error("sandbox: no global " .. tostring(k), 2)
    end,
    __newindex = function(_, k) error("sandbox: write to global " .. tostring(k), 2) end,
  })
  for _, name in ipairs(modules()) do
    local m = sandbox_require("lib." .. name)
    check.eq(type(m), "table", name .. " returns a table")
    local functions = 0
    for _, v in pairs(m) do if type(v) == "function" then functions = functions + 1 end end
    check.ok(functions >= 1, name .. " exports functions")
  end
  check.raises(function() sandbox_require("os") end, "outside lib", "require outside lib.")
end)

check.done()
