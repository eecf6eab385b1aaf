-- lib/pca.lua: principal component analysis to two dimensions, for scatter plots of embeddings.
--
--   pca.project(points [, opts]) -> { coords = { {x, y}, ... }, components = { c1, c2 },
--                                     variances = { v1, v2 }, explained = { r1, r2 }, mean }
--       opts.seed (default 1), opts.max_iterations (default 1000), opts.tolerance (default 1e-15),
--       opts.dims (default 2: how many components)
--
-- Method: power iteration with deflation, on the n x n Gram matrix G = X X' of the centred points
-- X rather than on the d x d covariance X'X / (n - 1). Both have the same non-zero eigenvalues,
-- and the agents have few points of many dimensions (60 texts x 1536), so G is 60 x 60: it costs
-- n^2 d / 2 multiplications once, and each power step then costs n^2 instead of 2 n d. For an
-- eigenvector u of G with eigenvalue lambda, the principal component is X'u / sqrt(lambda) (a unit
-- vector), and its variance lambda / (n - 1); the coordinates are the projections of the centred
-- points on the components. After each eigenvector converges, G is deflated, G <- G - lambda u u',
-- and the next power iteration (re-orthogonalised against the found vectors each step, against
-- rounding) finds the next one.
-- Each component's sign is fixed so that its largest-magnitude entry is positive, and the start
-- vector comes from lib.prng, so the same points give the same picture on any build. explained[i]
-- is the share of the total variance carried by component i (0 when all points coincide).

local prng = require "lib.prng"
local vec = require "lib.vec"

local function centre(points)
  local mean = vec.mean(points)
  local centred = {}
  for i, p in ipairs(points) do centred[i] = vec.sub(p, mean) end
  return centred, mean
end

local function gram(centred)
  local n = #centred
  local g = {}
  for i = 1, n do g[i] = {} end
  for i = 1, n do
    for j = i, n do
      local v = vec.dot(centred[i], centred[j])
      g[i][j], g[j][i] = v, v
    end
  end
  return g
end

local function multiply(g, u)
  local n, y = #u, {}
  for i = 1, n do
    local row, s = g[i], 0.0
    for j = 1, n do s = s + row[j] * u[j] end
    y[i] = s
  end
  return y
end

-- The dominant eigenvector of the (deflated) Gram matrix and its eigenvalue; 0 when none is left.
local function power_iteration(g, found, rng, max_iterations, tolerance)
  local n = #g
  local u = {}
  for i = 1, n do u[i] = rng:float() - 0.5 end
  u = vec.normalize(u)
  local lambda = 0.0
  for _ = 1, max_iterations do
    local y = multiply(g, u)
    for _, f in ipairs(found) do y = vec.sub(y, vec.scale(f.u, vec.dot(f.u, y))) end
    local len = vec.norm(y)
    if len < 1e-12 then return vec.zeros(n), 0.0 end
    local next_u = vec.scale(y, 1 / len)
    lambda = len
    local diff = vec.dist2(next_u, u)
    u = next_u
    if diff < tolerance then break end
  end
  return u, lambda
end

local function deflate(g, u, lambda)
  for i = 1, #g do
    local row = g[i]
    for j = 1, #g do row[j] = row[j] - lambda * u[i] * u[j] end
  end
end

-- X'u / sqrt(lambda), with the sign chosen so its largest-magnitude entry is positive.
local function component(centred, u, lambda, d)
  local v = vec.zeros(d)
  if lambda <= 0 then return v, 1 end
  for i, row in ipairs(centred) do
    local w = u[i]
    for j = 1, d do v[j] = v[j] + w * row[j] end
  end
  local scale = 1 / math.sqrt(lambda)
  local big, at = 0, 1
  for j = 1, d do
    v[j] = v[j] * scale
    if math.abs(v[j]) > big then big, at = math.abs(v[j]), j end
  end
  if v[at] < 0 then return vec.scale(v, -1), -1 end
  return v, 1
end

local function project(points, opts)
  opts = opts or {}
  if #points == 0 then error("pca.project: no points, expected at least one", 2) end
  local dims = opts.dims or 2
  local n = #points
  local centred, mean = centre(points)
  local d = #mean
  local g = gram(centred)
  local total = 0.0
  for i = 1, n do total = total + g[i][i] end
  local rng = prng.new(opts.seed or 1)
  local found, components, variances, explained = {}, {}, {}, {}
  for c = 1, dims do
    local u, lambda = power_iteration(g, found, rng, opts.max_iterations or 1000, opts.tolerance or 1e-15)
    if lambda < total * 1e-12 then u, lambda = vec.zeros(n), 0.0 end -- rounding noise, not variance
    local v, sign = component(centred, u, lambda, d)
    found[c] = { u = vec.scale(u, sign), lambda = lambda }
    components[c] = v
    variances[c] = n > 1 and lambda / (n - 1) or 0.0
    explained[c] = total > 0 and lambda / total or 0.0
    if lambda > 0 then deflate(g, u, lambda) end
  end
  local coords = {}
  for i = 1, n do
    local xy = {}
    for c = 1, dims do xy[c] = vec.dot(centred[i], components[c]) end
    coords[i] = xy
  end
  return { coords = coords, components = components, variances = variances, explained = explained, mean = mean }
end

return {
  project = project,
}
