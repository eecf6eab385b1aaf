/*
 * queue_scripts.c — the Lua sources of the queue's state changes, and EVALSHA with NOSCRIPT reload
 * (see queue_scripts.h).
 *
 * The scripts write BullMQ 6.7.0's layout (shared/docs/bullmq-protocol.md) and nothing more; they are
 * leaner than BullMQ's own because they leave out what growthd does not produce (job schedulers, metrics,
 * deduplicated adds), and because one call finishes many jobs and takes many new ones (QUEUE_SCRIPT_STEP),
 * where BullMQ makes a round trip per job. For jobs that BullMQ's producers add, a finish still does
 * BullMQ's bookkeeping: a flow child moves its parent on (processed values, failParentOnFailure,
 * continueParentOnFailure, ignore/removeDependencyOnFailure), and a deduplicated job frees its id. The queue-wide limits in meta (concurrency; max per duration with the limiter key) are
 * honoured when taking jobs. Times are the caller's clock in ms, passed as arguments; numbers that become keys'
 * scores or fields are formatted with "%.0f" inside the scripts so they never turn into exponent notation.
 *
 * Replies of QUEUE_SCRIPT_STEP: { finish codes, { id, token, HGETALL, ... }, next delayed due time or "" }; the
 * HGETALL is read before the activation's own writes (the token ends with the new "ats"), which saves an
 * EXISTS per job.
 * Finish codes follow BullMQ's: 0 done, -1 no such job, -2 lock missing, -6 lock held by another token,
 * -3 job not in active.
 */
#include "queue/queue_scripts.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char script_add[] = SCRIPT_COMMON
  "local now = tonumber(ARGV[1])\n"
  "local count = tonumber(ARGV[2])\n"
  "local maxLen = maxEvents()\n"
  "local blocked = pausedOrMaxed()\n"
  "local events = P .. \"events\"\n"
  "local ids = {}\n"
  "local delayed = false\n"
  "for i = 0, count - 1 do\n"
  "  local b = 3 + i * 7\n"
  "  local custom, name, data, opts = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]\n"
  "  local delay, priority, lifo = tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5]), ARGV[b + 6] == \"1\"\n"
  "  local counter = rcall(\"INCR\", P .. \"id\")\n"
  "  local id = custom\n"
  "  if id == \"\" then id = tostring(counter) end\n"
  "  local jobKey = P .. id\n"
  "  if custom ~= \"\" and rcall(\"EXISTS\", jobKey) == 1 then\n"
  "    rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"duplicated\", \"jobId\", id)\n"
  "  else\n"
  "    rcall(\"HSET\", jobKey, \"name\", name, \"data\", data, \"opts\", opts, \"timestamp\", ARGV[1], \"delay\", ARGV[b + 4],\n"
  "      \"priority\", ARGV[b + 5])\n"
  "    rcall(\"XADD\", events, \"*\", \"event\", \"added\", \"jobId\", id, \"name\", name)\n"
  "    if delay > 0 then\n"
  "      local due = now + delay\n"
  "      rcall(\"ZADD\", P .. \"delayed\", delayedScore(due), id)\n"
  "      rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"delayed\", \"jobId\", id, \"delay\", int(due))\n"
  "      delayed = true\n"
  "    else\n"
  "      pushReady(id, priority, lifo, blocked)\n"
  "      rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"waiting\", \"jobId\", id)\n"
  "    end\n"
  "  end\n"
  "  ids[#ids + 1] = id\n"
  "end\n"
  "if delayed then delayMarker() end\n"
  "return ids\n";

