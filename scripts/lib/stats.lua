-- lib/stats.lua: small descriptive statistics for the agents' figures.
--
--   stats.sum(xs)            -> number (0 for an empty list)
--   stats.mean(xs)           -> number, or nil for an empty list
--   stats.median(xs)         -> number, or nil for an empty list (the input is not reordered)
--   stats.trend(ys [, xs])   -> least-squares slope of ys against xs (default 0, 1, 2, ...);
--                               0 when there are fewer than two points or all xs are equal
--   stats.round(x [, places]) -> x rounded half away from zero to `places` decimals (default 0);
--                               an integer-valued result with places 0 is a Lua integer
--   stats.clamp(x, lo, hi)   -> x limited to [lo, hi]
--
-- Lists are plain sequences of numbers; non-numbers raise an error naming the position, so a bad
-- sheet cell is reported instead of silently skewing an average.

local function check(xs, what)
  for i = 1, #xs do
    if type(xs[i]) ~= "number" then
      error(string.format("stats.%s: element %d is a %s, expected a number", what, i, type(xs[i])), 3)
    end
  end
end

local function sum(xs)
  check(xs, "sum")
  local total = 0
  for i = 1, #xs do total = total + xs[i] end
  return total
end

local function mean(xs)
  check(xs, "mean")
  if #xs == 0 then return nil end
  local total = 0
  for i = 1, #xs do total = total + xs[i] end
  return total / #xs
end

local function median(xs)
  check(xs, "median")
  local n = #xs
  if n == 0 then return nil end
  local sorted = table.move(xs, 1, n, 1, {})
  table.sort(sorted)
  if n % 2 == 1 then return sorted[(n + 1) // 2] end
  return (sorted[n // 2] + sorted[n // 2 + 1]) / 2
end

local function trend(ys, xs)
  check(ys, "trend")
  local n = #ys
  if xs then
    check(xs, "trend")
    if #xs ~= n then
      error(string.format("stats.trend: %d x values for %d y values, expected as many", #xs, n), 2)
    end
  end
  if n < 2 then return 0 end
  local sx, sy = 0, 0
  for i = 1, n do
    sx = sx + (xs and xs[i] or i - 1)
    sy = sy + ys[i]
  end
  local mx, my = sx / n, sy / n
  local sxy, sxx = 0, 0
  for i = 1, n do
    local dx = (xs and xs[i] or i - 1) - mx
    sxy = sxy + dx * (ys[i] - my)
    sxx = sxx + dx * dx
  end
  if sxx == 0 then return 0 end
  return sxy / sxx
end

local function round(x, places)
  places = places or 0
  local scale = 10 ^ places
  local scaled = x * scale
  local r = scaled >= 0 and math.floor(scaled + 0.5) or math.ceil(scaled - 0.5)
  if places == 0 then return math.tointeger(r) or r end
  return r / scale
end

local function clamp(x, lo, hi)
  if x < lo then return lo end
  if x > hi then return hi end
  return x
end

return {
  sum = sum,
  mean = mean,
  median = median,
  trend = trend,
  round = round,
  clamp = clamp,
}
