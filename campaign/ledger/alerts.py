"""The alerts' keys: incidents noted once, each channel's pending incidents, what was sent, and how
each channel fares (``campaign.alerts`` decides what an incident is and sends it).

    P alerts:cursor:<cid>             string  the last audit entry scanned for incidents
    P alert:<cid>:<channel>:<key>     string  one incident for one channel (JSON), set once (SET NX)
    P alerts:pending:<cid>:<channel>  zset    incident keys not sent yet, by when they may go (wall clock)
    P alerts:marks:<cid>              hash    <post>|<event> -> the incident that opened an episode
    P alertchan:<cid>:<channel>       hash    ref, service, sent, failed, last_ok_at, last_error(_at), failing
    P alertlog:<cid>                  stream  every send: channel, ref, outcome, events, incidents, title, error
    P alerts:turn                     string  an alerts task is on its way (the tick sends one at a time)

Noting an incident and queueing it is one script, so two workers scanning the same audit entries
queue it once; taking a channel's pending incidents is one script, so two workers never send the
same ones. Nothing here ever holds a channel's URL: a channel is named by its reference
(``env:NAME``) and an id made from it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .keys import LedgerBase, text
from .states import AWAITING_REVIEW

#: How long an incident is remembered (so that it is never noted twice), seconds.
INCIDENT_TTL = 400 * 86400
_LOG_MAXLEN = 10000

# KEYS: incident, pending   ARGV: incident JSON, not before (epoch), ttl (s), member
_NOTE = r"""
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[3])) then
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[4])
  return 1