static const char script_step[] = SCRIPT_COMMON
  "local now = tonumber(ARGV[1])\n"
  "local nowText = ARGV[1]\n"
  "local fetchCount = tonumber(ARGV[4])\n"
  "local finishCount = tonumber(ARGV[6])\n"
  "local meta = rcall(\"HMGET\", P .. \"meta\", \"opts.maxLenEvents\", \"paused\", \"concurrency\", \"max\", \"duration\")\n"
  "local maxLen = tonumber(meta[1]) or maxEvents()\n"
  "local concurrency = tonumber(meta[3])\n"
  "local rateMax, rateDuration = tonumber(meta[4]), tonumber(meta[5])\n"
  "if not rateDuration or rateDuration <= 0 then rateMax = nil end\n"
  "local rateDue = nil\n"
  "local blocked = meta[2] ~= false or (concurrency ~= nil and rcall(\"LLEN\", P .. \"active\") >= concurrency)\n"
  "local events = P .. \"events\"\n"
  "local results = {}\n"
  "local anyDelayed = false\n"
  "\n"
  "local function removeJob(id)\n"
  "  local k = P .. id\n"
  "  rcall(\"DEL\", k, k .. \":logs\", k .. \":lock\", k .. \":dependencies\", k .. \":processed\", k .. \":failed\",\n"
  "    k .. \":unsuccessful\")\n"
  "end\n"
  "\n"
  "local function removeIds(set, ids)\n"
  "  if #ids == 0 then return end\n"
  "  for _, old in ipairs(ids) do removeJob(old) end\n"
  "  rcall(\"ZREM\", set, unpack(ids))\n"
  "end\n"
  "\n"
  "-- keep: \"-1\" keep every job, \"0\" keep none, else \"count:age\" (-1 = no limit of that kind)\n"
  "local function retain(state, id, keep)\n"
  "  if keep == \"0\" then\n"
  "    removeJob(id)\n"
  "    return false\n"
  "  end\n"
  "  local set = P .. state\n"
  "  rcall(\"ZADD\", set, nowText, id)\n"
  "  if keep ~= \"-1\" then\n"
  "    local count, age = string.match(keep, \"^(-?%d+):(-?%d+)$\")\n"
  "    count, age = tonumber(count), tonumber(age)\n"
  "    if age and age >= 0 then\n"
  "      removeIds(set, rcall(\"ZRANGEBYSCORE\", set, \"-inf\", int(now - age * 1000), \"LIMIT\", 0, 1000))\n"
  "    end\n"
  "    if count and count >= 0 then\n"
  "      removeIds(set, rcall(\"ZREVRANGE\", set, count, count + 999))\n"
  "    end\n"
  "  end\n"
  "  return true\n"
  "end\n"
  "\n"
  "local function appendStack(jobKey, line, limit)\n"
  "  local ok, list = pcall(cjson.decode, rcall(\"HGET\", jobKey, \"stacktrace\") or \"[]\")\n"
  "  if not ok or type(list) ~= \"table\" then list = {} end\n"
  "  if limit ~= 0 then list[#list + 1] = line end\n"
  "  if limit > 0 then\n"
  "    while #list > limit do table.remove(list, 1) end\n"
  "  end\n"
  "  if #list == 0 then return \"[]\" end\n"
  "  return cjson.encode(list)\n"
  "end\n"
  "\n"
  "-- Flows (BullMQ's FlowProducer): a child's final outcome moves its parent on, in the parent's own queue.\n"
  "local function parentBlocked(queueKey)\n"
  "  local m = rcall(\"HMGET\", queueKey .. \":meta\", \"paused\", \"concurrency\")\n"
  "  if m[1] then return true end\n"
  "  if m[2] then return rcall(\"LLEN\", queueKey .. \":active\") >= tonumber(m[2]) end\n"
  "  return false\n"
  "end\n"
  "local function releaseParent(queueKey, parentKey, parentId)\n"
  "  local attributes = rcall(\"HMGET\", parentKey, \"priority\", \"delay\")\n"
  "  local priority, delay = tonumber(attributes[1]) or 0, tonumber(attributes[2]) or 0\n"
  "  local parentEvents = queueKey .. \":events\"\n"
  "  if delay > 0 then\n"
  "    local due = now + delay\n"
  "    rcall(\"ZADD\", queueKey .. \":delayed\", int(due * 4096), parentId)\n"
  "    rcall(\"XADD\", parentEvents, \"*\", \"event\", \"delayed\", \"jobId\", parentId, \"delay\", int(due))\n"
  "    local first = rcall(\"ZRANGE\", queueKey .. \":delayed\", 0, 0, \"WITHSCORES\")\n"
  "    if first[2] then rcall(\"ZADD\", queueKey .. \":marker\", tonumber(first[2]) / 4096, \"1\") end\n"
  "    return\n"
  "  end\n"
  "  if priority > 0 then\n"
  "    local seq = rcall(\"INCR\", queueKey .. \":pc\")\n"
  "    rcall(\"ZADD\", queueKey .. \":prioritized\", int(priority * 4294967296 + seq % 4294967296), parentId)\n"
  "  else\n"
  "    rcall(\"RPUSH\", queueKey .. \":wait\", parentId)\n"
  "  end\n"
  "  if not parentBlocked(queueKey) then rcall(\"ZADD\", queueKey .. \":marker\", 0, \"0\") end\n"
  "  rcall(\"XADD\", parentEvents, \"*\", \"event\", \"waiting\", \"jobId\", parentId, \"prev\", \"waiting-children\")\n"
  "end\n"
  "local function releaseParentIfWaiting(queueKey, parentKey, parentId)\n"
  "  if rcall(\"EXISTS\", parentKey) == 1 and rcall(\"ZREM\", queueKey .. \":waiting-children\", parentId) == 1 then\n"
  "    releaseParent(queueKey, parentKey, parentId)\n"
  "  end\n"
  "end\n"
  "local function childFinished(jobKey, parentText, completed, value)\n"
  "  local ok, parent = pcall(cjson.decode, parentText)\n"
  "  if not ok or type(parent) ~= \"table\" or not parent.id or type(parent.queueKey) ~= \"string\" then return end\n"
  "  local queueKey, parentId = parent.queueKey, tostring(parent.id)\n"
  "  local parentKey = queueKey .. \":\" .. parentId\n"
  "  local dependencies = parentKey .. \":dependencies\"\n"
  "  if completed then\n"
  "    if rcall(\"SREM\", dependencies, jobKey) == 1 then\n"
  "      rcall(\"HSET\", parentKey .. \":processed\", jobKey, value)\n"
  "      if rcall(\"SCARD\", dependencies) == 0 then releaseParentIfWaiting(queueKey, parentKey, parentId) end\n"
  "    end\n"
  "  elseif parent.fpof then\n"
  "    if rcall(\"SREM\", dependencies, jobKey) == 1 then\n"
  "      rcall(\"ZADD\", parentKey .. \":unsuccessful\", nowText, jobKey)\n"
  "      if rcall(\"EXISTS\", parentKey) == 1 then\n"
  "        local reason = \"child \" .. jobKey .. \" failed\"\n"
  "        local from = nil\n"
  "        if rcall(\"ZSCORE\", queueKey .. \":waiting-children\", parentId) then\n"
  "          from = \":waiting-children\"\n"
  "        elseif rcall(\"ZSCORE\", queueKey .. \":delayed\", parentId) then\n"
  "          from = \":delayed\"\n"
  "          rcall(\"HSET\", parentKey, \"delay\", 0)\n"
  "        end\n"
  "        if from then\n"
  "          rcall(\"ZREM\", queueKey .. from, parentId)\n"
  "          rcall(\"HSET\", parentKey, \"defa\", reason)\n"
  "          releaseParent(queueKey, parentKey, parentId)\n"
  "        elseif not rcall(\"ZSCORE\", queueKey .. \":failed\", parentId) then\n"
  "          rcall(\"HSET\", parentKey, \"defa\", reason)\n"
  "        end\n"
  "      end\n"
  "    end\n"
  "  elseif parent.cpof then\n"
  "    if rcall(\"SREM\", dependencies, jobKey) == 1 then\n"
  "      rcall(\"HSET\", parentKey .. \":failed\", jobKey, value)\n"
  "      releaseParentIfWaiting(queueKey, parentKey, parentId)\n"
  "    end\n"
  "  elseif parent.idof or parent.rdof then\n"
  "    if rcall(\"SREM\", dependencies, jobKey) == 1 then\n"
  "      if rcall(\"SCARD\", dependencies) == 0 then releaseParentIfWaiting(queueKey, parentKey, parentId) end\n"
  "      if parent.idof then rcall(\"HSET\", parentKey .. \":failed\", jobKey, value) end\n"
  "    end\n"
  "  end\n"
  "end\n"
  "-- Deduplication (opts.de): a finished job gives up its deduplication id if it still owns it untimed.\n"
  "local function releaseDeduplication(id, deduplicationId)\n"
  "  local key = P .. \"de:\" .. deduplicationId\n"
  "  local ttl = rcall(\"PTTL\", key)\n"
  "  if ttl == 0 or (ttl == -1 and rcall(\"GET\", key) == id) then rcall(\"DEL\", key) end\n"
  "end\n"
  "if finishCount > 0 then rcall(\"XTRIM\", events, \"MAXLEN\", \"~\", maxLen) end\n"
  "for i = 0, finishCount - 1 do\n"
  "  local b = 7 + i * 10\n"
  "  local id, token, kind, value, stackLine = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]\n"
  "  local stackLimit, backoff, keep = tonumber(ARGV[b + 5]), tonumber(ARGV[b + 6]), ARGV[b + 7]\n"
  "  local attempts, lifo = tonumber(ARGV[b + 8]), ARGV[b + 9] == \"1\"\n"
  "  local jobKey = P .. id\n"
  "  local code = 0\n"
  "  local lock = rcall(\"GET\", jobKey .. \":lock\")\n"
  "  if not lock then\n"
  "    code = rcall(\"EXISTS\", jobKey) == 0 and -1 or -2\n"
  "  elseif lock ~= token then\n"
  "    code = -6\n"
  "  end\n"
  "  if code == 0 then\n"
  "    rcall(\"DEL\", jobKey .. \":lock\")\n"
  "    rcall(\"SREM\", P .. \"stalled\", id)\n"
  "    if rcall(\"LREM\", P .. \"active\", -1, id) == 0 then code = -3 end\n"
  "  end\n"
  "  if code == 0 then\n"
  "    local made = rcall(\"HINCRBY\", jobKey, \"atm\", 1)\n"
  "    if kind == \"c\" or kind == \"f\" then\n"
  "      local links = rcall(\"HMGET\", jobKey, \"parent\", \"deid\")\n"
  "      if links[1] then childFinished(jobKey, links[1], kind == \"c\", value) end\n"
  "      if links[2] then releaseDeduplication(id, links[2]) end\n"
  "    end\n"
  "    if kind == \"c\" then\n"
  "      if retain(\"completed\", id, keep) then\n"
  "        rcall(\"HSET\", jobKey, \"returnvalue\", value, \"finishedOn\", nowText)\n"
  "      end\n"
  "      rcall(\"XADD\", events, \"*\", \"event\", \"completed\", \"jobId\", id, \"returnvalue\", value, \"prev\", \"active\")\n"
  "    else\n"
  "      rcall(\"HSET\", jobKey, \"failedReason\", value, \"stacktrace\", appendStack(jobKey, stackLine, stackLimit))\n"
  "      if kind == \"f\" then\n"
  "        rcall(\"HDEL\", jobKey, \"defa\")\n"
  "        if retain(\"failed\", id, keep) then rcall(\"HSET\", jobKey, \"finishedOn\", nowText) end\n"
  "        rcall(\"XADD\", events, \"*\", \"event\", \"failed\", \"jobId\", id, \"failedReason\", value, \"prev\", \"active\")\n"
  "        if made >= attempts then\n"
  "          rcall(\"XADD\", events, \"*\", \"event\", \"retries-exhausted\", \"jobId\", id, \"attemptsMade\", made)\n"
  "        end\n"
  "      elseif kind == \"d\" then\n"
  "        local due = now + backoff\n"
  "        rcall(\"HSET\", jobKey, \"delay\", int(backoff))\n"
  "        rcall(\"ZADD\", P .. \"delayed\", delayedScore(due), id)\n"
  "        rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"delayed\", \"jobId\", id, \"delay\", int(due))\n"
  "        anyDelayed = true\n"
  "      else\n"
  "        pushReady(id, tonumber(rcall(\"HGET\", jobKey, \"priority\")) or 0, lifo, blocked)\n"
  "        rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"waiting\", \"jobId\", id, \"prev\", \"active\")\n"
  "      end\n"
  "    end\n"
  "  end\n"
  "  results[#results + 1] = code\n"
  "end\n"
  "if anyDelayed then delayMarker() end\n"
  "\n"
  "local jobs = {}\n"
  "local nextDue = \"\"\n"
  "if fetchCount > 0 then\n"
  "  local due = rcall(\"ZRANGEBYSCORE\", P .. \"delayed\", 0, int((now + 1) * 4096 - 1), \"LIMIT\", 0, 1000)\n"
  "  if #due > 0 then\n"
  "    rcall(\"ZREM\", P .. \"delayed\", unpack(due))\n"
  "    for _, id in ipairs(due) do\n"
  "      pushReady(id, tonumber(rcall(\"HGET\", P .. id, \"priority\")) or 0, false, true)\n"
  "      rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"waiting\", \"jobId\", id, \"prev\", \"delayed\")\n"
  "      rcall(\"HSET\", P .. id, \"delay\", 0)\n"
  "    end\n"
  "    if not blocked then rcall(\"ZADD\", P .. \"marker\", 0, \"0\") end\n"
  "  end\n"
  "  local taken = 0\n"
  "  if not blocked then\n"
  "    local limit = fetchCount\n"
  "    if concurrency then\n"
  "      limit = math.min(limit, concurrency - rcall(\"LLEN\", P .. \"active\"))\n"
  "    end\n"
  "    -- the global rate limit (Queue.setGlobalRateLimit, Queue.rateLimit): at most max jobs per duration ms\n"
  "    if rateMax then\n"
  "      local used = tonumber(rcall(\"GET\", P .. \"limiter\") or \"0\")\n"
  "      local ttl = rcall(\"PTTL\", P .. \"limiter\")\n"
  "      if used >= rateMax and ttl > 0 then\n"
  "        limit = 0\n"
  "        rateDue = now + ttl\n"
  "      elseif ttl > 0 then\n"
  "        limit = math.min(limit, rateMax - used)\n"
  "      else\n"
  "        limit = math.min(limit, rateMax)\n"
  "      end\n"
  "    end\n"
  "    while taken < limit do\n"
  "      local id = rcall(\"RPOPLPUSH\", P .. \"wait\", P .. \"active\")\n"
  "      if not id then\n"
  "        local popped = rcall(\"ZPOPMIN\", P .. \"prioritized\")\n"
  "        if not popped[1] then\n"
  "          rcall(\"DEL\", P .. \"pc\")\n"
  "          break\n"
  "        end\n"
  "        id = popped[1]\n"
  "        rcall(\"LPUSH\", P .. \"active\", id)\n"
  "      end\n"
  "      local jobKey = P .. id\n"
  "      local hash = {}\n"
  "      if string.sub(id, 1, 2) ~= \"0:\" then hash = rcall(\"HGETALL\", jobKey) end\n"
  "      if #hash == 0 then\n"
  "        rcall(\"LREM\", P .. \"active\", -1, id)\n"
  "      else\n"
  "        taken = taken + 1\n"
  "        if rateMax and rcall(\"INCR\", P .. \"limiter\") == 1 then\n"
  "          rcall(\"PEXPIRE\", P .. \"limiter\", rateDuration)\n"
  "        end\n"
  "        local started = rcall(\"HINCRBY\", jobKey, \"ats\", 1)\n"
  "        local token = ARGV[2] .. \":\" .. id .. \":\" .. started\n"
  "        rcall(\"SET\", jobKey .. \":lock\", token, \"PX\", ARGV[3])\n"
  "        rcall(\"XADD\", events, \"*\", \"event\", \"active\", \"jobId\", id, \"prev\", \"waiting\")\n"
  "        if ARGV[5] ~= \"\" then\n"
  "          rcall(\"HSET\", jobKey, \"processedOn\", nowText, \"pb\", ARGV[5])\n"
  "        else\n"
  "          rcall(\"HSET\", jobKey, \"processedOn\", nowText)\n"
  "        end\n"
  "        jobs[#jobs + 1] = id\n"
  "        jobs[#jobs + 1] = token\n"
  "        jobs[#jobs + 1] = hash\n"
  "      end\n"
  "    end\n"
  "    -- a full batch means more may be ready: pass the wake-up on to the next idle worker\n"
  "    if taken > 0 and taken == limit then rcall(\"ZADD\", P .. \"marker\", 0, \"0\") end\n"
  "  end\n"
  "  if taken == 0 then\n"
  "    local r = rcall(\"ZRANGE\", P .. \"delayed\", 0, 0, \"WITHSCORES\")\n"
  "    if r[2] then nextDue = int(math.floor(tonumber(r[2]) / 4096)) end\n"
  "    if rateDue and (nextDue == \"\" or rateDue < tonumber(nextDue)) then nextDue = int(rateDue) end\n"
  "  end\n"
  "end\n"
  "if finishCount > 0 and #jobs == 0 and nextDue == \"\" and not blocked then\n"
  "  if rcall(\"LLEN\", P .. \"wait\") == 0 and rcall(\"LLEN\", P .. \"active\") == 0\n"
  "      and rcall(\"ZCARD\", P .. \"prioritized\") == 0 then\n"
  "    rcall(\"XADD\", events, \"*\", \"event\", \"drained\")\n"
  "  end\n"
  "end\n"
  "return { results, jobs, nextDue }\n";

