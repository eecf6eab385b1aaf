-- lib/kmeans.lua: k-means++ clustering, silhouette scores and the choice of k.
--
--   kmeans.run(points, k [, opts])  -> { k, assign = {cluster of each point}, centroids, inertia,
--                                        iterations }
--       opts.seed (integer or string, default 1), opts.restarts (default 4: the run with the lowest
--       inertia is kept), opts.max_iterations (default 100)
--   kmeans.silhouette(points, assign, k [, distances]) -> { score, points = {s_i}, clusters = {mean s} }
--   kmeans.distances(points)         -> the n x n Euclidean distance matrix (reusable across k)
--   kmeans.choose(points [, opts])   -> the best run (fields of run plus silhouette, per_cluster) and
--                                        scores = { [k] = silhouette } for every k tried
--       opts.k_min (default 2), opts.k_max (default 6), and the options of run
--   kmeans.members(assign, k)        -> { {point indices of cluster 1}, ... }
--   kmeans.rank(result)              -> { {cluster, size, cohesion, score}, ... } best first, for a
--                                        result of choose(): score = size * (1 + cohesion) / 2, where
--                                        cohesion is the cluster's mean silhouette (-1..1), so a big
--                                        cluster ranks high unless its members hardly belong together
--
-- Points are equal-length numeric sequences. For text embeddings, normalise them first
-- (vec.normalize) so that Euclidean distance ranks pairs as cosine similarity does.
--
-- Determinism: every random choice comes from lib.prng seeded by opts.seed, ties are broken by
-- the lowest index, and clusters are renumbered in order of their first member, so the same
-- points and seed give the same assignment on any build. Silhouette follows Rousseeuw (1987): a
-- point alone in its cluster scores 0; choose() keeps the smallest k among equal best scores and
-- only tries k up to n - 1, where the silhouette is defined.

local prng = require "lib.prng"
local vec = require "lib.vec"

local dist2 = vec.dist2

