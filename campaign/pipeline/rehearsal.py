"""A rehearsal: a ``campaign simulate --faults`` replay, planned before it runs and told after it.

:func:`plan_rehearsal` picks the posts that meet faults (``faults.choose``, seeded) among those the
replay will really try to publish and keeps the choice in the ledger; :func:`outage_for` is the
driver's part of it (the ``missed`` posts' worker is down). After the replay, :func:`outcomes`
reads from the ledger where each of those posts ended, and what a monitor would run next, for the
summary ``campaign simulate`` prints and for ``report.html``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..clock import now_for
from ..ledger import Ledger, PostRecord
from ..ledger.states import FAILED, IN_DOUBT, MISSED, POSTED
from ..plan import plan
from ..platforms import spec as platform_spec
from .applied import Applied
from .faults import AUTH, Candidate, FaultPlan, choose, load_plan, meet, spec_text, store_plan
from .faults import MISSED as MISSED_FAULT
from .simulate import Outage

#: The audit detail of a move to ``failed`` at the claim of a blocked account's post (ledger script).
BLOCKED_DETAIL = "account blocked"


def plan_rehearsal(ledger: Ledger, applied: Applied, spec: Mapping[str, int], seed: int, *, end: datetime) -> FaultPlan:
    """Choose and store which posts meet which fault. The candidates are the posts planned now that
    stay in the plan once all the roster's news is known (a post withdrawn later would never meet
    its fault) and whose time plus max_lateness falls before ``end`` (the replay's last moment)."""
    c = applied.campaign
    final = {s.id for s in plan(c, applied.roster)}
    last = end.timestamp() - applied.max_lateness - 1
    candidates = [Candidate(p.id, p.slot.account) for p in ledger.posts(c.id) if p.id in final and p.due <= last]
    posts = choose(candidates, spec, seed)
    store_plan(ledger, c.id, spec, seed, posts, {a.id: a.platform for a in c.accounts})
    found = load_plan(ledger, c.id)
    assert found is not None
    return found


def outage_for(ledger: Ledger, applied: Applied, faults: FaultPlan) -> Outage | None:
    """The driver's outage for the ``missed`` posts: each one's worker is back a second after its time
    plus max_lateness. A post meets the fault when its task is first held back."""
    missed = [pid for pid, kind in faults.posts.items() if kind == MISSED_FAULT]
    if not missed:
        return None
    back = {p.id: p.due + applied.max_lateness + 1 for p in ledger.posts(applied.campaign.id, missed)}

    def held(pid: str) -> None:
        meet(ledger, pid, now_for(ledger), kinds=[MISSED_FAULT])

    return Outage(back, on_hold=held)


@dataclass
class FaultOutcome:
    """Where a post that was to meet a fault ended, and what a monitor does next."""

    kind: str
    post: str
    account: str
    state: str
    met: str | None  # campaign time it met its fault (None: it never did)
    ended: str  # in words: "posted after 1 retry", "failed: ..."
    label: str  # the short form the summary counts: "posted after retry", "failed", ...
    next: str  # what a monitor would run next ("" when nothing)
    also: list[str] = field(default_factory=list)  # auth: later posts of the account that failed while blocked


def _waits(ledger: Ledger, pid: str) -> Counter[str]:
    """How often the post was sent back to wait: ``retry`` (a passing fault) and ``rate_limited``."""
    return Counter(a["outcome"] for a in ledger.attempts(pid) if a.get("outcome") in ("retry", "rate_limited"))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _shown(folder: str | None) -> str:
    """The campaign folder as a person types it: relative to the current folder when inside it."""
    if not folder:
        return "FOLDER"
    try:
        return str(Path(folder).relative_to(Path.cwd())) or "."
    except ValueError:
        return folder


def _last_details(ledger: Ledger, cid: str, ids: set[str]) -> dict[str, str]:
    """The audit detail of each post's latest move (of ``ids``)."""
    out: dict[str, str] = {}
    for entry in ledger.iter_audit(cid):
        if entry.get("post") in ids:
            out[entry["post"]] = entry.get("detail", "")
    return out


def _posted(ledger: Ledger, o: FaultOutcome, detail: str) -> None:
    waits = _waits(ledger, o.post)
    if waits:
        how = []
        if waits["retry"]:
            how.append(f"{_plural(waits['retry'], 'retry', 'retries')} with backoff")
        if waits["rate_limited"]:
            how.append(f"waiting for its account's rate-limit reset ({_plural(waits['rate_limited'], 'time', 'times')})")
        o.ended, o.label = f"posted after {' and '.join(how)}", "posted after retry"
    elif "found on the platform" in detail:
        o.ended, o.label = "posted: in doubt, then found on the platform by the look-up", "posted after look-up"
    elif "resolved by a person" in detail:
        o.ended, o.label = "posted: in doubt, then resolved by a person", "posted after resolve"
    else:
        o.ended, o.label = "posted", "posted"
    o.next = "nothing: it went out (the audit stream has every attempt)"


def _failed(o: FaultOutcome, post: PostRecord, posts: list[PostRecord], cid: str, folder: str) -> None:
    o.label = "failed"
    if o.kind != AUTH:
        o.ended = f"failed: {post.error or 'see campaign status'}"
        o.next = f"fix what the error says, then: campaign retry {post.id} (while still on time)"
        return
    o.also = [p.id for p in posts if p.slot.account == o.account and p.state == FAILED and p.due > post.due
              and (p.error or "").startswith(BLOCKED_DETAIL)]
    more = f"; {len(o.also)} later posts of it failed while it was blocked" if o.also else ""
    o.ended = f"failed: its credentials were refused, so account {o.account} is blocked{more}"
    o.next = (f"campaign accounts check {folder}, fix {o.account}'s credentials, then: campaign accounts unblock "
              f"{o.account} {cid}; then campaign retry {post.id} (and each failed post still on time)")


def outcomes(ledger: Ledger, applied: Applied) -> list[FaultOutcome]:
    """Each faulted post of the campaign's rehearsal, in due order, from the ledger ([] if none)."""
    cid = applied.campaign.id
    faults = load_plan(ledger, cid)
    if faults is None:
        return []
    posts = ledger.posts(cid)
    details = _last_details(ledger, cid, set(faults.posts))
    folder = _shown(applied.folder)
    out = []
    for post in posts:
        kind = faults.kind(post.id)
        if kind is None:
            continue
        account = post.slot.account
        o = FaultOutcome(kind, post.id, account, post.state, faults.met.get(post.id), "", "", "")
        if o.met is None:
            o.ended, o.label = f"not met: it was {post.state} before it reached a worker", "not met"
        elif post.state == POSTED:
            _posted(ledger, o, details.get(post.id, ""))
        elif post.state == FAILED:
            _failed(o, post, posts, cid, folder)
        elif post.state == IN_DOUBT:
            platform = faults.platforms.get(account, post.slot.platform)
            o.label = "in doubt"
            why = "" if platform_spec(platform).lookup else f"{platform} cannot look a post up, so a person checks; "
            o.ended = f"in doubt, held for a person: {why}{post.error or 'the outcome is unknown'}"
            o.next = f"check {account} on {platform} by hand, then: campaign resolve {post.id} --posted URL (or --not-posted)"
        elif post.state == MISSED:
            o.label = "missed"
            o.ended = "missed: no worker took it before its time plus max_lateness (a late post is never sent)"
            o.next = f"make sure the workers run (campaign status {cid}; campaign run {folder} to start them)"
        else:
            o.ended, o.label = f"still {post.state} when the replay ended", post.state
            o.next = f"campaign status {cid}"
        out.append(o)
    return out


def summary_lines(faults: FaultPlan, found: list[FaultOutcome]) -> list[str]:
    """The rehearsal's part of ``campaign simulate``'s summary: the faults asked for and where each post ended."""
    counts = Counter(o.label for o in found)
    head = (f"faults (seed {faults.seed}): {spec_text(faults.spec)} -> "
            + ", ".join(f"{n} {label}" for label, n in counts.most_common()))
    lines = [head]
    for o in found:
        lines.append(f"  {o.kind:<10} {o.post}: {o.ended}")
        if o.next:
            lines.append(f"  {'':<10} next: {o.next}")
    return lines


__all__ = ["FaultOutcome", "outage_for", "outcomes", "plan_rehearsal", "summary_lines"]
