local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local pca = require "lib.pca"
local prng = require "lib.prng"
local vec = require "lib.vec"

-- Points spread mostly along u, less along w (orthogonal to u), with a little noise elsewhere.
local function elongated(n, dims, seed)
  local g = prng.new(seed)
  local u, w = {}, {}
  for j = 1, dims do u[j] = g:float() - 0.5; w[j] = g:float() - 0.5 end
  u = vec.normalize(u)
  w = vec.normalize(vec.sub(w, vec.scale(u, vec.dot(w, u)))) -- Gram-Schmidt
  local points = {}
  for i = 1, n do
    local a, b = 10 * (g:float() - 0.5), 3 * (g:float() - 0.5)
    local p = {}
    for j = 1, dims do p[j] = 5 + a * u[j] + b * w[j] + 0.05 * (g:float() - 0.5) end
    points[i] = p
  end
  return points, u, w
end

check.test("the first component is the dominant direction, the second the next", function()
  local points, u, w = elongated(60, 40, 3)
  local r = pca.project(points, { seed = 1 })
  check.ok(math.abs(vec.cosine(r.components[1], u)) > 0.999, "component 1 along u")
  check.ok(math.abs(vec.cosine(r.components[2], w)) > 0.99, "component 2 along w")
  check.near(vec.dot(r.components[1], r.components[2]), 0, 1e-6, "orthogonal components")
  check.near(vec.norm(r.components[1]), 1, 1e-9, "unit length")
  check.ok(r.variances[1] > r.variances[2], "variances in decreasing order")
  check.ok(r.explained[1] > 0.85 and r.explained[1] + r.explained[2] > 0.99, "explained variance")
end)

check.test("coordinates are the projections of the centred points", function()
  local points = elongated(20, 10, 4)
  local r = pca.project(points)
  for i, p in ipairs(points) do
    local centred = vec.sub(p, r.mean)
    check.near(r.coords[i][1], vec.dot(centred, r.components[1]), 1e-9, "x of point " .. i)
    check.near(r.coords[i][2], vec.dot(centred, r.components[2]), 1e-9, "y of point " .. i)
  end
  local sx = 0
  for _, c in ipairs(r.coords) do sx = sx + c[1] end
  check.near(sx, 0, 1e-9, "coordinates centred")
end)

check.test("exact line: all variance on one axis, y is zero", function()
  local r = pca.project({ { 1, 2, 0 }, { 2, 4, 0 }, { 3, 6, 0 }, { 4, 8, 0 } })
  check.near(r.components[1][1], 1 / math.sqrt(5), 1e-9, "direction x")
  check.near(r.components[1][2], 2 / math.sqrt(5), 1e-9, "direction y (sign fixed positive)")
  check.near(r.explained[1], 1, 1e-9, "explained")
  for i = 1, 4 do check.near(r.coords[i][2], 0, 1e-9, "y of point " .. i) end
  check.near(r.coords[1][1], -1.5 * math.sqrt(5), 1e-9, "x of point 1")
end)

check.test("same input gives the same picture; degenerate input does not break", function()
  local points = elongated(15, 6, 8)
  check.eq(pca.project(points), pca.project(points), "deterministic")
  local same = pca.project({ { 1, 1 }, { 1, 1 }, { 1, 1 } })
  check.eq(same.coords, { { 0.0, 0.0 }, { 0.0, 0.0 }, { 0.0, 0.0 } }, "coincident points")
  check.eq(same.explained, { 0.0, 0.0 }, "nothing explained")
  check.eq(pca.project({ { 2, 3 } }).coords, { { 0.0, 0.0 } }, "one point")
end)

check.done()
