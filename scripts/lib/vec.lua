-- lib/vec.lua: dense vectors as Lua sequences of numbers (embeddings, centroids).
--
--   vec.dot(a, b)          -> sum of a[i] * b[i]
--   vec.norm(a)            -> Euclidean length
--   vec.cosine(a, b)       -> cosine similarity in [-1, 1]; 0 when either vector is zero
--   vec.dist2(a, b)        -> squared Euclidean distance
--   vec.dist(a, b)         -> Euclidean distance
--   vec.add(a, b), vec.sub(a, b), vec.scale(a, s)  -> new vectors
--   vec.normalize(a)       -> a new unit vector (a zero vector is returned as a copy)
--   vec.mean(vectors)      -> the centroid of a non-empty list of vectors
--   vec.zeros(n)           -> a vector of n zeros
--
-- Functions taking two vectors raise an error when their lengths differ: mixing embeddings of
-- two models is a bug worth hearing about. Loops are plain numeric for-loops over locals, the
-- fastest form in PUC Lua (see docs/lua-lib.md for timings on 1536-dimension vectors).

local function same_length(a, b, what)
  if #a ~= #b then
    error(string.format("vec.%s: vectors of length %d and %d, expected equal lengths", what, #a, #b), 3)
  end
end

local function dot(a, b)
  same_length(a, b, "dot")
  local s = 0.0
  for i = 1, #a do s = s + a[i] * b[i] end
  return s
end

local function norm(a)
  local s = 0.0
  for i = 1, #a do s = s + a[i] * a[i] end
  return math.sqrt(s)
end

local function cosine(a, b)
  same_length(a, b, "cosine")
  local ab, aa, bb = 0.0, 0.0, 0.0
  for i = 1, #a do
    local x, y = a[i], b[i]
    ab = ab + x * y
    aa = aa + x * x
    bb = bb + y * y
  end
  if aa == 0 or bb == 0 then return 0.0 end
  return ab / math.sqrt(aa * bb)
end

local function dist2(a, b)
  same_length(a, b, "dist2")
  local s = 0.0
  for i = 1, #a do
    local d = a[i] - b[i]
    s = s + d * d
  end
  return s
end

local function dist(a, b)
  return math.sqrt(dist2(a, b))
end

local function add(a, b)
  same_length(a, b, "add")
  local r = {}
  for i = 1, #a do r[i] = a[i] + b[i] end
  return r
end

local function sub(a, b)
  same_length(a, b, "sub")
  local r = {}
  for i = 1, #a do r[i] = a[i] - b[i] end
  return r
end

local function scale(a, s)
  local r = {}
  for i = 1, #a do r[i] = a[i] * s end
  return r
end

local function normalize(a)
  local n = norm(a)
  if n == 0 then return scale(a, 1) end
  return scale(a, 1 / n)
end

local function zeros(n)
  local r = {}
  for i = 1, n do r[i] = 0.0 end
  return r
end

local function mean(vectors)
  if #vectors == 0 then error("vec.mean: no vectors, expected at least one", 2) end
  local d = #vectors[1]
  local r = zeros(d)
  for _, v in ipairs(vectors) do
    same_length(r, v, "mean")
    for i = 1, d do r[i] = r[i] + v[i] end
  end
  for i = 1, d do r[i] = r[i] / #vectors end
  return r
end

return {
  dot = dot,
  norm = norm,
  cosine = cosine,
  dist2 = dist2,
  dist = dist,
  add = add,
  sub = sub,
  scale = scale,
  normalize = normalize,
  mean = mean,
  zeros = zeros,
}