static const char script_extend[] = SCRIPT_COMMON
  "local results = {}\n"
  "for i = 2, #ARGV, 2 do\n"
  "  local id, token = ARGV[i], ARGV[i + 1]\n"
  "  local lockKey = P .. id .. \":lock\"\n"
  "  if rcall(\"GET\", lockKey) == token then\n"
  "    rcall(\"SET\", lockKey, token, \"PX\", ARGV[1])\n"
  "    rcall(\"SREM\", P .. \"stalled\", id)\n"
  "    results[#results + 1] = 1\n"
  "  else\n"
  "    results[#results + 1] = 0\n"
  "  end\n"
  "end\n"
  "return results\n";

static const char script_stalled[] = SCRIPT_COMMON
  "-- ARGV[1] max stalled count, ARGV[2] now, ARGV[3] check interval ms\n"
  "local checkKey = P .. \"stalled-check\"\n"
  "if rcall(\"EXISTS\", checkKey) == 1 then return {} end\n"
  "rcall(\"SET\", checkKey, ARGV[2], \"PX\", ARGV[3])\n"
  "local maxLen = maxEvents()\n"
  "local events = P .. \"events\"\n"
  "rcall(\"XTRIM\", events, \"MAXLEN\", \"~\", maxLen)\n"
  "local blocked = pausedOrMaxed()\n"
  "local recovered = {}\n"
  "local candidates = rcall(\"SMEMBERS\", P .. \"stalled\")\n"
  "if #candidates > 0 then\n"
  "  rcall(\"DEL\", P .. \"stalled\")\n"
  "  for _, id in ipairs(candidates) do\n"
  "    local jobKey = P .. id\n"
  "    if string.sub(id, 1, 2) == \"0:\" then\n"
  "      rcall(\"LREM\", P .. \"active\", 1, id)\n"
  "    elseif rcall(\"EXISTS\", jobKey .. \":lock\") == 0 and rcall(\"LREM\", P .. \"active\", 1, id) > 0 then\n"
  "      local stalls = rcall(\"HINCRBY\", jobKey, \"stc\", 1)\n"
  "      local schedulerId = rcall(\"HGET\", jobKey, \"rjk\")\n"
  "      local scheduled = schedulerId and (rcall(\"EXISTS\", P .. \"repeat:\" .. schedulerId) == 1\n"
  "        or rcall(\"ZSCORE\", P .. \"repeat\", schedulerId))\n"
  "      if stalls > tonumber(ARGV[1]) and not scheduled then\n"
  "        rcall(\"HSET\", jobKey, \"defa\", \"job stalled more than allowable limit\")\n"
  "      end\n"
  "      rcall(\"RPUSH\", P .. \"wait\", id)\n"
  "      if not blocked then rcall(\"ZADD\", P .. \"marker\", 0, \"0\") end\n"
  "      rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"waiting\", \"jobId\", id, \"prev\", \"active\")\n"
  "      rcall(\"XADD\", events, \"*\", \"event\", \"stalled\", \"jobId\", id)\n"
  "      recovered[#recovered + 1] = id\n"
  "    end\n"
  "  end\n"
  "end\n"
  "local active = rcall(\"LRANGE\", P .. \"active\", 0, -1)\n"
  "for from = 1, #active, 5000 do\n"
  "  rcall(\"SADD\", P .. \"stalled\", unpack(active, from, math.min(from + 4999, #active)))\n"
  "end\n"
  "return recovered\n";

