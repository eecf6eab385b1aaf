-- lib/prng.lua: a seeded pseudo-random generator that gives the same sequence on every build.
--
-- math.random's algorithm and seeding are not part of Lua's contract (5.4 uses xoshiro256**, but
-- math.randomseed mixes its arguments differently across builds), and clustering must give the
-- same clusters for the same input everywhere. This is xorshift64* (Vigna, 2014), seeded through
-- splitmix64 so that nearby seeds give unrelated streams; it uses Lua 5.4's wrapping 64-bit
-- integer arithmetic.
--
--   prng.new(seed)        -> generator; seed is an integer or a string (hashed with FNV-1a)
--   g:next()              -> a 64-bit integer (any bit pattern, may be negative)
--   g:float()             -> a float in [0, 1) with 53 random bits
--   g:int(n)              -> an integer in 1..n, unbiased (rejection sampling)
--   g:shuffle(list)       -> shuffles list in place (Fisher-Yates) and returns it
--   prng.hash(s)          -> 64-bit FNV-1a hash of a string, for deriving seeds from input text

local FNV_OFFSET = 0xcbf29ce484222325 -- hex literals wrap to 64-bit integers in Lua 5.4
local FNV_PRIME = 0x100000001b3

local function hash(s)
  local h = FNV_OFFSET
  for i = 1, #s do
    h = (h ~ s:byte(i)) * FNV_PRIME
  end
  return h
end

local function splitmix64(x)
  x = x + 0x9e3779b97f4a7c15
  x = (x ~ (x >> 30)) * 0xbf58476d1ce4e5b9
  x = (x ~ (x >> 27)) * 0x94d049bb133111eb
  return x ~ (x >> 31)
end

local Generator = {}
Generator.__index = Generator

function Generator:next()
  local x = self.state
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  self.state = x
  return x * 0x2545f4914f6cdd1d
end

function Generator:float()
  return (self:next() >> 11) * 2.0 ^ -53
end

function Generator:int(n)
  if math.type(n) ~= "integer" or n < 1 then
    error("prng: int(n) needs a positive integer n, got " .. tostring(n), 2)
  end
  -- Take 53 bits and reject the top sliver that would bias small results.
  local limit = (1 << 53) - ((1 << 53) % n)
  while true do
    local r = self:next() >> 11
    if r < limit then return r % n + 1 end
  end
end

function Generator:shuffle(list)
  for i = #list, 2, -1 do
    local j = self:int(i)
    list[i], list[j] = list[j], list[i]
  end
  return list
end

local function new(seed)
  if type(seed) == "string" then
    seed = hash(seed)
  elseif math.type(seed) ~= "integer" then
    error("prng.new: seed must be an integer or a string, got " .. tostring(seed), 2)
  end
  local state = splitmix64(seed)
  if state == 0 then state = 1 end -- xorshift must not start at zero
  return setmetatable({ state = state }, Generator)
end

return {
  new = new,
  hash = hash,
}
