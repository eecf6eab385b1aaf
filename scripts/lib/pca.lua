-- lib/pca.lua: principal component analysis to two dimensions, for scatter plots of embeddings.
--
--   pca.project(points [, opts]) -> { coords = { {x, y}, ... }, components = { c1, c2 },
--                                     variances = { v1, v2 }, explained = { r1, r2 }, mean }
--       opts.seed (default 1), opts.max_iterations (default 500), opts.tolerance (default 1e-10),
--       opts.dims (default 2: how many components)
--
-- Method: power iteration on the covariance matrix C = X'X / (n - 1) of the centred points X,
-- without ever forming C (1536 x 1536 would be 2.4 M cells): C v is computed as X'(X v) / (n - 1),
-- which costs 2 n d per step. After each component converges, the matrix is deflated,
-- C <- C - lambda v v', so the next power iteration finds the next component. Each component's
-- sign is fixed so that its largest-magnitude entry is positive, and the start vector comes from
-- lib.prng, so the same points give the same picture on any build. explained[i] is the share of
-- the total variance carried by component i (0 when all points coincide).

local prng = require "lib.prng"
local vec = require "lib.vec"

local function centre(points)
  local mean = vec.mean(points)
  local centred = {}
  for i, p in ipairs(points) do centred[i] = vec.sub(p, mean) end
  return centred, mean
end

-- y = C v - sum over found components of lambda_j (c_j . v) c_j
local function apply(centred, v, found)
  local n, d = #centred, #v
  local y = vec.zeros(d)
  for i = 1, n do
    local row = centred[i]
    local proj = 0.0
    for j = 1, d do proj = proj + row[j] * v[j] end
    for j = 1, d do y[j] = y[j] + proj * row[j] end
  end
  local scale = n > 1 and 1 / (n - 1) or 0
  for j = 1, d do y[j] = y[j] * scale end
  for _, f in ipairs(found) do
    local proj = f.variance * vec.dot(f.vector, v)
    local c = f.vector
    for j = 1, d do y[j] = y[j] - proj * c[j] end
  end
  return y
end

local function fix_sign(v)
  local big, at = 0, 1
  for j = 1, #v do
    if math.abs(v[j]) > big then big, at = math.abs(v[j]), j end
  end
  if v[at] < 0 then return vec.scale(v, -1) end
  return v
end

local function power_iteration(centred, d, found, rng, max_iterations, tolerance)
  local v = {}
  for j = 1, d do v[j] = rng:float() - 0.5 end
  v = vec.normalize(v)
  local variance = 0.0
  for _ = 1, max_iterations do
    local y = apply(centred, v, found)
    local len = vec.norm(y)
    if len < 1e-300 then return vec.zeros(d), 0.0 end -- no variance left in any direction
    local next_v = vec.scale(y, 1 / len)
    variance = len
    -- Converged when the direction stops moving (either sign: a negative eigenvalue cannot occur
    -- here, so a flip only comes from rounding).
    local diff = math.min(vec.dist2(next_v, v), vec.dist2(next_v, vec.scale(v, -1)))
    v = next_v
    if diff < tolerance then break end
  end
  return fix_sign(v), variance
end

local function project(points, opts)
  opts = opts or {}
  if #points == 0 then error("pca.project: no points, expected at least one", 2) end
  local dims = opts.dims or 2
  local centred, mean = centre(points)
  local d = #mean
  local rng = prng.new(opts.seed or 1)
  local found = {}
  for c = 1, dims do
    local v, variance = power_iteration(centred, d, found, rng, opts.max_iterations or 500,
      opts.tolerance or 1e-10)
    found[c] = { vector = v, variance = variance }
  end
  local total = 0.0
  if #points > 1 then
    for _, row in ipairs(centred) do total = total + vec.dot(row, row) end
    total = total / (#points - 1)
  end
  local coords, components, variances, explained = {}, {}, {}, {}
  for c = 1, dims do
    components[c] = found[c].vector
    variances[c] = found[c].variance
    explained[c] = total > 0 and found[c].variance / total or 0.0
  end
  for i, row in ipairs(centred) do
    local xy = {}
    for c = 1, dims do xy[c] = vec.dot(row, components[c]) end
    coords[i] = xy
  end
  return { coords = coords, components = components, variances = variances, explained = explained, mean = mean }
end

return {
  project = project,
}