static const char script_progress[] = SCRIPT_COMMON
  "-- ARGV[1] job id, ARGV[2] progress JSON\n"
  "local jobKey = P .. ARGV[1]\n"
  "if rcall(\"EXISTS\", jobKey) == 0 then return -1 end\n"
  "rcall(\"HSET\", jobKey, \"progress\", ARGV[2])\n"
  "rcall(\"XADD\", P .. \"events\", \"MAXLEN\", \"~\", maxEvents(), \"*\", \"event\", \"progress\", \"jobId\", ARGV[1], \"data\", ARGV[2])\n"
  "return 0\n";

static const char script_log[] = SCRIPT_COMMON
  "-- ARGV[1] job id, ARGV[2] line, ARGV[3] lines to keep (0 = all)\n"
  "local jobKey = P .. ARGV[1]\n"
  "if rcall(\"EXISTS\", jobKey) == 0 then return -1 end\n"
  "local count = rcall(\"RPUSH\", jobKey .. \":logs\", ARGV[2])\n"
  "local keep = tonumber(ARGV[3])\n"
  "if keep > 0 and count > keep then\n"
  "  rcall(\"LTRIM\", jobKey .. \":logs\", -keep, -1)\n"
  "  return keep\n"
  "end\n"
  "return count\n";

static const char script_pause[] = SCRIPT_COMMON
  "-- ARGV[1] \"1\" pause, \"0\" resume\n"
  "local meta = P .. \"meta\"\n"
  "local maxLen = maxEvents()\n"
  "if ARGV[1] == \"1\" then\n"
  "  rcall(\"HSET\", meta, \"paused\", 1)\n"
  "  rcall(\"DEL\", P .. \"marker\")\n"
  "  rcall(\"XADD\", P .. \"events\", \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"paused\")\n"
  "  return 0\n"
  "end\n"
  "rcall(\"HDEL\", meta, \"paused\")\n"
  "-- jobs left in the legacy paused list by BullMQ < 5 go back to wait\n"
  "for _ = 1, 7 do\n"
  "  local legacy = rcall(\"LRANGE\", P .. \"paused\", -1000, -1)\n"
  "  if #legacy == 0 then break end\n"
  "  for i = #legacy, 1, -1 do rcall(\"LPUSH\", P .. \"wait\", legacy[i]) end\n"
  "  rcall(\"LTRIM\", P .. \"paused\", 0, -1001)\n"
  "end\n"
  "if rcall(\"LLEN\", P .. \"wait\") + rcall(\"ZCARD\", P .. \"prioritized\") > 0 then\n"
  "  rcall(\"ZADD\", P .. \"marker\", 0, \"0\")\n"
  "else\n"
  "  delayMarker()\n"
  "end\n"
  "rcall(\"XADD\", P .. \"events\", \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"resumed\")\n"
  "return 0\n";

