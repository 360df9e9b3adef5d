"""The Lua scripts behind every state change: each runs atomically inside Redis.

Every script that moves a post checks the state it leaves, updates the per-state counters,
appends to the campaign's audit stream and, for publishing, records the attempt, all in one
step, so two workers or two beats can never both make the same move.

OOM_ORDER: a Redis at ``maxmemory`` (``noeviction``) refuses a script's first write that needs
memory (HSET, ZADD, XADD...) but not the removals before it (ZREM, HDEL), and the script stops
there. So every script makes a write that needs memory before it removes anything: refused, it
has changed nothing, and the post stays where the ledger has it.

Index keys are passed in KEYS in a fixed order (see ``INDEX_ORDER``); post keys reached from an
index inside a batch script are built from the prefix (the ledger runs on one Redis, not a cluster).
"""

from __future__ import annotations

import json

#: Order of the per-campaign sorted sets in KEYS after the four per-post keys.
INDEX_ORDER = ("due", "render", "rendering", "queued", "leases", "doubt")

_COMMON = r"""
-- Every change of a post's state passes here: it is counted, and kept in the campaign's states hash.
local function count(counts, states, id, account, from, to)
  redis.call('HSET', states, id, to)
  if from == to then return end
  if from and from ~= '' then
    redis.call('HINCRBY', counts, from, -1)
    redis.call('HINCRBY', counts, account .. '/' .. from, -1)
  end
  redis.call('HINCRBY', counts, to, 1)
  redis.call('HINCRBY', counts, account .. '/' .. to, 1)
end

-- The same for a loop over many posts: the states at once, the counts summed and written by flush().
local tally = {}
local function count_later(states, id, account, from, to)
  redis.call('HSET', states, id, to)
  if from == to then return end
  for _, field in ipairs({to, account .. '/' .. to}) do tally[field] = (tally[field] or 0) + 1 end
  if from and from ~= '' then
    for _, field in ipairs({from, account .. '/' .. from}) do tally[field] = (tally[field] or 0) - 1 end
  end
end

local function flush(counts)
  for field, n in pairs(tally) do
    if n ~= 0 then redis.call('HINCRBY', counts, field, n) end
  end
  tally = {}
end

local function audit(stream, id, from, to, at, ts, worker, detail)
  redis.call('XADD', stream, 'MAXLEN', '~', 500000, '*', 'post', id, 'from', from or '', 'to', to,
             'at', at, 'ts', ts, 'worker', worker or '', 'detail', detail or '')
end
"""

# KEYS: post, counts, audit, attempts, due, render, rendering, queued, leases, doubt, states, views, wake,
#       wake:real
# ARGV: from-states (comma list; "new" = the post does not exist yet), to-state, ops json,
#       campaign time ISO, real time, worker, detail, campaign id
# ops: {"set": {...}, "del": [...], "zadd": {"due": score}, "zrem": ["render"], "attempt": "json",
#       "expect": {field: value}}  (expect: fields that must still hold these values, else no move)
TRANSITION = _COMMON + r"""
local state = redis.call('HGET', KEYS[1], 'state')
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state or (s == 'new' and not state) then allowed = true end
end
if not allowed then return {0, state or ''} end
local ops = cjson.decode(ARGV[3])
if ops.expect then
  for k, v in pairs(ops.expect) do
    if redis.call('HGET', KEYS[1], k) ~= v then return {0, state} end
  end
end
local index = {due = 5, render = 6, rendering = 7, queued = 8, leases = 9, doubt = 10}
-- The state first: a Redis out of memory refuses this write before any other is made (see OOM_ORDER).
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'state_at', ARGV[4], 'updated', ARGV[5])
if ops.set then
  local flat = {}
  for k, v in pairs(ops.set) do flat[#flat + 1] = k; flat[#flat + 1] = tostring(v) end
  if #flat > 0 then redis.call('HSET', KEYS[1], unpack(flat)) end
end
-- The campaign wakes by the time of the work this move makes (WAKE): an index entry, or a post now ready
local clock = {due = 13, render = 13, rendering = 14, queued = 14, leases = 14, doubt = 14}
if ops.zadd then for name, score in pairs(ops.zadd) do redis.call('ZADD', KEYS[clock[name]], 'LT', score, ARGV[8]) end end
if ARGV[2] == 'rendered' or ARGV[2] == 'approved' then
  local due = redis.call('HGET', KEYS[1], 'due')
  redis.call('ZADD', KEYS[13], 'LT', due or '-inf', ARGV[8])
end
if ops.del then for _, f in ipairs(ops.del) do redis.call('HDEL', KEYS[1], f) end end
local id = redis.call('HGET', KEYS[1], 'id')
if ops.zrem then for _, name in ipairs(ops.zrem) do redis.call('ZREM', KEYS[index[name]], id) end end
if ops.zadd then for name, score in pairs(ops.zadd) do redis.call('ZADD', KEYS[index[name]], score, id) end end
if ops.attempt and ops.attempt ~= '' then redis.call('RPUSH', KEYS[4], ops.attempt) end
if ops.set and ops.set.plan_view then redis.call('HSET', KEYS[12], id, ops.set.plan_view) end
count(KEYS[2], KEYS[11], id, redis.call('HGET', KEYS[1], 'account'), state, ARGV[2])
audit(KEYS[3], id, state, ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return {1, state or ''}
"""

