local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local stats = require "lib.stats"

check.test("mean and sum", function()
  check.eq(stats.mean({ 2, 4, 9 }), 5.0, "mean")
  check.eq(stats.mean({}), nil, "mean of nothing")
  check.eq(stats.sum({ 1, 2, 3.5 }), 6.5, "sum")
  check.eq(stats.sum({}), 0, "sum of nothing")
end)

check.test("median of odd and even lengths, input untouched", function()
  local xs = { 9, 1, 5 }
  check.eq(stats.median(xs), 5, "odd")
  check.eq(xs, { 9, 1, 5 }, "input order")
  check.eq(stats.median({ 4, 1, 3, 2 }), 2.5, "even")
  check.eq(stats.median({}), nil, "empty")
end)

check.test("trend is the least-squares slope", function()
  check.near(stats.trend({ 1, 3, 5, 7 }), 2, 1e-12, "exact line")
  check.near(stats.trend({ 7, 5, 3, 1 }), -2, 1e-12, "falling line")
  -- y = 6, 5, 7, 10 over x = 0..3: slope = sum(dx dy) / sum(dx^2) = 7 / 5
  check.near(stats.trend({ 6, 5, 7, 10 }), 1.4, 1e-12, "noisy")
  check.near(stats.trend({ 2, 4 }, { 10, 20 }), 0.2, 1e-12, "explicit xs")
  check.eq(stats.trend({ 5 }), 0, "one point")
  check.eq(stats.trend({ 1, 2 }, { 3, 3 }), 0, "equal xs")
end)

check.test("round half away from zero", function()
  check.eq(stats.round(2.5), 3, "2.5")
  check.eq(math.type(stats.round(2.5)), "integer", "integer result")
  check.eq(stats.round(-2.5), -3, "-2.5")
  check.eq(stats.round(1.2345, 2), 1.23, "two places")
  check.eq(stats.round(0.675, 1), 0.7, "one place")
  check.eq(stats.clamp(5, 1, 3), 3, "clamp high")
  check.eq(stats.clamp(-1, 1, 3), 1, "clamp low")
end)

check.test("a non-number is reported with its position", function()
  check.raises(function() stats.mean({ 1, "x" }) end, "element 2 is a string", "mean")
  check.raises(function() stats.trend({ 1, 2 }, { 1 }) end, "1 x values for 2 y values", "trend")
end)

check.done()
