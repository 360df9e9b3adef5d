"""Every state change of one post, as a named operation.

Each operation is one run of the ``TRANSITION`` script: it checks the state the post leaves (the
states each operation may leave are :data:`~campaign.ledger.states.LEAVES`), changes the post's
fields and index entries, counts, and appends to the campaign's audit stream, all at once or not
at all; it returns whether the post moved. An operation that must see the post unchanged since it
was read (its card, its plan, its in-doubt episode) also checks those fields in the same step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import redis

from .keys import Call, LedgerBase, UnknownPost, chunks, epoch, iso
from .record import CARD_FIELDS, ERROR_FIELDS, CardRef, PostRecord, encode
from .states import (APPROVED, AWAITING_REVIEW, CANCELLED, EXPIRED, FAILED, IN_DOUBT, LEAVES, PLANNED, POSTED,
                     QUEUED, RENDERED)


class Claim(NamedTuple):
    """What :meth:`PostMoves.claim_publish` says: the outcome, its detail and, when claimed, the post and
    its card's bytes (None: it has no card, or its image is no longer stored)."""

    outcome: str
    detail: str
    post: PostRecord | None
    image: bytes | None


#: The indexes a withdrawn or cancelled post leaves.
_STOP_ZREM = ("due", "render", "rendering", "queued")
#: What an in-doubt post's error said (that it may be out): dropped once it is known not to be.
DOUBT_FIELDS = ("error", "error_class")