# Move render-due posts to "rendering" under a (real-time) lease; put back expired claims first.
# KEYS: render, rendering, wake, wake:real   ARGV: campaign now, real now, lease until, limit, campaign id
CLAIM_RENDERS = r"""
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
if #expired > 0 then redis.call('ZADD', KEYS[3], 'LT', 0, ARGV[5]) end
for _, id in ipairs(expired) do
  redis.call('ZADD', KEYS[1], 0, id)
  redis.call('ZREM', KEYS[2], id)
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
if #ids > 0 then redis.call('ZADD', KEYS[4], 'LT', ARGV[3], ARGV[5]) end
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[2], ARGV[3], id)
  redis.call('ZREM', KEYS[1], id)
end
return ids
"""

# Due posts: approved (or rendered, without review) -> queued; too late -> missed.
# KEYS: campaign, due, render, rendering, queued, counts, audit, states, wake:real
# ARGV: prefix, campaign now, real now, max lateness (s), limit, campaign now ISO, worker,
#       resend after (s), campaign id
#: Why a post is missed: what its error says (and its audit entry, after "too late: ").
LATE_NOT_READY = "not ready or paused until after its time plus max_lateness"
LATE_WHEN_PLANNED = ("its time plus max_lateness had already passed when the plan was applied, so it was never "
                     "going to be sent (a late post never is); nothing failed")
QUEUE_DUE = _COMMON + f"local LATE_NOT_READY, LATE_WHEN_PLANNED = {json.dumps(LATE_NOT_READY)}, {json.dumps(LATE_WHEN_PLANNED)}\n" + r"""
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'cancelled' then return {{}, {}} end
local review = redis.call('HGET', KEYS[1], 'review_required') == '1'
local now = tonumber(ARGV[2])
local late = tonumber(ARGV[4])
local queued, missed = {}, {}
local items = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[5]))
for i = 1, #items, 2 do
  local id, due = items[i], tonumber(items[i + 1])
  local key = ARGV[1] .. 'post:' .. id
  local fields = redis.call('HMGET', key, 'state', 'account', 'planned_at')
  local state, account = fields[1], fields[2]
  local planned = tonumber(fields[3] or '')
  local to, why = nil, 'due'
  if state ~= 'planned' and state ~= 'rendered' and state ~= 'awaiting_review' and state ~= 'approved' then
    redis.call('ZREM', KEYS[2], id)  -- stale index entry: the post left the pending states
  elseif now > due + late then
    to = 'missed'
    local err = LATE_NOT_READY
    if planned and planned > due + late then err = LATE_WHEN_PLANNED end
    why = 'too late: ' .. err
    redis.call('HSET', key, 'error', err)
    missed[#missed + 1] = id
  elseif status ~= 'paused' and (state == 'approved' or (state == 'rendered' and not review)) then
    to = 'queued'
    queued[#queued + 1] = id
  end
  if to then
    redis.call('HSET', key, 'state', to, 'state_at', ARGV[6], 'updated', ARGV[3])
    if to == 'queued' and #queued == 1 then
      redis.call('ZADD', KEYS[9], 'LT', tonumber(ARGV[3]) + tonumber(ARGV[8]), ARGV[9])
    end
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[4], id)
    if to == 'queued' then redis.call('ZADD', KEYS[5], tonumber(ARGV[3]) + tonumber(ARGV[8]), id) end
    count_later(KEYS[8], id, account, state, to)
    audit(KEYS[7], id, state, to, ARGV[6], ARGV[3], ARGV[7], why)
  end
end
flush(KEYS[6])
return {queued, missed}
"""

# Queued posts whose publish task may have been lost (or whose wait is over): send again.
# KEYS: campaign, queued, wake:real   ARGV: real now, resend after (s), limit, campaign id
RESEND_QUEUED = r"""
if redis.call('HGET', KEYS[1], 'status') == 'paused' then return {} end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
if #ids > 0 then redis.call('ZADD', KEYS[3], 'LT', tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4]) end
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[2]), id) end
return ids
"""

