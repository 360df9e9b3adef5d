"""The History page's data: a campaign's audit stream, newest first, filtered by post, account,
person and kind of event, one page at a time.

A page is read with XREVRANGE and a count (:meth:`Ledger.audit` with ``before``), chunk by chunk
from the cursor until the page is full or :data:`MAX_SCAN` entries were looked at; the next page
starts where this one stopped (``next_before``), so a four-month campaign's stream stays fast to
page through whatever the filters. Only the posts named in the chunk read are fetched (for their
account and people).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..ledger import Ledger
from ..ledger.states import STATES
from ..pipeline.applied import Applied, load_applied
from .detail import AuditEntry, _audit

PAGE_SIZE = 50
CHUNK = 500
MAX_SCAN = 20_000  # entries looked at for one page; a filter that matches none of them ends the page there

#: Kinds of event (the entry's ``to``): post states, an account's block, a campaign's status.
KINDS: tuple[str, ...] = (*STATES, "blocked", "unblocked", "active", "paused")


class HistoryEntry(AuditEntry):
    post: str = ""
    account: str = ""
    people: list[str] = Field(default_factory=list)


class HistoryFilters(BaseModel):
    post: str | None = None
    account: str | None = None
    person: str | None = None
    kind: str | None = None


class HistoryPage(BaseModel):
    campaign: str
    name: str = ""
    filters: HistoryFilters
    entries: list[HistoryEntry] = Field(description="newest first")
    next_before: str | None = Field(None, description="the cursor of the next (older) page; None: this is the last")
    scanned: int = Field(description="entries looked at for this page")
    accounts: list[str] = Field(description="the campaign's accounts (what the account filter may be)")
    people: dict[str, str] = Field(description="the roster's person ids and names (what the person filter may be)")


def check_filters(applied: Applied, f: HistoryFilters) -> None:
    """An unknown account, person or kind is a ValueError saying which there are."""
    c = applied.campaign
    accounts = [a.id for a in c.accounts]
    if f.account is not None and f.account not in accounts:
        raise ValueError(f"account: {c.id} has no account {f.account!r} (its accounts: {', '.join(accounts)})")
    people = [p.id for p in applied.roster.people]
    if f.person is not None and f.person not in people:
        raise ValueError(f"person: {c.id}'s roster has no {f.person!r} (its people: {', '.join(people)})")
    if f.kind is not None and f.kind not in KINDS:
        raise ValueError(f"kind: {f.kind!r} is not a kind of event; the kinds are {', '.join(KINDS)}")


def _matches(entry: HistoryEntry, f: HistoryFilters) -> bool:
    return ((f.post is None or entry.post == f.post) and (f.account is None or entry.account == f.account)
            and (f.person is None or f.person in entry.people) and (f.kind is None or entry.to == f.kind))


def _is_entry_id(text: str) -> bool:
    """Whether ``text`` can be an audit entry id, ``MS`` or ``MS-SEQ``: digits Redis takes, each part
    at most 2**64 - 1 (a longer one is refused by Redis itself, which is no reason to say it is down)."""
    ms, dash, seq = text.partition("-")
    parts = (ms, seq) if dash else (ms,)
    return all(part.isascii() and part.isdigit() and int(part) < 2**64 for part in parts)


def history_page(ledger: Ledger, cid: str, filters: HistoryFilters, *, before: str | None = None,
                 size: int = PAGE_SIZE, max_scan: int = MAX_SCAN) -> HistoryPage:
    """One page of the campaign's audit stream, newest first, older than ``before`` (an entry id);
    raises UnknownCampaign, or ValueError for an unknown filter value."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    check_filters(applied, filters)
    if before is not None and not _is_entry_id(before):
        raise ValueError(f"before: {before!r} is not an audit entry id (like 1636341900000-0)")
    found: list[HistoryEntry] = []
    cursor, scanned, more = before, 0, True
    while len(found) < size and scanned < max_scan:
        rows = ledger.audit(cid, count=min(CHUNK, max_scan - scanned), before=cursor)
        if not rows:
            more = False
            break
        posts = {p.id: p for p in ledger.posts(cid, {r["post"] for r in rows if r.get("post")})}
        for row in rows:
            scanned += 1
            cursor = row["id"]
            post = posts.get(row.get("post", ""))
            entry = HistoryEntry(**_audit(row, applied).model_dump(by_alias=True), post=row.get("post", ""),
                                 account=post.slot.account if post else row.get("account", ""),
                                 people=list(post.slot.people) if post else [])
            if _matches(entry, filters):
                found.append(entry)
                if len(found) == size:
                    break
    if more and cursor is not None:
        more = bool(ledger.audit(cid, count=1, before=cursor))
    return HistoryPage(campaign=cid, name=applied.campaign.name, filters=filters, entries=found, next_before=cursor if more else None,
                       scanned=scanned, accounts=[a.id for a in applied.campaign.accounts],
                       people={p.id: p.name.get("en") for p in applied.roster.people})


__all__ = ["HistoryEntry", "HistoryFilters", "HistoryPage", "KINDS", "PAGE_SIZE", "check_filters", "history_page"]
