-- tests/lua/zones.lua: time zones with daylight-saving changes, built from transition lists, for
-- testing code that takes the host's to_local/from_local (lib/civil.lua describes the contract).
--
-- zones.berlin() follows Europe/Berlin's rules for 2026-2027: +01:00, and +02:00 from the last
-- Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC. from_local maps a wall-clock
-- time inside the spring-forward gap forward (02:30 -> 03:30) and takes the earlier instant of an
-- ambiguous autumn time, as the host's mktime-based conversion does.

local civil = require "lib.civil"

local zones = {}

function zones.from_transitions(base, transitions)
  local function offset_at(epoch)
    local off = base
    for _, t in ipairs(transitions) do
      if epoch >= t[1] then off = t[2] end
    end
    return off
  end
  local function to_local(epoch)
    local tl = civil.fixed_zone(offset_at(epoch))
    return tl(epoch)
  end
  local function from_local(y, m, d, h, mi)
    local wall = civil.days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60
    local offsets = { base }
    for _, t in ipairs(transitions) do offsets[#offsets + 1] = t[2] end
    local best
    for _, off in ipairs(offsets) do
      local e = wall - off
      if offset_at(e) == off and (not best or e < best) then best = e end
    end
    if best then return best end
    return wall - offset_at(wall - 86400) -- in a gap: the offset from before it, which lands after
  end
  return to_local, from_local
end

local function utc(y, m, d, h)
  return civil.days_from_civil(y, m, d) * 86400 + h * 3600
end

function zones.berlin()
  return zones.from_transitions(3600, {
    { utc(2026, 3, 29, 1), 7200 }, { utc(2026, 10, 25, 1), 3600 },
    { utc(2027, 3, 28, 1), 7200 }, { utc(2027, 10, 31, 1), 3600 },
  })
end

zones.utc = utc

return zones
