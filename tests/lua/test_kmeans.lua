local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local kmeans = require "lib.kmeans"
local prng = require "lib.prng"
local vec = require "lib.vec"

-- `clusters` groups of `size` points in `dims` dimensions: random unit centres, Gaussian-ish noise
-- of spread `noise` (a sum of uniforms), points shuffled so cluster order tells nothing.
local function blobs(clusters, size, dims, noise, seed)
  local g = prng.new(seed)
  local centres = {}
  for c = 1, clusters do
    local v = {}
    for j = 1, dims do v[j] = g:float() - 0.5 end
    centres[c] = vec.normalize(v)
  end
  local items = {}
  for c = 1, clusters do
    for _ = 1, size do
      local p = {}
      for j = 1, dims do
        p[j] = centres[c][j] + noise * (g:float() + g:float() + g:float() - 1.5)
      end
      items[#items + 1] = { point = p, truth = c }
    end
  end
  g:shuffle(items)
  local points, truth = {}, {}
  for i, it in ipairs(items) do points[i], truth[i] = it.point, it.truth end
  return points, truth
end

-- Two labelings describe the same partition when every pair is together in both or apart in both.
local function same_partition(a, b)
  for i = 1, #a do
    for j = i + 1, #a do
      if (a[i] == a[j]) ~= (b[i] == b[j]) then return false end
    end
  end
  return true
end

check.test("k-means recovers well-separated clusters", function()
  local points, truth = blobs(4, 12, 64, 0.05, 11)
  local r = kmeans.run(points, 4, { seed = 3 })
  check.ok(same_partition(r.assign, truth), "the partition of the blobs")
  check.eq(#r.centroids, 4, "centroids")
  check.ok(r.inertia > 0, "inertia positive")
end)

check.test("every point is in exactly one cluster, clusters numbered by first member", function()
  local points = blobs(3, 5, 8, 0.3, 2)
  for k = 1, #points do
    local r = kmeans.run(points, k, { seed = 1 })
    local sizes = {}
    for i = 1, #points do
      local c = r.assign[i]
      check.ok(math.type(c) == "integer" and c >= 1 and c <= k, "cluster id in 1.." .. k)
      sizes[c] = (sizes[c] or 0) + 1
    end
    for c = 1, k do check.ok((sizes[c] or 0) >= 1, "cluster " .. c .. " of k=" .. k .. " not empty") end
    local next_new = 1
    for i = 1, #points do
      if r.assign[i] == next_new then next_new = next_new + 1 end
      check.ok(r.assign[i] < next_new, "first-appearance numbering")
    end
  end
end)

check.test("silhouette of a hand-computed case", function()
  -- 1-D points 0, 1, 10, 11 in clusters {0,1} {10,11}:
  -- s(0) = (10.5 - 1) / 10.5, s(1) = (9.5 - 1) / 9.5, and the mirror images for 10 and 11.
  local s = kmeans.silhouette({ { 0 }, { 1 }, { 10 }, { 11 } }, { 1, 1, 2, 2 }, 2)
  local expected = ((9.5 / 10.5) + (8.5 / 9.5)) / 2
  check.near(s.score, expected, 1e-12, "mean silhouette")
  check.near(s.points[1], 9.5 / 10.5, 1e-12, "point 1")
  check.near(s.clusters[2], expected, 1e-12, "cluster 2")
  local single = kmeans.silhouette({ { 0 }, { 1 }, { 5 } }, { 1, 1, 2 }, 2)
  check.eq(single.points[3], 0.0, "a point alone in its cluster scores 0")
end)

check.test("silhouette chooses the right k", function()
  for _, case in ipairs({ { k = 2, seed = 21 }, { k = 3, seed = 22 }, { k = 5, seed = 23 }, { k = 6, seed = 24 } }) do
    local points, truth = blobs(case.k, 8, 32, 0.08, case.seed)
    local best = kmeans.choose(points, { seed = 9 })
    check.eq(best.k, case.k, "k for " .. case.k .. " blobs")
    check.ok(same_partition(best.assign, truth), "partition for " .. case.k .. " blobs")
    check.ok(best.silhouette > 0.7, "clear clusters score high")
    for k = 2, 6 do check.ok(best.scores[k] <= best.silhouette, "k=" .. k .. " scores no better") end
  end
end)

check.test("same input and seed give the same clusters", function()
  local points = blobs(3, 10, 16, 0.6, 5) -- overlapping: the seed matters
  local a = kmeans.choose(points, { seed = "profile-42" })
  local b = kmeans.choose(points, { seed = "profile-42" })
  check.eq(a.assign, b.assign, "assignment")
  check.eq(a.scores, b.scores, "scores")
  check.eq(a.k, b.k, "k")
end)

check.test("k is limited to n - 1 and bad input is refused", function()
  local r = kmeans.choose({ { 0 }, { 1 }, { 9 } }, { seed = 1 })
  check.eq(r.k, 2, "three points allow only k = 2")
  check.raises(function() kmeans.choose({ { 0 }, { 1 } }) end, "allow no k", "two points")
  check.raises(function() kmeans.run({ { 0, 1 }, { 1 } }, 1) end, "point 2 has 1 dimensions", "ragged")
  check.raises(function() kmeans.run({ { 0 } }, 2) end, "expected an integer in 1..1", "k > n")
end)

check.test("members lists each cluster's points", function()
  check.eq(kmeans.members({ 1, 2, 1, 3 }, 3), { { 1, 3 }, { 2 }, { 4 } }, "members")
end)

check.test("rank orders clusters by size weighted by cohesion", function()
  local result = { k = 3, assign = { 1, 1, 1, 2, 2, 3, 3, 3, 3 }, per_cluster = { 0.9, 0.95, -0.2 } }
  local ranked = kmeans.rank(result)
  -- scores: 3 * 1.9 / 2 = 2.85, 2 * 1.95 / 2 = 1.95, 4 * 0.8 / 2 = 1.6
  check.eq({ ranked[1].cluster, ranked[2].cluster, ranked[3].cluster }, { 1, 2, 3 }, "order")
  check.eq(ranked[3].size, 4, "size")
  check.near(ranked[1].score, 2.85, 1e-12, "score")
  local best = kmeans.choose(blobs(3, 6, 8, 0.05, 31), { seed = 2 })
  check.eq(#kmeans.rank(best), best.k, "one entry per cluster of a real result")
end)

check.done()
