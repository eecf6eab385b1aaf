/*
 * queue_script_common.h — the Lua every queue script starts with (internal to core/queue/).
 */
#ifndef GROWTH_QUEUE_SCRIPT_COMMON_H
#define GROWTH_QUEUE_SCRIPT_COMMON_H

/* Helpers every script starts with. KEYS[1] is the queue's key prefix, "bull:<name>:"; keys are built from
 * it inside the scripts, as BullMQ's own scripts do, so both sides agree on every key. */
#define SCRIPT_COMMON \
  "local rcall = redis.call\n" \
  "local P = KEYS[1]\n" \
  "local function maxEvents()\n" \
  "  local n = rcall(\"HGET\", P .. \"meta\", \"opts.maxLenEvents\")\n" \
  "  if n then return tonumber(n) end\n" \
  "  rcall(\"HSET\", P .. \"meta\", \"opts.maxLenEvents\", 10000)\n" \
  "  return 10000\n" \
  "end\n" \
  "local function pausedOrMaxed()\n" \
  "  local m = rcall(\"HMGET\", P .. \"meta\", \"paused\", \"concurrency\")\n" \
  "  if m[1] then return true end\n" \
  "  if m[2] then return rcall(\"LLEN\", P .. \"active\") >= tonumber(m[2]) end\n" \
  "  return false\n" \
  "end\n" \
  "local function int(x) return string.format(\"%.0f\", x) end\n" \
  "local function delayedScore(due)\n" \
  "  local low, high = due * 4096, (due + 1) * 4096 - 1\n" \
  "  local r = rcall(\"ZREVRANGEBYSCORE\", P .. \"delayed\", int(high), int(low), \"WITHSCORES\", \"LIMIT\", 0, 1)\n" \
  "  if r[2] then\n" \
  "    local s = tonumber(r[2])\n" \
  "    if s >= high then return int(high) end\n" \
  "    return int(s + 1)\n" \
  "  end\n" \
  "  return int(low)\n" \
  "end\n" \
  "local function delayMarker()\n" \
  "  local r = rcall(\"ZRANGE\", P .. \"delayed\", 0, 0, \"WITHSCORES\")\n" \
  "  if r[2] then rcall(\"ZADD\", P .. \"marker\", tonumber(r[2]) / 4096, \"1\") end\n" \
  "end\n" \
  "local function pushReady(id, priority, lifo, blocked)\n" \
  "  if priority > 0 then\n" \
  "    local seq = rcall(\"INCR\", P .. \"pc\")\n" \
  "    rcall(\"ZADD\", P .. \"prioritized\", int(priority * 4294967296 + seq % 4294967296), id)\n" \
  "  elseif lifo then\n" \
  "    rcall(\"RPUSH\", P .. \"wait\", id)\n" \
  "  else\n" \
  "    rcall(\"LPUSH\", P .. \"wait\", id)\n" \
  "  end\n" \
  "  if not blocked then rcall(\"ZADD\", P .. \"marker\", 0, \"0\") end\n" \
  "end\n"

#endif