static const char script_release[] = SCRIPT_COMMON
  "-- ARGV[1] job id, ARGV[2] token: gives an active job back to the queue (front of the line)\n"
  "local id = ARGV[1]\n"
  "local jobKey = P .. id\n"
  "if rcall(\"GET\", jobKey .. \":lock\") ~= ARGV[2] then return -6 end\n"
  "rcall(\"DEL\", jobKey .. \":lock\")\n"
  "rcall(\"SREM\", P .. \"stalled\", id)\n"
  "if rcall(\"LREM\", P .. \"active\", -1, id) == 0 then return -3 end\n"
  "local priority = tonumber(rcall(\"HGET\", jobKey, \"priority\")) or 0\n"
  "if priority > 0 then\n"
  "  pushReady(id, priority, false, pausedOrMaxed())\n"
  "else\n"
  "  rcall(\"RPUSH\", P .. \"wait\", id)\n"
  "  if not pausedOrMaxed() then rcall(\"ZADD\", P .. \"marker\", 0, \"0\") end\n"
  "end\n"
  "rcall(\"XADD\", P .. \"events\", \"MAXLEN\", \"~\", maxEvents(), \"*\", \"event\", \"waiting\", \"jobId\", id, \"prev\", \"active\")\n"
  "return 0\n";
