"""The wake index's two scripts (see :mod:`campaign.ledger.wake`): working out when the tick must look
at a campaign again, and reading the campaigns it must look at now."""

from __future__ import annotations

from .scripts import for_many

# WAKE (wake.py): ``wake`` (campaign clock; an entry for every applied campaign) holds at most its first
# render, due time (plus max lateness while paused) and next change of plan signature; ``wake:real`` (wall
# clock) its first render claim, queued send (not while paused), lease and look-up; ``wake:before`` when
# its plan signature began to hold. Scripts that add to an index lower these (ZADD LT: the earliest stays).
# When the tick must look at a campaign again, worked out from the heads of its indexes after its moves.
# KEYS: campaign, render, due, rendering, queued, leases, doubt, wake, wake:real, wake:before
# ARGV: campaign id, the definition hash and plan signature the next two moments hold for, since and
#       until when that signature holds (campaign clock, -inf/+inf), max lateness (s)
WAKE = r"""
local function num(s)
  if s == '+inf' or s == 'inf' then return math.huge elseif s == '-inf' then return -math.huge end
  return tonumber(s)
end
local function head(key)
  local h = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if h[2] then return num(h[2]) end
  return math.huge
end
local function score(x)
  if x == math.huge then return '+inf' elseif x == -math.huge then return '-inf' end
  return string.format('%.17g', x)
end
local c = redis.call('HMGET', KEYS[1], 'status', 'def_hash', 'plan_sig')
local at, real, since = math.huge, math.huge, -math.huge
if c[1] ~= 'cancelled' then
  local paused = c[1] == 'paused'
  if c[2] == ARGV[2] and c[3] == ARGV[3] then at, since = num(ARGV[5]), num(ARGV[4]) else at = -math.huge end
  local due = head(KEYS[3])
  if paused then due = due + tonumber(ARGV[6]) end  -- nothing is queued while paused: only missed, when too late
  at = math.min(at, head(KEYS[2]), due)
  real = math.min(head(KEYS[4]), head(KEYS[6]), head(KEYS[7]))
  if not paused then real = math.min(real, head(KEYS[5])) end  -- resuming wakes it
end
-- The campaign clock's score last: refused by a Redis out of memory, the scores kept are still early enough.
if since > -math.huge then redis.call('ZADD', KEYS[10], score(since), ARGV[1])
else redis.call('ZREM', KEYS[10], ARGV[1]) end
if real < math.huge then redis.call('ZADD', KEYS[9], score(real), ARGV[1]) else redis.call('ZREM', KEYS[9], ARGV[1]) end
redis.call('ZADD', KEYS[8], score(at), ARGV[1])
return 1
"""
WAKE_MANY = for_many(WAKE)

# The campaigns a tick must look at, with their status, definition hash and plan signature.
# KEYS: campaigns, wake, wake:real, wake:before, wake:built   ARGV: prefix, campaign now, real now
WAKE_READ = r"""
if redis.call('EXISTS', KEYS[5]) == 0 or redis.call('ZCARD', KEYS[2]) < redis.call('SCARD', KEYS[1]) then
  -- a ledger from before the wake index (or without it): every campaign is looked at once
  for _, cid in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('ZADD', KEYS[2], 'NX', '-inf', cid) end
  redis.call('SET', KEYS[5], '1')
end
local seen, out = {}, {}
local function take(cids)
  for _, cid in ipairs(cids) do
    if not seen[cid] then
      seen[cid] = true
      if redis.call('SISMEMBER', KEYS[1], cid) == 1 then
        local f = redis.call('HMGET', ARGV[1] .. 'c:' .. cid, 'status', 'def_hash', 'plan_sig')
        out[#out + 1] = {cid, f[1], f[2], f[3]}
      else  -- posts of a campaign never applied (tests): nothing for the tick until it is
        redis.call('ZADD', KEYS[2], '+inf', cid)
        redis.call('ZREM', KEYS[3], cid)
        redis.call('ZREM', KEYS[4], cid)
      end
    end
  end
end
take(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2]))
take(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[3]))
take(redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[2], '+inf'))
return out
"""