class PostMoves(LedgerBase):
    """The named state changes of a post (mixed into :class:`~campaign.ledger.Ledger`)."""

    def _move(self, post_id: str, leaves: Iterable[str], to: str, *, at: datetime, worker: str, detail: str,
              fields: Mapping[str, str] | None = None, delete: Iterable[str] = (),
              zadd: Mapping[str, float] | None = None, zrem: Iterable[str] = (),
              attempt: Mapping[str, Any] | None = None, expect: Mapping[str, str] | None = None,
              pipe: redis.client.Pipeline | None = None) -> bool:
        """Move one post from one of ``leaves`` (``"new"``: it does not exist yet) to ``to``, or not at all.

        ``fields``/``delete`` change its hash (encoded by :mod:`.record`), ``zadd``/``zrem`` its index
        entries, ``attempt`` is appended to its attempts; ``expect``: fields that must still hold these
        values. With ``pipe`` the move is queued on the pipeline (the result is then False)."""
        _, keys, args = self._move_call(post_id, leaves, to, at=at, worker=worker, detail=detail, fields=fields,
                                        delete=delete, zadd=zadd, zrem=zrem, attempt=attempt, expect=expect)
        result = self._scripts["TRANSITION"](keys=keys, args=args, client=pipe or self.r)
        return pipe is None and bool(result[0])

    def _move_call(self, post_id: str, leaves: Iterable[str], to: str, *, at: datetime, worker: str, detail: str,
                   fields: Mapping[str, str] | None = None, delete: Iterable[str] = (),
                   zadd: Mapping[str, float] | None = None, zrem: Iterable[str] = (),
                   attempt: Mapping[str, Any] | None = None, expect: Mapping[str, str] | None = None) -> Call:
        """The ``TRANSITION`` run of :meth:`_move` (for :meth:`run_scripts`)."""
        ops: dict[str, Any] = {"del": list(delete), "zrem": list(zrem)}
        for name, value in (("set", fields), ("zadd", zadd), ("expect", expect)):
            if value:  # cjson turns {} into [], which the script would misread
                ops[name] = dict(value)
        if attempt:
            ops["attempt"] = json.dumps({"ts": time.time(), "at": iso(at), "worker": worker, **attempt})
        cid = self.campaign_of(post_id)
        keys = [self.post_key(post_id), self.key("counts", cid), self.key("audit", cid),
                self.key("attempts", post_id), *self.index_keys(cid), self.key("states", cid), self.key("views", cid),
                *self.wake_keys()[:2]]
        args = [",".join(leaves), to, json.dumps(ops), iso(at), repr(time.time()), worker, detail, cid]
        return "TRANSITION", keys, args

    def _moves(self, calls: Iterable[Call]) -> list[bool]:
        """Many moves sent together (1,000 a round trip); each is still one atomic move. Whether each moved."""
        moved: list[bool] = []
        for chunk in chunks(list(calls), 1000):
            moved += [bool(reply[0]) for reply in self.run_scripts(chunk)]
        return moved

    # --- planning ------------------------------------------------------------------------------

    def create_posts(self, records: Iterable[PostRecord], *, at: datetime, worker: str = "") -> None:
        """Add new posts in state planned, each into the timeline, due and render indexes.
        Posts that already exist are left alone (a replayed apply adds nothing)."""
        for chunk in chunks(list(records), 1000):
            pipe = self.r.pipeline(transaction=False)
            for rec in chunk:
                self._move(rec.id, ("new",), PLANNED, at=at, worker=worker, detail="planned",
                           fields={**rec.plan_fields(), **encode(planned_at=epoch(at))},
                           zadd={"due": rec.due, "render": rec.render_at}, pipe=pipe)
                pipe.zadd(self.key("posts", rec.slot.campaign), {rec.id: rec.due}, nx=True)
            pipe.execute()

    def replan(self, record: PostRecord, *, at: datetime, worker: str, detail: str) -> bool:
        """A pending (or withdrawn) post takes its new slot and goes back to planned: its card, caption
        and approval are dropped, and it is rendered again at its render time."""
        return self.replan_all([(record, detail)], at=at, worker=worker)[0]

    def replan_all(self, moves: Iterable[tuple[PostRecord, str]], *, at: datetime, worker: str) -> list[bool]:
        """:meth:`replan` of many posts (each with its audit detail), sent together; whether each moved."""
        return self._moves(self._move_call(record.id, LEAVES["replan"], PLANNED, at=at, worker=worker, detail=detail,
                                           fields={**record.plan_fields(), **encode(planned_at=epoch(at))},
                                           delete=CARD_FIELDS,
                                           zadd={"due": record.due, "render": record.render_at},
                                           zrem=["queued", "rendering"])
                           for record, detail in moves)

    def keep_card(self, old: PostRecord, new: PostRecord, *, approved: bool, at: datetime, worker: str,
                  detail: str) -> bool:
        """A carded post (``old``, as read) takes its new slot but keeps its card, caption and approval,
        as long as they are still the ones read. A queued post whose time moved waits again for its new
        time (approved if ``approved``, else rendered)."""
        if old.state not in LEAVES["keep_card"]:
            return False
        to, zadd, zrem = old.state, {"due": new.due}, []
        if old.state == QUEUED:
            if old.due == new.due:
                zadd = {}
            else:
                to, zrem = (APPROVED if approved else RENDERED), ["queued"]
        return self._move(old.id, (old.state,), to, at=at, worker=worker, detail=detail,
                          fields={**new.plan_fields(), **encode(rendered_fp=new.plan_fp)}, zadd=zadd, zrem=zrem,
                          expect=encode(shown_fp=old.shown_fp))

    def withdraw(self, post_id: str, *, at: datetime, worker: str, detail: str) -> bool:
        """A pending post whose slot left the plan is withdrawn (``expired``)."""
        return self.withdraw_all([(post_id, detail)], at=at, worker=worker)[0]

    def withdraw_all(self, moves: Iterable[tuple[str, str]], *, at: datetime, worker: str) -> list[bool]:
        """:meth:`withdraw` of many posts (each with its audit detail), sent together; whether each moved."""
        return self._moves(self._move_call(post_id, LEAVES["withdraw"], EXPIRED, at=at, worker=worker, detail=detail,
                                           zrem=_STOP_ZREM) for post_id, detail in moves)

    def cancel(self, post_id: str, *, at: datetime, worker: str, detail: str = "campaign cancelled") -> bool:
        """A pending post of a cancelled campaign is cancelled."""
        return self._stop(post_id, "cancel", CANCELLED, at=at, worker=worker, detail=detail)

    def _stop(self, post_id: str, op: str, to: str, *, at: datetime, worker: str, detail: str) -> bool:
        return self._move(post_id, LEAVES[op], to, at=at, worker=worker, detail=detail, zrem=_STOP_ZREM)

    # --- rendering and review ----------------------------------------------------------------------

    def record_rendered(self, post: PostRecord, card: CardRef, caption: str, *, shown_fp: str, review: bool,
                        at: datetime, worker: str, seconds: float | None = None, draw_seconds: float | None = None,
                        image: bytes | None = None, cache_key: str | None = None,
                        held: Sequence[str] = ()) -> str | None:
        """A planned post (``post``, as read) gets its card and caption, made on the facts it was planned
        on (in ``seconds``; ``draw_seconds``: the CPU time drawing the card took, when measured); it then awaits
        review (``review``, or ``held``: why a person must look first, kept among its warnings) or is rendered.
        Returns its new state (None: refused, or re-planned meanwhile).
        ``image``: the card was just drawn; its bytes are stored (and, with ``cache_key``, the card kept in
        the render cache) in the same step, before the move: one round trip for all three."""
        to = AWAITING_REVIEW if review or held else RENDERED
        fields = {**card.to_fields(), **encode(caption=caption, shown_fp=shown_fp, rendered_fp=post.plan_fp,
                                               rendered_at=time.time(), render_seconds=seconds,
                                               draw_seconds=draw_seconds)}
        if held:  # the post's own, never the render cache's (another post may share the card)
            fields.update(encode(warnings=(*card.warnings, *held)))
        detail = "card rendered" + (f"; held for a person: {held[0]}" if held else "")
        call = self._move_call(post.id, LEAVES["record_rendered"], to, at=at, worker=worker, detail=detail,
                               fields=fields, expect=encode(plan_fp=post.plan_fp), zrem=["render", "rendering"])
        if image is None:
            moved = self.run_scripts([call])[0]
        else:
            moved = self.run_after(lambda pipe: self.queue_card(pipe, card, image, cache_key), call)
        return to if moved[0] else None

    def queue_card(self, pipe: redis.client.Pipeline, card: CardRef, image: bytes | None,
                   cache_key: str | None) -> None:
        """Queue on ``pipe`` the storing of a card: with ``image`` (just drawn), its bytes under their sha256
        (``card.card``; once), and with ``cache_key`` its render-cache entry (after the bytes, which it names)."""
        if image is not None:
            pipe.set(self.key("blob", card.card), image, nx=True)
        if cache_key is not None:
            pipe.hset(self.key("rcache", cache_key), mapping=card.to_fields())

    def record_render_failed(self, post_id: str, error: BaseException, *, at: datetime, worker: str) -> bool:
        """A planned post whose card or caption cannot be made fails (shown to people, never sent)."""
        return self._failed(post_id, "record_render_failed", FAILED, error, "render_failed", at=at, worker=worker,
                            detail=f"render failed: {error}", zrem=["due", "render", "rendering"])

    def approve(self, post: PostRecord, *, by: str, at: datetime) -> bool:
        """A person approves the card and caption of a post awaiting review (``post``, as read): the
        approval is of exactly these (``shown_fp``), so it fails if they changed meanwhile."""
        return self._move(post.id, LEAVES["approve"], APPROVED, at=at, worker=by, detail="approved",
                          fields=encode(approved_fp=post.shown_fp or "", approved_at=at, approved_by=by),
                          expect=encode(shown_fp=post.shown_fp or None))

    def retry(self, post: PostRecord, *, at: datetime, worker: str, detail: str) -> bool:
        """A person sends a failed, missed, cancelled or withdrawn post round again: planned, rendered
        at the next tick, then queued at its time."""
        return self._back_to_planned(post, "retry", at=at, worker=worker, detail=detail,
                                     delete=CARD_FIELDS + ERROR_FIELDS)

    def retry_approved(self, post: PostRecord, *, rendered_fp: str, at: datetime, worker: str, detail: str) -> bool:
        """A person sends a post round again whose approved card and caption still hold (``post``, as
        read): approved again with them, its people's facts now ``rendered_fp``."""
        return self._move(post.id, LEAVES["retry_approved"], APPROVED, at=at, worker=worker, detail=detail,
                          fields=encode(rendered_fp=rendered_fp), delete=ERROR_FIELDS, zadd={"due": post.due},
                          expect=encode(shown_fp=post.shown_fp))

    def record_stale(self, post: PostRecord, *, at: datetime, worker: str, detail: str) -> bool:
        """A claimed post whose people's facts changed since its card was made is not sent: back to
        planned, rendered again."""
        return self._back_to_planned(post, "record_stale", at=at, worker=worker, detail=detail, delete=CARD_FIELDS,
                                     zrem=["leases"])

    def _back_to_planned(self, post: PostRecord, op: str, *, at: datetime, worker: str, detail: str,
                         delete: Iterable[str], zrem: Iterable[str] = ()) -> bool:
        return self._move(post.id, LEAVES[op], PLANNED, at=at, worker=worker, detail=detail, delete=delete,
                          zadd={"due": post.due, "render": 0.0}, zrem=zrem)

    # --- publishing ---------------------------------------------------------------------------------

    def claim_publish(self, post_id: str, now: datetime, *, lease: float, max_lateness: float, end_limit: float,
                      resend_after: float, worker: str = "") -> Claim:
        """Claim a queued post for publishing (``claimed``, with the post and its card's bytes) or say why
        not: ``skip`` (not queued), ``early`` (not due yet: back to waiting for its time, detail), ``paused``,
        ``wait`` (rate limited until detail), ``missed``, ``cancelled``, ``failed`` (account blocked).
        A post never goes out before its due time, whatever the clock did since it was queued."""
        cid, account = self.campaign_of(post_id), self.account_of(post_id)
        real = time.time()
        keys = [self.post_key(post_id), self.key("counts", cid), self.key("audit", cid),
                self.key("attempts", post_id), self.key("c", cid), self.key("account", cid, account),
                self.key("queued", cid), self.key("leases", cid), self.key("due", cid), self.key("states", cid),
                *self.wake_keys()[:2]]
        reply = self._scripts["CLAIM_PUBLISH"](
            keys=keys, args=[epoch(now), repr(real), repr(real + lease), worker, iso(now), max_lateness, end_limit,
                             resend_after, cid, self.key("blob", "")])
        outcome, detail = reply[0].decode(), reply[1].decode()
        if outcome == "skip" and not detail and not self.r.exists(self.post_key(post_id)):
            raise UnknownPost(post_id)
        if outcome != "claimed":
            return Claim(outcome, detail, None, None)
        flat = reply[3:]
        fields = {flat[i].decode(): flat[i + 1].decode() for i in range(0, len(flat), 2)}
        return Claim(outcome, detail, PostRecord.from_fields(fields), reply[2])

    def record_posted(self, post_id: str, remote_id: str, url: str, *, at: datetime, worker: str,
                      detail: str = "posted") -> bool:
        """The worker that sent the post records it as out, with its remote id, at once (also from
        in_doubt: a slow worker whose lease ran out still knows best that its post went out)."""
        return self._posted(post_id, "record_posted", remote_id, url, at=at, worker=worker, detail=detail)

    def confirm_posted(self, post_id: str, remote_id: str, url: str, *, at: datetime, worker: str,
                       detail: str, posted_at: datetime | None = None) -> bool:
        """An in-doubt post is out after all: found on its platform, or a person says so (``at``);
        ``posted_at``: when it went out, as far as is known (default ``at``)."""
        return self._posted(post_id, "confirm_posted", remote_id, url, at=at, worker=worker, detail=detail,
                            posted_at=posted_at)

    def _posted(self, post_id: str, op: str, remote_id: str, url: str, *, at: datetime, worker: str,
                detail: str, posted_at: datetime | None = None) -> bool:
        return self._move(post_id, LEAVES[op], POSTED, at=at, worker=worker, detail=detail,
                          fields=encode(remote_id=remote_id, url=url, posted_at=posted_at or at),
                          delete=("error", "error_class", "lease_until", "waiting_until"), zrem=["leases", "doubt"],
                          attempt={"outcome": "posted", "error_class": "", "remote_id": remote_id})

    def record_failed(self, post_id: str, error: BaseException, *, outcome: str, at: datetime, worker: str) -> bool:
        """A claimed post failed for good (``outcome``: failed, auth_failed, rejected)."""
        return self._failed(post_id, "record_failed", FAILED, error, outcome, at=at, worker=worker, zrem=["leases"])

    def requeue(self, post_id: str, error: BaseException, *, outcome: str, until: float, at: datetime,
                worker: str) -> bool:
        """A claimed post goes back to queued, sent again at ``until`` (wall clock; ``outcome``:
        rate_limited, retry)."""
        return self._failed(post_id, "requeue", QUEUED, error, outcome, at=at, worker=worker, zrem=["leases"],
                            zadd={"queued": until}, waiting_until=until)

    def mark_in_doubt(self, post_id: str, error: BaseException, *, at: datetime, worker: str) -> bool:
        """A claimed post may or may not be out (the platform did not answer): in doubt, looked up
        on its platform, never sent again blindly."""
        return self._failed(post_id, "mark_in_doubt", IN_DOUBT, error, "in_doubt", at=at, worker=worker,
                            zrem=["leases"], zadd={"doubt": time.time()})

    def _failed(self, post_id: str, op: str, to: str, error: BaseException, outcome: str, *, at: datetime,
                worker: str, zrem: Iterable[str], detail: str | None = None, zadd: Mapping[str, float] | None = None,
                waiting_until: float | None = None) -> bool:
        kind = type(error).__name__
        return self._move(post_id, LEAVES[op], to, at=at, worker=worker, detail=detail or f"{outcome}: {error}",
                          fields=encode(error=str(error), error_class=kind, waiting_until=waiting_until),
                          zadd=zadd, zrem=zrem, attempt={"outcome": outcome, "error_class": kind, "error": str(error)})

    def note_waiting(self, post_id: str, until: float) -> None:
        """Note on a queued post when its account's wait is over (no state change)."""
        self.r.hset(self.post_key(post_id), mapping=encode(waiting_until=until))

    # --- in doubt -----------------------------------------------------------------------------------

    def hold_in_doubt(self, post: PostRecord, *, why: str, at: datetime, worker: str) -> bool:
        """An in-doubt post (``post``, as read in this episode) is no longer looked up: a person decides."""
        return self._move(post.id, LEAVES["hold_in_doubt"], IN_DOUBT, at=at, worker=worker,
                          detail=f"held for a person: {why}", zrem=["doubt"], expect=encode(attempts=post.attempts),
                          fields=encode(error=f"{post.error or 'outcome unknown'}; {why}"))

    def requeue_in_doubt(self, post: PostRecord, *, at: datetime, worker: str, detail: str) -> bool:
        """An in-doubt post certainly not on its platform (``post``, as read in this episode: a look-up
        racing this one cannot move it again) is queued again; its ``requeues`` count grows."""
        return self._move(post.id, LEAVES["requeue_in_doubt"], QUEUED, at=at, worker=worker, detail=detail,
                          fields=encode(requeues=(post.requeues or 0) + 1), zrem=["doubt"], delete=DOUBT_FIELDS,
                          zadd={"queued": time.time()}, expect=encode(attempts=post.attempts))

    def resolve_not_posted(self, post_id: str, *, at: datetime, worker: str) -> bool:
        """A person says an in-doubt post is not out: queued again. Its error (that it may be out) is no
        longer true, and goes (its attempts keep it)."""
        return self._move(post_id, LEAVES["resolve_not_posted"], QUEUED, at=at, worker=worker,
                          detail="resolved by a person: not posted", zrem=["doubt"], zadd={"queued": time.time()},
                          delete=DOUBT_FIELDS)

    def note_lookup_failed(self, post_id: str, error: str) -> None:
        """Note when a look-up on the platform last failed, and why (no state change)."""
        self.r.hset(self.post_key(post_id), mapping=encode(looked_up=time.time(), error=error))
