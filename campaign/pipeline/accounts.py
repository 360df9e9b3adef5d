"""Accounts that cannot post: credential references unset here, and accounts blocked in the ledger.

An account is *blocked* when its platform refused its credentials at a post (``publish``), or when
``campaign run`` found one of its credential references unset or unreadable before starting its
workers (``credentials check``). A blocked account's posts fail at their time instead of being
sent; ``campaign status`` lists the block with what to do, ``campaign accounts unblock`` lifts it
(``campaign run`` lifts its own blocks itself once the references resolve). No value is ever read
into a message: only reference names (``env:NAME``, ``file:PATH``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..credentials import RUN_UNREADABLE, Unresolved, unresolved, what_to_do
from ..definition import Campaign
from ..errors import Refused
from ..ledger import Ledger, PostRecord, person_name, worker_name
from ..ledger.states import FAILED
from .applied import Applied

BY_CHECK = "credentials check"


def credential_problems(campaign: Campaign, base: Path | None,
                        environ: dict[str, str] | None = None) -> dict[str, list[Unresolved]]:
    """Per account id, the credentials it cannot read in this environment (accounts that can: left out)."""
    out = {}
    for account in campaign.accounts:
        items = unresolved(account.platform, account.credentials, base, environ)
        if items:
            out[account.id] = items
    return out


def refs_of(campaign: Campaign, account_id: str) -> list[str]:
    """The credential references an account names (never their values)."""
    creds = campaign.account(account_id).credentials
    if creds is None:
        return []
    return [creds] if isinstance(creds, str) else [f"{name}: {ref}" for name, ref in creds.items()]


@dataclass
class Blocked:
    """An account blocked in the ledger, why, since when, and its failed posts still on time."""

    campaign: str
    account: str
    platform: str
    reason: str
    since: str
    by: str
    credentials: list[str] = field(default_factory=list)
    unset_here: list[str] = field(default_factory=list)  # references this process cannot read
    retryable: list[str] = field(default_factory=list)

    def fix(self) -> str:
        """What a person does about it, in order."""
        if self.by == BY_CHECK:
            first = ("make the references named above readable where the workers run, then start `campaign run` "
                     "again: the block lifts itself; with workers elsewhere, run")
        elif not self.credentials:  # an outbox: no credentials, what failed is the reason above
            first = "fix what the reason above names where the workers run, then run"
        else:
            here = f"; here {', '.join(self.unset_here)}" if self.unset_here else ""
            first = (f"fix the {self.platform} credentials it names (" + ", ".join(self.credentials) + here
                     + ") where the workers run (`campaign accounts check FOLDER` tests them), then run")
        text = f"{first}: campaign accounts unblock {self.account} {self.campaign}"
        if self.retryable:
            more = f" (and {len(self.retryable) - 1} more)" if len(self.retryable) > 1 else ""
            text += f"; then send its failed posts again: campaign retry {self.retryable[0]}{more}"
        return text

    def to_json(self) -> dict[str, object]:
        return {"account": self.account, "platform": self.platform, "reason": self.reason, "since": self.since,
                "by": self.by, "credentials": self.credentials, "unset_here": self.unset_here,
                "retryable": self.retryable, "fix": self.fix()}


def blocked_accounts(ledger: Ledger, applied: Applied, now: datetime,
                     environ: dict[str, str] | None = None) -> list[Blocked]:
    """Every blocked account of the campaign, with its fix (``environ``: where to look for unset references)."""
    c = applied.campaign
    base = Path(applied.folder) if applied.folder else None
    out = []
    posts: list[PostRecord] | None = None
    for account in c.accounts:
        state = ledger.account_state(c.id, account.id)
        if "auth_failed" not in state:
            continue
        if posts is None:
            posts = ledger.posts(c.id)
        limit = now.timestamp() - applied.max_lateness
        retryable = [p.id for p in posts if p.slot.account == account.id and p.state == FAILED and p.due >= limit]
        out.append(Blocked(
            c.id, account.id, account.platform, state["auth_failed"], state.get("auth_failed_at", ""),
            state.get("blocked_by", "publish"), refs_of(c, account.id),
            [f"{u.ref} {u.problem}" if u.ref else str(u)
             for u in unresolved(account.platform, account.credentials, base, environ)], retryable))
    return out


def sync_credential_blocks(ledger: Ledger, applied: Applied, problems: dict[str, list[Unresolved]],
                           now: datetime) -> tuple[list[str], list[str]]:
    """Before ``campaign run`` starts its workers: block each account whose credentials cannot be
    read here, and lift the blocks this check set earlier from accounts whose credentials now
    resolve (a block set because the platform refused them stays). Returns (blocked, unblocked)."""
    cid, worker = applied.campaign.id, f"campaign run on {worker_name()}"  # a process, not a person: no @
    blocked, lifted = [], []
    for account in applied.campaign.accounts:
        state = ledger.account_state(cid, account.id)
        items = problems.get(account.id)
        if items:
            reason = (f"{RUN_UNREADABLE}: " + "; ".join(map(str, items))
                      + "; " + what_to_do(items))
            if state.get("auth_failed") != reason:
                ledger.mark_auth_failed(cid, account.id, reason, at=now, by=BY_CHECK, worker=worker)
            blocked.append(account.id)
        elif "auth_failed" in state and state.get("blocked_by") == BY_CHECK:
            ledger.clear_account(cid, account.id, at=now, worker=worker, detail="its credentials are readable now", rate_limit=False)
            lifted.append(account.id)
    return blocked, lifted


def unblock(ledger: Ledger, applied: Applied, account: str, now: datetime, by: str | None = None,
            environ: dict[str, str] | None = None) -> Blocked | None:
    """Lift an account's block (a person fixed its credentials); returns the block lifted (None: it was not).
    ``by``: who, for the audit stream (default: the login name of who runs the command; the dashboard gives ``<user>@web``).
    Refused while one of the account's credential references cannot be read here (``environ``: where to
    look, default ``os.environ``): its next post would only fail again. The refusal names the reference
    and what to do, never a value."""
    if account not in {a.id for a in applied.campaign.accounts}:
        raise Refused(f"{applied.campaign.id} has no account {account!r} (its accounts: "
                      + ", ".join(a.id for a in applied.campaign.accounts) + ")")
    found = next((b for b in blocked_accounts(ledger, applied, now, environ) if b.account == account), None)
    why = unreadable_here(applied, found, environ, f"unblock it: campaign accounts unblock {account} {applied.campaign.id}")
    if why:
        raise Refused(f"{account} stays blocked: {why}")
    ledger.clear_account(applied.campaign.id, account, at=now, worker=person_name(by),
                         detail="unblocked by a person", rate_limit=False)
    return found


def unreadable_here(applied: Applied, found: Blocked | None, environ: dict[str, str] | None, then: str) -> str:
    """Why a blocked account (``found``, from :func:`blocked_accounts`) cannot be sent from yet: its
    credential references still cannot be read here (its next post would only fail again), naming
    them and what to do, then ``then``; '' when it can (or is not blocked). Never a value."""
    if found is None or not found.unset_here:  # read once, by blocked_accounts; again only to say what to do
        return ""
    spec = applied.campaign.account(found.account)
    items = unresolved(spec.platform, spec.credentials, Path(applied.folder) if applied.folder else None, environ)
    if not items:
        return ""
    return (f"its credentials still cannot be read here ({'; '.join(map(str, items))}), so its next post would fail "
            f"again. First {what_to_do(items)} where the workers run and here (`campaign accounts check FOLDER` tests "
            f"them), then {then}")


__all__ = ["BY_CHECK", "Blocked", "blocked_accounts", "credential_problems", "refs_of", "sync_credential_blocks",
           "unblock", "unreadable_here"]
