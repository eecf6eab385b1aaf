-- A small lib module used by the example agent: pure functions, no side effects.
local M = {}

function M.greet(name)
  return "Hello, " .. name .. "!"
end

function M.word_count(text)
  local count = 0
  for _ in text:gmatch("%S+") do
    count = count + 1
  end
  return count
end

return M