local function check_points(points, k)
  local n = #points
  if n == 0 then error("kmeans: no points, expected at least one", 3) end
  local d = #points[1]
  for i = 2, n do
    if #points[i] ~= d then
      error(string.format("kmeans: point %d has %d dimensions, point 1 has %d", i, #points[i], d), 3)
    end
  end
  if math.type(k) ~= "integer" or k < 1 or k > n then
    error(string.format("kmeans: k = %s with %d points, expected an integer in 1..%d", tostring(k), n, n), 3)
  end
end

-- k-means++ seeding (Arthur & Vassilvitskii, 2007): each next centre is drawn with probability
-- proportional to its squared distance from the nearest centre chosen so far.
local function seed_centres(points, k, rng)
  local n = #points
  local centres = { points[rng:int(n)] }
  local nearest = {}
  for i = 1, n do nearest[i] = dist2(points[i], centres[1]) end
  for c = 2, k do
    local total = 0.0
    for i = 1, n do total = total + nearest[i] end
    local pick
    if total == 0 then
      pick = rng:int(n) -- every point coincides with a centre: any choice is as good
    else
      local target = rng:float() * total
      local acc = 0.0
      for i = 1, n do
        acc = acc + nearest[i]
        if acc > target then pick = i; break end
      end
      pick = pick or n
    end
    centres[c] = points[pick]
    for i = 1, n do
      local d = dist2(points[i], centres[c])
      if d < nearest[i] then nearest[i] = d end
    end
  end
  local copies = {}
  for c = 1, k do copies[c] = table.move(centres[c], 1, #centres[c], 1, {}) end
  return copies
end

local function assign_points(points, centres, assign)
  local changed, inertia = false, 0.0
  for i = 1, #points do
    local best, best_d = 1, dist2(points[i], centres[1])
    for c = 2, #centres do
      local d = dist2(points[i], centres[c])
      if d < best_d then best, best_d = c, d end
    end
    if assign[i] ~= best then assign[i] = best; changed = true end
    inertia = inertia + best_d
  end
  return changed, inertia
end

local function update_centres(points, k, assign, centres)
  local d = #points[1]
  local counts = {}
  for c = 1, k do
    counts[c] = 0
    centres[c] = vec.zeros(d)
  end
  for i = 1, #points do
    local c, p = assign[i], points[i]
    local centre = centres[c]
    counts[c] = counts[c] + 1
    for j = 1, d do centre[j] = centre[j] + p[j] end
  end
  local empty = {}
  for c = 1, k do
    if counts[c] == 0 then
      empty[#empty + 1] = c
    else
      local centre = centres[c]
      for j = 1, d do centre[j] = centre[j] / counts[c] end
    end
  end
  return empty, counts
end

-- An empty cluster takes the point farthest from its own centre, from a cluster with more than
-- one member, so that every cluster keeps at least one point.
local function refill_empty(points, assign, centres, empty, counts)
  for _, c in ipairs(empty) do
    local far, far_d = nil, -1
    for i = 1, #points do
      if counts[assign[i]] > 1 then
        local d = dist2(points[i], centres[assign[i]])
        if d > far_d then far, far_d = i, d end
      end
    end
    counts[assign[far]] = counts[assign[far]] - 1
    assign[far] = c
    counts[c] = 1
    centres[c] = table.move(points[far], 1, #points[far], 1, {})
  end
end

-- Renumber clusters by their first member so equal partitions compare equal.
local function canonical(assign, centres, k)
  local map, next_id = {}, 1
  for i = 1, #assign do
    if not map[assign[i]] then map[assign[i]] = next_id; next_id = next_id + 1 end
  end
  local out_assign, out_centres = {}, {}
  for i = 1, #assign do out_assign[i] = map[assign[i]] end
  for c = 1, k do out_centres[map[c]] = centres[c] end
  return out_assign, out_centres
end

local function run_once(points, k, rng, max_iterations)
  local centres = seed_centres(points, k, rng)
  local assign, inertia, iterations = {}, 0.0, 0
  for iteration = 1, max_iterations do
    iterations = iteration
    local changed
    changed, inertia = assign_points(points, centres, assign)
    if not changed and iteration > 1 then break end
    local empty, counts = update_centres(points, k, assign, centres)
    if #empty > 0 then refill_empty(points, assign, centres, empty, counts) end
  end
  local _, final_inertia = assign_points(points, centres, assign)
  return assign, centres, final_inertia, iterations
end

local function run(points, k, opts)
  opts = opts or {}
  check_points(points, k)
  local rng = prng.new(opts.seed or 1)
  local best
  for _ = 1, math.max(1, opts.restarts or 4) do
    local assign, centres, inertia, iterations = run_once(points, k, rng, opts.max_iterations or 100)
    if not best or inertia < best.inertia then
      best = { assign = assign, centres = centres, inertia = inertia, iterations = iterations }
    end
  end
  local assign, centroids = canonical(best.assign, best.centres, k)
  return { k = k, assign = assign, centroids = centroids, inertia = best.inertia, iterations = best.iterations }
end

local function distances(points)
  local n = #points
  local m = {}
  for i = 1, n do m[i] = { [i] = 0.0 } end
  for i = 1, n do
    for j = i + 1, n do
      local d = math.sqrt(dist2(points[i], points[j]))
      m[i][j], m[j][i] = d, d
    end
  end
  return m
end

local function silhouette(points, assign, k, dm)
  dm = dm or distances(points)
  local n = #points
  local size = {}
  for c = 1, k do size[c] = 0 end
  for i = 1, n do size[assign[i]] = size[assign[i]] + 1 end
  local s, per_cluster_sum = {}, {}
  for c = 1, k do per_cluster_sum[c] = 0.0 end
  local total = 0.0
  for i = 1, n do
    local own = assign[i]
    local sums = {}
    for c = 1, k do sums[c] = 0.0 end
    local row = dm[i]
    for j = 1, n do
      if j ~= i then sums[assign[j]] = sums[assign[j]] + row[j] end
    end
    local si = 0.0
    if size[own] > 1 then
      local a = sums[own] / (size[own] - 1)
      local b = math.huge
      for c = 1, k do
        if c ~= own and size[c] > 0 then
          local mean_c = sums[c] / size[c]
          if mean_c < b then b = mean_c end
        end
      end
      if b < math.huge and math.max(a, b) > 0 then si = (b - a) / math.max(a, b) end
    end
    s[i] = si
    total = total + si
    per_cluster_sum[own] = per_cluster_sum[own] + si
  end
  local clusters = {}
  for c = 1, k do clusters[c] = size[c] > 0 and per_cluster_sum[c] / size[c] or 0.0 end
  return { score = total / n, points = s, clusters = clusters }
end

local function choose(points, opts)
  opts = opts or {}
  local n = #points
  local k_min, k_max = opts.k_min or 2, math.min(opts.k_max or 6, n - 1)
  if k_max < k_min then
    error(string.format("kmeans.choose: %d points allow no k in %d..%d (silhouette needs k <= n - 1)",
      n, k_min, opts.k_max or 6), 2)
  end
  local dm = distances(points)
  local best, scores = nil, {}
  for k = k_min, k_max do
    local result = run(points, k, opts)
    local sil = silhouette(points, result.assign, k, dm)
    scores[k] = sil.score
    if not best or sil.score > best.silhouette then
      result.silhouette = sil.score
      result.per_cluster = sil.clusters
      best = result
    end
  end
  best.scores = scores
  return best
end

local function members(assign, k)
  local out = {}
  for c = 1, k do out[c] = {} end
  for i = 1, #assign do
    local list = out[assign[i]]
    list[#list + 1] = i
  end
  return out
end

local function rank(result)
  local sizes = {}
  for c = 1, result.k do sizes[c] = 0 end
  for _, c in ipairs(result.assign) do sizes[c] = sizes[c] + 1 end
  local list = {}
  for c = 1, result.k do
    local cohesion = result.per_cluster[c]
    list[c] = { cluster = c, size = sizes[c], cohesion = cohesion, score = sizes[c] * (1 + cohesion) / 2 }
  end
  table.sort(list, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.cluster < b.cluster
  end)
  return list
end

return {
  run = run,
  silhouette = silhouette,
  distances = distances,
  choose = choose,
  members = members,
  rank = rank,
}