static const char script_set_field[] = SCRIPT_COMMON
  "-- ARGV[1] job id, ARGV[2] field, ARGV[3] value: set only while the job exists\n"
  "local jobKey = P .. ARGV[1]\n"
  "if rcall(\"EXISTS\", jobKey) == 0 then return -1 end\n"
  "rcall(\"HSET\", jobKey, ARGV[2], ARGV[3])\n"
  "return 0\n";

static const char script_store_set[] = SCRIPT_COMMON
  "-- ARGV[1] owner, ARGV[2] key, ARGV[3] value, ARGV[4] most keys per owner\n"
  "local storeKey = P .. \"store:\" .. ARGV[1]\n"
  "if rcall(\"HEXISTS\", storeKey, ARGV[2]) == 0 and rcall(\"HLEN\", storeKey) >= tonumber(ARGV[4]) then\n"
  "  return -1\n"
  "end\n"
  "rcall(\"HSET\", storeKey, ARGV[2], ARGV[3])\n"
  "return 0\n";

static const char script_schedule_next[] = SCRIPT_COMMON
  "-- ARGV[1] id of the job a worker just took, ARGV[2] now. Job schedulers (Queue.upsertJobScheduler): the\n"
  "-- worker that takes an iteration adds the next one, as BullMQ's worker does. Only \"every\" schedulers:\n"
  "-- a cron pattern needs BullMQ's cron parser, so those answer -2 and are left to BullMQ workers.\n"
  "-- Returns { 1, next id } when added, { 0, why } when there is nothing to add, { -2, \"pattern\" }.\n"
  "local id, now = ARGV[1], tonumber(ARGV[2])\n"
  "local jobKey = P .. id\n"
  "local job = rcall(\"HMGET\", jobKey, \"rjk\", \"opts\")\n"
  "local schedulerId = job[1]\n"
  "if not schedulerId then return { 0, \"not a scheduler job\" } end\n"
  "local previous = rcall(\"ZSCORE\", P .. \"repeat\", schedulerId)\n"
  "if not previous then return { 0, \"scheduler removed\" } end\n"
  "previous = tonumber(previous)\n"
  "local schedulerKey = P .. \"repeat:\" .. schedulerId\n"
  "local scheduler = rcall(\"HMGET\", schedulerKey, \"name\", \"data\", \"every\", \"offset\", \"limit\", \"endDate\")\n"
  "local ok, opts = pcall(cjson.decode, job[2] or \"{}\")\n"
  "if not ok or type(opts) ~= \"table\" then opts = {} end\n"
  "local repeatOpts = type(opts[\"repeat\"]) == \"table\" and opts[\"repeat\"] or {}\n"
  "local every = tonumber(scheduler[3]) or tonumber(repeatOpts.every)\n"
  "if not every or every <= 0 then return { -2, \"pattern\" } end\n"
  "local count = (tonumber(repeatOpts.count) or 0) + 1\n"
  "local limit = tonumber(scheduler[5]) or tonumber(repeatOpts.limit)\n"
  "if limit and count > limit then return { 0, \"limit reached\" } end\n"
  "local endDate = tonumber(scheduler[6]) or tonumber(repeatOpts.endDate)\n"
  "if endDate and now > endDate then return { 0, \"end date passed\" } end\n"
  "if id ~= \"repeat:\" .. schedulerId .. \":\" .. int(previous) then return { 0, \"not the current iteration\" } end\n"
  "local offset = tonumber(scheduler[4]) or tonumber(repeatOpts.offset) or 0\n"
  "local nextMillis = previous + every\n"
  "if nextMillis < now then\n"
  "  local aligned = math.floor(now / every) * every + offset\n"
  "  if aligned <= now then nextMillis = aligned + every else nextMillis = aligned end\n"
  "end\n"
  "nextMillis = math.floor(nextMillis)\n"
  "local nextId = \"repeat:\" .. schedulerId .. \":\" .. int(nextMillis)\n"
  "local nextKey = P .. nextId\n"
  "local maxLen = maxEvents()\n"
  "local events = P .. \"events\"\n"
  "if rcall(\"EXISTS\", nextKey) == 1 then\n"
  "  rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"duplicated\", \"jobId\", nextId)\n"
  "  return { 0, \"already added\" }\n"
  "end\n"
  "rcall(\"ZADD\", P .. \"repeat\", int(nextMillis), schedulerId)\n"
  "rcall(\"HINCRBY\", schedulerKey, \"ic\", 1)\n"
  "rcall(\"INCR\", P .. \"id\")\n"
  "local delay = math.max(nextMillis - now, 0)\n"
  "repeatOpts.count = count\n"
  "opts[\"repeat\"] = repeatOpts\n"
  "opts.jobId = nextId\n"
  "opts.delay = delay\n"
  "opts.timestamp = now\n"
  "opts.prevMillis = nextMillis\n"
  "opts.repeatJobKey = schedulerId\n"
  "local name = scheduler[1] or rcall(\"HGET\", jobKey, \"name\") or \"\"\n"
  "local priority = tonumber(opts.priority) or 0\n"
  "rcall(\"HSET\", nextKey, \"name\", name, \"data\", scheduler[2] or \"{}\", \"opts\", cjson.encode(opts), \"timestamp\", ARGV[2],\n"
  "  \"delay\", int(delay), \"priority\", int(priority), \"rjk\", schedulerId)\n"
  "rcall(\"XADD\", events, \"*\", \"event\", \"added\", \"jobId\", nextId, \"name\", name)\n"
  "if delay > 0 then\n"
  "  local due = now + delay\n"
  "  rcall(\"ZADD\", P .. \"delayed\", delayedScore(due), nextId)\n"
  "  rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"delayed\", \"jobId\", nextId, \"delay\", int(due))\n"
  "  delayMarker()\n"
  "else\n"
  "  pushReady(nextId, priority, opts.lifo == true, pausedOrMaxed())\n"
  "  rcall(\"XADD\", events, \"MAXLEN\", \"~\", maxLen, \"*\", \"event\", \"waiting\", \"jobId\", nextId)\n"
  "end\n"
  "return { 1, nextId }\n";

