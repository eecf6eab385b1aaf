local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local vec = require "lib.vec"

check.test("dot, norm, distances", function()
  check.eq(vec.dot({ 1, 2, 3 }, { 4, 5, 6 }), 32.0, "dot")
  check.eq(vec.norm({ 3, 4 }), 5.0, "norm")
  check.eq(vec.dist2({ 1, 1 }, { 4, 5 }), 25.0, "dist2")
  check.eq(vec.dist({ 1, 1 }, { 4, 5 }), 5.0, "dist")
end)

check.test("cosine: parallel, opposite, orthogonal, zero", function()
  check.near(vec.cosine({ 1, 2 }, { 2, 4 }), 1, 1e-12, "parallel")
  check.near(vec.cosine({ 1, 2 }, { -1, -2 }), -1, 1e-12, "opposite")
  check.near(vec.cosine({ 1, 0 }, { 0, 3 }), 0, 1e-12, "orthogonal")
  check.eq(vec.cosine({ 0, 0 }, { 1, 1 }), 0.0, "zero vector")
end)

check.test("arithmetic returns new vectors", function()
  local a = { 1, 2 }
  check.eq(vec.add(a, { 3, 4 }), { 4, 6 }, "add")
  check.eq(vec.sub(a, { 3, 4 }), { -2, -2 }, "sub")
  check.eq(vec.scale(a, 3), { 3, 6 }, "scale")
  check.eq(a, { 1, 2 }, "input untouched")
  check.near(vec.norm(vec.normalize({ 3, 4, 12 })), 1, 1e-12, "normalize")
  check.eq(vec.normalize({ 0, 0 }), { 0, 0 }, "normalize zero")
  check.eq(vec.mean({ { 1, 2 }, { 3, 6 } }), { 2, 4 }, "mean")
  check.eq(vec.zeros(3), { 0, 0, 0 }, "zeros")
end)

check.test("mismatched lengths are refused", function()
  check.raises(function() vec.dot({ 1 }, { 1, 2 }) end, "length 1 and 2", "dot")
  check.raises(function() vec.mean({}) end, "no vectors", "mean")
end)

check.done()