end
return 0
"""

# Everything pending for a channel, once its first incident may go; nothing otherwise.
# KEYS: pending   ARGV: now (epoch), incident key prefix (member appended)
_TAKE = r"""
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 or tonumber(first[2]) > tonumber(ARGV[1]) then return {} end
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
local out = {}
for _, m in ipairs(members) do
  out[#out + 1] = m
  out[#out + 1] = redis.call('GET', ARGV[2] .. m) or ''
end
return out
"""

# Move the scan cursor forward only (two scanners at once never move it back): the end of _SCANNED.
# KEYS: cursor   ARGV: stream id
_ADVANCE = r"""
local function parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local cur = redis.call('GET', KEYS[1])
if cur then
  local cm, cs = parts(cur)
  local nm, ns = parts(ARGV[1])
  if nm < cm or (nm == cm and ns <= cs) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

# The end of a scan: close the episodes its entries ended, then move the cursor past them (as _ADVANCE).
# KEYS: cursor, marks   ARGV: stream id, mark fields to delete...
_SCANNED = r"""
if #ARGV > 1 then redis.call('HDEL', KEYS[2], unpack(ARGV, 2)) end
""" + _ADVANCE

# The cursor and the audit entries after it (from the start without one), oldest first.
# KEYS: cursor, audit stream   ARGV: count
_SINCE = r"""
local cur = redis.call('GET', KEYS[1])
local start = '-'
if cur then start = '(' .. cur end
return {cur or false, redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', tonumber(ARGV[1]))}
"""

# The posts due by a time (at most ARGV[3] of them, earliest first) that await review.
# KEYS: due index   ARGV: until (epoch), post key prefix, limit, state
_AWAITING = r"""
local out = {}
for _, pid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))) do
  if redis.call('HGET', ARGV[2] .. pid, 'state') == ARGV[4] then out[#out + 1] = pid end
end
return out
"""


class AlertMoves(LedgerBase):
    """Incidents, pending alerts and channel health (mixed into the Ledger)."""

    def _alert_script(self, name: str, source: str) -> Any:
        if name not in self._scripts:
            self._scripts[name] = self.r.register_script(source)
        return self._scripts[name]

    def _incident_prefix(self, cid: str, channel: str) -> str:
        return self.key("alert", cid, channel) + ":"

    # --- scanning the audit stream -----------------------------------------------------------

    def audit_after(self, cid: str, after: str | None, count: int = 1000) -> list[dict[str, str]]:
        """Audit entries after ``after`` (a stream id; None: from the start), oldest first."""
        start = "-" if after is None else "(" + after
        rows = self.r.xrange(self.key("audit", cid), min=start, count=count)
        return [{"id": rid.decode(), **text(fields)} for rid, fields in rows]

    def iter_audit_back(self, cid: str, page: int = 500) -> Iterator[dict[str, str]]:
        """The campaign's audit entries, newest first (stop reading when far enough back)."""
        key, end = self.key("audit", cid), "+"
        while True:
            rows = self.r.xrevrange(key, max=end, count=page)
            for rid, fields in rows:
                yield {"id": rid.decode(), **text(fields)}
            if len(rows) < page:
                return
            end = "(" + rows[-1][0].decode()

    def audit_since_cursor(self, cid: str, count: int = 1000) -> tuple[str | None, list[dict[str, str]]]:
        """The scan cursor and the audit entries after it (all from the start without one), oldest first,
        in one round trip."""
        cursor, rows = self._alert_script("ALERT_SINCE", _SINCE)(
            keys=[self.key("alerts", "cursor", cid), self.key("audit", cid)], args=[count])
        entries = [{"id": rid.decode(), **text(dict(zip(flat[::2], flat[1::2])))} for rid, flat in rows]
        return (cursor.decode() if cursor is not None else None), entries

    def scanned(self, cid: str, entry_id: str, closes: Iterable[tuple[str, str]] = ()) -> bool:
        """The end of a scan up to ``entry_id``: close the episodes ``closes`` (post id, event), then
        move the cursor forward to ``entry_id`` (never back), in one round trip; whether it moved."""
        fields = [f"{post_id}|{event}" for post_id, event in closes]
        return bool(self._alert_script("ALERT_SCANNED", _SCANNED)(
            keys=[self.key("alerts", "cursor", cid), self.key("alerts", "marks", cid)], args=[entry_id, *fields]))

    def open_episode(self, cid: str, post_id: str, event: str, incident: str) -> bool:
        """Mark ``event`` open for the post (its first incident); False if it was already open."""
        return bool(self.r.hsetnx(self.key("alerts", "marks", cid), f"{post_id}|{event}", incident))

    def close_episodes_of(self, cid: str, closes: Iterable[tuple[str, str]]) -> None:
        """Close these episodes (post id, event), in one round trip."""
        fields = [f"{post_id}|{event}" for post_id, event in closes]
        if fields:
            self.r.hdel(self.key("alerts", "marks", cid), *fields)

    # --- incidents ----------------------------------------------------------------------------

    def note_incident(self, cid: str, channel: str, key: str, incident: Mapping[str, Any], not_before: float) -> bool:
        """Note an incident for a channel and queue it, once: False if it was noted before."""
        keys = [self._incident_prefix(cid, channel) + key, self.key("alerts", "pending", cid, channel)]
        args = [json.dumps(dict(incident), ensure_ascii=False), repr(not_before), INCIDENT_TTL, key]
        return bool(self._alert_script("ALERT_NOTE", _NOTE)(keys=keys, args=args))

    def awaiting_review_by(self, cid: str, until: float, limit: int) -> list[str]:
        """The ids of the posts due by ``until`` (of the first ``limit`` by due time) that await review,
        in one round trip."""
        found = self._alert_script("ALERT_AWAITING", _AWAITING)(
            keys=[self.key("due", cid)], args=[repr(until), self.key("post", ""), limit, AWAITING_REVIEW])
        return [pid.decode() for pid in found]

    def incident_noted(self, cid: str, channel: str, key: str) -> bool:
        return bool(self.r.exists(self._incident_prefix(cid, channel) + key))

    def take_alerts(self, cid: str, channel: str, now: float | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every incident pending for the channel, taken (no other worker gets them), once the first
        of them may go; [] otherwise."""
        flat = self._alert_script("ALERT_TAKE", _TAKE)(
            keys=[self.key("alerts", "pending", cid, channel)],
            args=[repr(time.time() if now is None else now), self._incident_prefix(cid, channel)])
        out = []
        for i in range(0, len(flat), 2):
            data = flat[i + 1].decode()
            if data:  # an incident past its TTL is forgotten
                out.append((flat[i].decode(), json.loads(data)))
        return out

    def put_back_alerts(self, cid: str, channel: str, items: Iterable[tuple[str, Mapping[str, Any]]],
                        not_before: float) -> None:
        """Queue taken incidents again (their send failed), updated, to go at ``not_before``."""
        pipe = self.r.pipeline(transaction=True)
        for key, incident in items:
            pipe.set(self._incident_prefix(cid, channel) + key, json.dumps(dict(incident), ensure_ascii=False),
                     ex=INCIDENT_TTL)
            pipe.zadd(self.key("alerts", "pending", cid, channel), {key: not_before})
        pipe.execute()

    def pending_alerts(self, cid: str, channel: str) -> int:
        return int(self.r.zcard(self.key("alerts", "pending", cid, channel)))

    # --- what was sent, and how each channel fares ---------------------------------------------

    def note_alert_sent(self, cid: str, channel: str, *, ref: str, service: str, outcome: str, events: Iterable[str],
                        incidents: int, title: str, error: str = "", at: str = "") -> None:
        """Record one send (``outcome``: sent, failed, dropped) on the channel and in the alert log.
        ``error`` names references and services only, never a URL."""
        now = repr(time.time())
        key = self.key("alertchan", cid, channel)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(key, mapping={"ref": ref, **({"service": service} if service else {})})  # kept when unread
        if outcome == "sent":
            pipe.hset(key, mapping={"last_ok_at": now, "failing": "0"})
            pipe.hincrby(key, "sent", 1)
        else:
            pipe.hset(key, mapping={"last_error": error, "last_error_at": now})
            if outcome == "failed":
                pipe.hincrby(key, "failed", 1)
                pipe.hincrby(key, "failing", 1)
        pipe.xadd(self.key("alertlog", cid), {"channel": channel, "ref": ref, "service": service, "outcome": outcome,
                                             "events": ",".join(dict.fromkeys(events)), "incidents": str(incidents),
                                             "title": title, "error": error, "at": at, "ts": now},
                  maxlen=_LOG_MAXLEN, approximate=True)
        pipe.execute()

    def alert_channel_state(self, cid: str, channel: str) -> dict[str, str]:
        return text(self.r.hgetall(self.key("alertchan", cid, channel)))

    def alert_log(self, cid: str, count: int = 100) -> list[dict[str, str]]:
        """The latest sends to the campaign's alert channels, newest first."""
        return [{"id": rid.decode(), **text(fields)}
                for rid, fields in self.r.xrevrange(self.key("alertlog", cid), count=count)]

    # --- the tick's turn ------------------------------------------------------------------------

    def claim_alerts_turn(self, ttl: float) -> bool:
        """Whether this tick sends the alerts task (none is on its way; ``ttl``: how long one may be)."""
        return bool(self.r.set(self.key("alerts", "turn"), "1", nx=True, px=int(ttl * 1000)))

    def release_alerts_turn(self) -> None:
        """The alerts task has started: the next tick may send another."""
        self.r.delete(self.key("alerts", "turn"))


__all__ = ["AlertMoves", "INCIDENT_TTL"]
