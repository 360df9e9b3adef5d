"""One post in full, as the Post page and ``GET /api/posts/{post_id}`` show it: its card, caption and
alt text, the people it features with their facts as of its day, every attempt and every audit entry
about it, its platform link, and the actions that apply to it now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..ledger import Ledger, PostRecord
from ..ledger.states import ACTIVE, RETRYABLE
from ..pipeline.applied import Applied, load_applied
from ..pipeline.tick import known_roster
from ..roster import facts
from .reads import PostBrief, actions_for, brief, local


class PersonFacts(BaseModel):
    """A featured person as of the post's day (the roster as known now)."""

    id: str
    name: str = Field(description="in English (else any)")
    name_km: str | None = None
    status: str
    detained: str = Field(description="time behind bars as of the post's day, in the post's language")
    detained_en: str
    case: str = Field(description="charged with ... / sentenced to ..., in the post's language")
    since: date | None = None
    released_on: date | None = None
    next_hearing: date | None = None


class Attempt(BaseModel):
    at: datetime | None = Field(None, description="campaign time, in its timezone")
    worker: str | None = None
    outcome: str | None = None
    error_class: str | None = None
    error: str | None = None
    remote_id: str | None = None


class AuditEntry(BaseModel):
    """One entry of the campaign's audit stream: a state change, who made it (``worker``: a worker
    process, or ``<user>@web`` / ``<login>@<host>:<pid>`` for a person) and why."""

    id: str
    at: datetime | None = Field(None, description="campaign time, in its timezone")
    worker: str
    from_state: str = Field(alias="from")
    to: str
    detail: str

    model_config = {"populate_by_name": True}


class PostDetail(PostBrief):
    template: str
    variant: int
    campaign_status: str
    caption: str | None = None
    alt: dict[str, str] = Field(default_factory=dict, description="alt text per language")
    alt_text: str = Field("", description="the alt text in the post's language")
    warnings: list[str] = Field(default_factory=list)
    card: str | None = Field(None, description="the card image's sha256")
    card_format: str | None = None
    card_url: str | None = Field(None, description="where the dashboard serves the card")
    rendered_at: datetime | None = None
    render_seconds: float | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    remote_id: str | None = None
    posted_at: datetime | None = None
    waiting_until: datetime | None = Field(None, description="queued again, not sent before this")
    account_blocked: bool = Field(False, description="its account is blocked: unblock it before a retry can go out")
    featured: list[PersonFacts]
    attempts: list[Attempt]
    audit: list[AuditEntry]
    actions: list[str] = Field(description="what an operator may do to it now: approve, retry, resolve")
    retry_until: datetime | None = Field(None, description="a failed, missed, cancelled or expired post: its "
                                         "time plus max_lateness, until which a retry can send it")
    too_late: bool = Field(False, description="retry_until has passed: a late post is never sent")


def person_facts(applied: Applied, post: PostRecord, now: datetime) -> list[PersonFacts]:
    people = known_roster(applied, now).by_id()
    unit = applied.campaign.durations
    lang = post.slot.language
    out = []
    for pid in post.slot.people:
        person = people.get(pid)
        if person is None:
            continue
        f = facts(person, post.slot.date)
        out.append(PersonFacts(id=pid, name=person.name.get("en"), name_km=person.name.root.get("km"),
                               status=f.status.value, detained=f.detained_text(lang, unit),
                               detained_en=f.detained_text("en", unit), case=f.case_text(lang), since=f.since,
                               released_on=f.released_on, next_hearing=f.next_hearing))
    return out


def post_audit(ledger: Ledger, post_id: str) -> list[dict[str, str]]:
    """Every audit entry about the post, oldest first (one pass over its campaign's stream)."""
    return [e for e in ledger.iter_audit(Ledger.campaign_of(post_id)) if e.get("post") == post_id]


def _moment(text: Any, applied: Applied) -> datetime | None:
    """An ISO time from the ledger (UTC) in the campaign's timezone; None if absent or unreadable."""
    try:
        return datetime.fromisoformat(str(text)).astimezone(applied.campaign.tz) if text else None
    except ValueError:
        return None


def _attempt(row: dict[str, Any], applied: Applied) -> Attempt:
    fields = {k: (str(v) if v is not None else None) for k, v in row.items() if k in Attempt.model_fields}
    return Attempt(**{**fields, "at": _moment(row.get("at"), applied)})


def _audit(entry: dict[str, str], applied: Applied) -> AuditEntry:
    return AuditEntry(id=entry["id"], at=_moment(entry.get("at"), applied), worker=entry.get("worker", ""),
                      from_state=entry.get("from", ""), to=entry.get("to", ""), detail=entry.get("detail", ""))


def post_detail(ledger: Ledger, post_id: str, now: datetime) -> PostDetail:
    """The post in full; raises UnknownPost."""
    post = ledger.post(post_id)
    applied = load_applied(ledger, post.slot.campaign)
    status = ledger.campaign_field(post.slot.campaign, "status") or ACTIVE
    tz = applied.campaign.tz
    card_url = f"/posts/{post.id}/card?v={post.card[:16]}" if post.card else None
    until = applied.send_until(post.due) if post.state in RETRYABLE else None
    return PostDetail(
        **brief(post, applied).model_dump(), template=post.slot.template, variant=post.slot.variant,
        campaign_status=status, caption=post.caption, alt=dict(post.alt or {}), alt_text=post.alt_text(post.slot.language),
        warnings=list(post.warnings or ()), card=post.card, card_format=post.card_format, card_url=card_url,
        rendered_at=datetime.fromtimestamp(post.rendered_at, tz) if post.rendered_at else None,
        render_seconds=post.render_seconds,
        approved_at=local(post.approved_at, applied) if post.approved_at else None, approved_by=post.approved_by,
        remote_id=post.remote_id,
        posted_at=local(post.posted_at, applied) if post.posted_at else None,
        waiting_until=datetime.fromtimestamp(post.waiting_until, tz) if post.waiting_until else None,
        featured=person_facts(applied, post, now), attempts=[_attempt(a, applied) for a in ledger.attempts(post_id)],
        audit=[_audit(e, applied) for e in post_audit(ledger, post_id)],
        actions=actions_for(post, status, until, now),
        retry_until=datetime.fromtimestamp(until, tz) if until is not None else None,
        too_late=until is not None and now.timestamp() > until,
        account_blocked="auth_failed" in ledger.account_state(post.slot.campaign, post.slot.account))


__all__ = ["Attempt", "AuditEntry", "PersonFacts", "PostDetail", "person_facts", "post_audit", "post_detail"]