# queued -> publishing under a lease, after the checks that decide whether it may go out at all.
# A post that is not due yet (the clock stepped back after it was queued, or while it waited for a
# retry) goes back to waiting for its time: approved (or rendered) and in the due index again.
# KEYS: post, counts, audit, attempts, campaign, account, queued, leases, due, states, wake, wake:real
# ARGV: campaign now, real now, lease until, worker, campaign now ISO, max lateness (s), end limit,
#       resend after (s), campaign id, blob key prefix
# Returns {outcome, detail[, card image, post fields...]}: claimed (with its card's bytes and the post) |
# skip | early (detail: its due time) | paused | wait | missed | cancelled | failed
CLAIM_PUBLISH = _COMMON + r"""
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' then return {'skip', state or ''} end
local id = redis.call('HGET', KEYS[1], 'id')
local account = redis.call('HGET', KEYS[1], 'account')
local due = tonumber(redis.call('HGET', KEYS[1], 'due'))
local now, real = tonumber(ARGV[1]), tonumber(ARGV[2])
local status = redis.call('HGET', KEYS[5], 'status')
local function leave(to, detail)
  redis.call('HSET', KEYS[1], 'state', to, 'state_at', ARGV[5], 'updated', ARGV[2], 'error', detail)
  redis.call('ZREM', KEYS[7], id)
  count(KEYS[2], KEYS[10], id, account, state, to)
  audit(KEYS[3], id, state, to, ARGV[5], ARGV[2], ARGV[4], detail)
  return {to, detail}
end
if status == 'cancelled' then return leave('cancelled', 'campaign cancelled') end
if now < due then
  local approved = redis.call('HGET', KEYS[1], 'approved_fp')
  local back = (approved and approved ~= '') and 'approved' or 'rendered'
  redis.call('HSET', KEYS[1], 'state', back, 'state_at', ARGV[5], 'updated', ARGV[2])
  redis.call('ZADD', KEYS[11], 'LT', due, ARGV[9])
  redis.call('ZREM', KEYS[7], id)
  redis.call('ZADD', KEYS[9], due, id)
  count(KEYS[2], KEYS[10], id, account, state, back)
  audit(KEYS[3], id, state, back, ARGV[5], ARGV[2], ARGV[4], 'not due yet (the clock is behind its time): waits again')
  return {'early', tostring(due)}
end
if now > due + tonumber(ARGV[6]) then return leave('missed', 'too late: past its time plus max_lateness') end
if now > tonumber(ARGV[7]) then return leave('missed', 'too late: the campaign has ended') end
if status == 'paused' then
  redis.call('ZADD', KEYS[7], real + tonumber(ARGV[8]), id)
  redis.call('ZADD', KEYS[12], 'LT', real + tonumber(ARGV[8]), ARGV[9])
  return {'paused', ''}
end
local blocked = redis.call('HGET', KEYS[6], 'auth_failed')
if blocked then return leave('failed', 'account blocked: ' .. blocked) end
local until_ = tonumber(redis.call('HGET', KEYS[6], 'rate_limited_until') or '0')
if until_ > real then
  redis.call('ZADD', KEYS[7], until_, id)
  redis.call('ZADD', KEYS[12], 'LT', until_, ARGV[9])
  return {'wait', tostring(until_)}
end
redis.call('HSET', KEYS[1], 'state', 'publishing', 'state_at', ARGV[5], 'updated', ARGV[2],
           'lease_until', ARGV[3], 'worker', ARGV[4])
redis.call('ZADD', KEYS[12], 'LT', ARGV[3], ARGV[9])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('ZREM', KEYS[7], id)
redis.call('ZADD', KEYS[8], ARGV[3], id)
count(KEYS[2], KEYS[10], id, account, state, 'publishing')
audit(KEYS[3], id, state, 'publishing', ARGV[5], ARGV[2], ARGV[4], 'claimed')
-- The claimed card's image comes with the claim (one round trip): false when it has none, or it is gone.
local card = redis.call('HGET', KEYS[1], 'card')
local out = {'claimed', '', card and redis.call('GET', ARGV[10] .. card) or false}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out + 1] = v end
return out
"""