static const char *const script_sources[QUEUE_SCRIPT_COUNT] = {
  [QUEUE_SCRIPT_ADD] = script_add,
  [QUEUE_SCRIPT_STEP] = script_step,
  [QUEUE_SCRIPT_EXTEND_LOCKS] = script_extend,
  [QUEUE_SCRIPT_STALLED] = script_stalled,
  [QUEUE_SCRIPT_PROGRESS] = script_progress,
  [QUEUE_SCRIPT_LOG] = script_log,
  [QUEUE_SCRIPT_PAUSE] = script_pause,
  [QUEUE_SCRIPT_RELEASE] = script_release,
  [QUEUE_SCRIPT_SET_FIELD] = script_set_field,
  [QUEUE_SCRIPT_STORE_SET] = script_store_set,
  [QUEUE_SCRIPT_SCHEDULE_NEXT] = script_schedule_next,
};

static const char *const script_names[QUEUE_SCRIPT_COUNT] = {
  "add", "step", "extend-locks", "stalled", "progress", "log", "pause", "release", "set-field", "store-set", "schedule-next",
};

static char script_shas[QUEUE_SCRIPT_COUNT][41];
static pthread_once_t shas_once = PTHREAD_ONCE_INIT;

static void compute_shas(void)
{
  for (int i = 0; i < QUEUE_SCRIPT_COUNT; i++) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(script_sources[i], strlen(script_sources[i]), digest, &length, EVP_sha1(), NULL);
    for (unsigned int j = 0; j < length && j < 20; j++)
      snprintf(script_shas[i] + 2 * j, 3, "%02x", digest[j]);
  }
}

