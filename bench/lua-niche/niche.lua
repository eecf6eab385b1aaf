-- bench/lua-niche/niche.lua: the Niche agent's numeric work in plain Lua, end to end, on synthetic
-- embeddings shaped like the real ones (n texts x 1536 dimensions, a few loose topics).
-- Usage: lua5.4 niche.lua [n] [dims] [rounds]; prints the median time of each stage over rounds.
local here = arg[0]:match("^(.*)/") or "."
package.path = here .. "/../../scripts/?.lua"

local kmeans = require "lib.kmeans"
local pca = require "lib.pca"
local prng = require "lib.prng"
local vec = require "lib.vec"

local n, dims, rounds = tonumber(arg[1]) or 60, tonumber(arg[2]) or 1536, tonumber(arg[3]) or 5

local function embeddings(seed)
  local g = prng.new(seed)
  local topics = {}
  for t = 1, 4 do
    local v = {}
    for j = 1, dims do v[j] = g:float() - 0.5 end
    topics[t] = vec.normalize(v)
  end
  local out = {}
  for i = 1, n do
    local p, topic = {}, topics[i % 4 + 1]
    for j = 1, dims do p[j] = topic[j] + 0.9 * (g:float() - 0.5) / math.sqrt(dims / 12) end
    out[i] = p
  end
  return out
end

local function median(xs)
  table.sort(xs)
  return xs[(#xs + 1) // 2]
end

local stages = { normalise = {}, choose = {}, pca = {}, total = {} }
local k_found, peak_kb = nil, 0
local function sample() peak_kb = math.max(peak_kb, collectgarbage("count")) end
for round = 1, rounds do
  local raw = embeddings(round)
  local t0 = os.clock()
  local points = {}
  for i, p in ipairs(raw) do points[i] = vec.normalize(p) end
  local t1 = os.clock()
  sample()
  local best = kmeans.choose(points, { seed = "bench" })
  sample()
  local t2 = os.clock()
  local projection = pca.project(points)
  sample()
  local t3 = os.clock()
  assert(#projection.coords == n)
  k_found = best.k
  stages.normalise[round], stages.choose[round], stages.pca[round], stages.total[round] = t1 - t0, t2 - t1, t3 - t2, t3 - t0
end

print(string.format("lua-niche: %d vectors x %d dims, %d rounds (%s), k found %d", n, dims, rounds, _VERSION, k_found))
for _, stage in ipairs({ "normalise", "choose", "pca", "total" }) do
  print(string.format("  %-10s median %8.1f ms", stage, median(stages[stage]) * 1000))
end
print(string.format("  Lua heap at its highest sample: %.1f MB", peak_kb / 1024))