# Publishing posts whose lease ran out: the worker died or hung, the outcome is unknown.
# KEYS: leases, doubt, counts, audit, states, wake:real   ARGV: prefix, real now, campaign now ISO, limit,
#       campaign id
REAP_LEASES = _COMMON + r"""
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. 'post:' .. id
  local state = redis.call('HGET', key, 'state')
  local lease = tonumber(redis.call('HGET', key, 'lease_until') or '0')
  if state == 'publishing' and lease <= tonumber(ARGV[2]) then
    local account = redis.call('HGET', key, 'account')
    redis.call('HSET', key, 'state', 'in_doubt', 'state_at', ARGV[3], 'updated', ARGV[2],
               'error', 'the worker lease expired while publishing; the outcome is unknown')
    if #out == 0 then redis.call('ZADD', KEYS[6], 'LT', ARGV[2], ARGV[5]) end
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], ARGV[2], id)
    redis.call('RPUSH', ARGV[1] .. 'attempts:' .. id, cjson.encode({ts = tonumber(ARGV[2]),
      at = ARGV[3], worker = redis.call('HGET', key, 'worker') or '', outcome = 'lease_expired',
      error_class = 'LeaseExpired'}))
    count(KEYS[3], KEYS[5], id, account, state, 'in_doubt')
    audit(KEYS[4], id, state, 'in_doubt', ARGV[3], ARGV[2], 'reaper', 'lease expired')
    out[#out + 1] = id
  else
    redis.call('ZREM', KEYS[1], id)  -- no longer publishing, or its lease was renewed
  end
end
return out
"""

# In-doubt posts due for a reconciliation look-up; each is handed out once per interval.
# KEYS: doubt, wake:real   ARGV: real now, again after (s), limit, campaign id
DUE_DOUBTS = r"""
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
if #ids > 0 then redis.call('ZADD', KEYS[2], 'LT', tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4]) end
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id) end
return ids
"""

# An account's rate-limit budget as the platform last reported it; a hold keeps the later of two.
# KEYS: account   ARGV: budget fields json ({} for none), hold until (epoch, wall clock; "" for none)
NOTE_BUDGET = r"""
local fields = cjson.decode(ARGV[1])
local flat = {}
for k, v in pairs(fields) do flat[#flat + 1] = k; flat[#flat + 1] = tostring(v) end
if #flat > 0 then redis.call('HSET', KEYS[1], unpack(flat)) end
if ARGV[2] ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[1], 'rate_limited_until') or '0') or 0
  if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], 'rate_limited_until', ARGV[2]) end
end
return 1
"""

# A cached card, only while its blob is still stored (one round trip instead of two).
# KEYS: rcache entry   ARGV: the blob key prefix ("<prefix>blob:")
CACHED_CARD = r"""
local h = redis.call('HGETALL', KEYS[1])
for i = 1, #h, 2 do
  if h[i] == 'card' and redis.call('EXISTS', ARGV[1] .. h[i + 1]) == 0 then return {} end
end
return h
"""

# Some fields of many posts, read in one step (re-planning compares posts without reading them whole).
# KEYS: none (post keys are built from the prefix)   ARGV: prefix, n, n field names, post ids...
# Returns the n values of each post in turn (nil: absent).
POST_FIELDS = r"""
local n = tonumber(ARGV[2])
local names = {}
for i = 1, n do names[i] = ARGV[2 + i] end
local out = {}
for i = 3 + n, #ARGV do
  local values = redis.call('HMGET', ARGV[1] .. 'post:' .. ARGV[i], unpack(names))
  for j = 1, n do out[#out + 1] = values[j] end
end
return out
"""


def for_many(body: str) -> str:
    """The script ``body`` (written for one campaign's KEYS and ARGV) run for many campaigns in one
    step: ARGV[1] and ARGV[2] say how many keys and arguments each run takes, then come the runs'
    keys (in KEYS) and arguments in order; the reply is each run's reply, in order."""
    return "local function one(KEYS, ARGV)\n" + body + r"""
end
local nk, na = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for run = 0, #KEYS / nk - 1 do
  local keys, args = {}, {}
  for i = 1, nk do keys[i] = KEYS[run * nk + i] end
  for i = 1, na do args[i] = ARGV[2 + run * na + i] end
  out[#out + 1] = one(keys, args)
end
return out
"""


CLAIM_RENDERS_MANY = for_many(CLAIM_RENDERS)
QUEUE_DUE_MANY = for_many(QUEUE_DUE)
RESEND_QUEUED_MANY = for_many(RESEND_QUEUED)
REAP_LEASES_MANY = for_many(REAP_LEASES)
DUE_DOUBTS_MANY = for_many(DUE_DOUBTS)

# The same fields of many hashes (the tick reads every campaign's status, definition and plan signature).
# KEYS: hashes   ARGV: field names   Returns each hash's values in turn (nil: absent).
HASH_FIELDS = r"""
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(ARGV)) end
return out
"""