const char *queue_script_sha(enum queue_script script)
{
  pthread_once(&shas_once, compute_shas);
  return script_shas[script];
}

void queue_args_init(struct queue_args *args)
{
  memset(args, 0, sizeof *args);
}

void queue_args_free(struct queue_args *args)
{
  for (size_t i = 0; i < args->owned_count; i++)
    free(args->owned[i]);
  free(args->owned);
  free(args->values);
  free(args->lengths);
  memset(args, 0, sizeof *args);
}

static int grow(struct queue_args *args)
{
  if (args->count < args->capacity)
    return 0;
  size_t capacity = args->capacity ? args->capacity * 2 : 16;
  const char **values = realloc(args->values, capacity * sizeof *values);
  if (!values)
    return -1;
  args->values = values;
  size_t *lengths = realloc(args->lengths, capacity * sizeof *lengths);
  if (!lengths)
    return -1;
  args->lengths = lengths;
  char **owned = realloc(args->owned, capacity * sizeof *owned);
  if (!owned)
    return -1;
  args->owned = owned;
  args->capacity = capacity;
  return 0;
}

void queue_args_add(struct queue_args *args, const char *value, size_t length)
{
  if (args->failed || grow(args) != 0) {
    args->failed = 1;
    return;
  }
  args->values[args->count] = value;
  args->lengths[args->count] = length;
  args->count++;
}

void queue_args_add_text(struct queue_args *args, const char *text)
{
  queue_args_add(args, text ? text : "", text ? strlen(text) : 0);
}

void queue_args_add_long(struct queue_args *args, long long value)
{
  char buffer[32];
  int length = snprintf(buffer, sizeof buffer, "%lld", value);
  char *copy = NULL;
  if (!args->failed && grow(args) == 0)
    copy = strdup(buffer);
  if (!copy) {
    args->failed = 1;
    return;
  }
  args->owned[args->owned_count++] = copy;
  queue_args_add(args, copy, (size_t)length);
}

int queue_script_command(enum queue_script script, const char *prefix, const struct queue_args *args,
                         struct queue_args *out)
{
  queue_args_add_text(out, "EVALSHA");
  queue_args_add(out, queue_script_sha(script), 40);
  queue_args_add_text(out, "1");
  queue_args_add_text(out, prefix);
  for (size_t i = 0; i < args->count; i++)
    queue_args_add(out, args->values[i], args->lengths[i]);
  return out->failed || args->failed ? -1 : 0;
}

int queue_script_load(struct redis_conn *conn, enum queue_script script, struct growth_error *err)
{
  redisReply *reply = redis_conn_command(conn, err, "SCRIPT LOAD %s", script_sources[script]);
  if (!reply)
    return error_prefix(err, "loading the queue's '%s' script", script_names[script]);
  int same = reply->type == REDIS_REPLY_STRING && strcmp(reply->str, queue_script_sha(script)) == 0;
  freeReplyObject(reply);
  if (!same)
    return error_set(err, ERR_INTERNAL, "loading the queue's '%s' script: Redis computed another SHA1",
                     script_names[script]);
  return 0;
}

redisReply *queue_script_run(struct redis_conn *conn, enum queue_script script, const char *prefix,
                             const struct queue_args *args, struct growth_error *err)
{
  struct queue_args command;
  queue_args_init(&command);
  redisReply *reply = NULL;
  if (queue_script_command(script, prefix, args, &command) != 0) {
    error_set(err, ERR_NO_MEMORY, "queue script '%s': out of memory for its arguments", script_names[script]);
    goto done;
  }
  for (int attempt = 0; attempt < 2 && !reply; attempt++) {
    reply = redis_conn_command_argv(conn, (int)command.count, command.values, command.lengths, err);
    if (reply || attempt > 0 || strncmp(err->message, "redis replied: NOSCRIPT", 23) != 0)
      break;
    if (queue_script_load(conn, script, err) != 0)
      break;
  }
  if (!reply)
    error_prefix(err, "queue script '%s'", script_names[script]);
done:
  queue_args_free(&command);
  return reply;
}
