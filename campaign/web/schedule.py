"""What the Calendar and Review pages show, read from the ledger (nothing here writes).

* :func:`calendar`: the campaign's weeks × accounts, each cell the posts of that account that week
  (a weekly post, and any release announcement or the finale), with its state and its thumbnail.
* :func:`review`: every post waiting for approval, by week, with its caption and alt text, when its
  review window opened and when it is due (approve before then, or it does not go out on time).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from ..ledger import Ledger, PostRecord
from ..ledger.states import AWAITING_REVIEW, FAILED, IN_DOUBT, MISSED
from ..pipeline.applied import Applied, load_applied
from ..plan import FINALE, RELEASED
from .reads import PostBrief, brief

#: States that stand out on the Calendar: a person has to look at them.
ALARMS = (FAILED, IN_DOUBT, MISSED)
#: How the Calendar marks a post by its kind.
MARKS = {RELEASED: "release", FINALE: "finale"}


def thumb_url(post: PostRecord) -> str | None:
    """Where the dashboard serves the post's card thumbnail (the card's sha in the address: cached for good)."""
    return f"/thumbs/{post.card}" if post.card else None


class CalendarPost(PostBrief):
    thumb_url: str | None = Field(None, description="the card's thumbnail, once rendered")
    mark: str | None = Field(None, description="release or finale; none for a weekly post")
    alarm: bool = Field(False, description="failed, in doubt or missed: it needs a person")


class CalendarWeek(BaseModel):
    week: int
    start: date
    end: date
    cells: list[list[CalendarPost]] = Field(description="one per account, in the accounts' order")


class Calendar(BaseModel):
    campaign: str
    name: str
    accounts: list[str]
    weeks: list[CalendarWeek]
    alarms: int = Field(description="posts failed, in doubt or missed")


def calendar_post(post: PostRecord, applied: Applied) -> CalendarPost:
    return CalendarPost(**brief(post, applied).model_dump(), thumb_url=thumb_url(post),
                        mark=MARKS.get(post.slot.kind), alarm=post.state in ALARMS)


def calendar(ledger: Ledger, cid: str) -> Calendar:
    """The campaign's posts as weeks × accounts; raises UnknownCampaign."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    c = applied.campaign
    accounts = [a.id for a in c.accounts]
    column = {a: i for i, a in enumerate(accounts)}
    weeks: dict[int, CalendarWeek] = {}
    for post in ledger.posts(cid):
        w = post.slot.week
        if w not in weeks:
            start = c.start + timedelta(days=7 * (w - 1))
            weeks[w] = CalendarWeek(week=w, start=start, end=start + timedelta(days=6), cells=[[] for _ in accounts])
        if post.slot.account in column:
            weeks[w].cells[column[post.slot.account]].append(calendar_post(post, applied))
    for week in weeks.values():
        for cell in week.cells:
            cell.sort(key=lambda p: p.due)
    ordered = [weeks[w] for w in sorted(weeks)]
    alarms = sum(p.alarm for w in ordered for cell in w.cells for p in cell)
    return Calendar(campaign=cid, name=c.name, accounts=accounts, weeks=ordered, alarms=alarms)


class ReviewPost(PostBrief):
    caption: str | None = None
    alt_text: str = ""
    thumb_url: str | None = None
    card_url: str | None = None
    window_opened: datetime | None = Field(None, description="when the card was put up for review")
    overdue: bool = Field(description="its due time has passed without approval")
    warnings: list[str] = Field(default_factory=list, description="why a person should look: a caption stating "
                                "what is not true that day (it waits here even without review), text that overflowed")


class ReviewWeek(BaseModel):
    week: int
    posts: list[ReviewPost]
    first_due: datetime = Field(description="the earliest due time among them: approve the week before it")


class Review(BaseModel):
    campaign: str
    name: str
    now: datetime
    review_required: bool
    window: timedelta | None = Field(None, description="how long before its due time a card is put up for review")
    weeks: list[ReviewWeek]

    @property
    def total(self) -> int:
        return sum(len(w.posts) for w in self.weeks)


def review(ledger: Ledger, cid: str, now: datetime) -> Review:
    """Every post of the campaign waiting for approval, by week, soonest due first; raises UnknownCampaign."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    c = applied.campaign
    window = c.review.window if c.review and c.review.required else None
    now = now.astimezone(c.tz)
    by_week: dict[int, list[ReviewPost]] = {}
    for post in ledger.posts(cid):
        if post.state != AWAITING_REVIEW:
            continue
        b = brief(post, applied)
        by_week.setdefault(b.week, []).append(ReviewPost(
            **b.model_dump(), caption=post.caption, alt_text=post.alt_text(post.slot.language),
            thumb_url=thumb_url(post), card_url=f"/posts/{post.id}/card?v={post.card[:16]}" if post.card else None,
            window_opened=b.due - window if window else None, overdue=b.due <= now, warnings=list(post.warnings or ())))
    weeks = [ReviewWeek(week=w, posts=sorted(ps, key=lambda p: p.due), first_due=min(p.due for p in ps))
             for w, ps in sorted(by_week.items())]
    return Review(campaign=cid, name=c.name, now=now, review_required=applied.review_required, window=window,
                  weeks=weeks)


__all__ = ["ALARMS", "Calendar", "CalendarPost", "CalendarWeek", "MARKS", "Review", "ReviewPost", "ReviewWeek",
           "calendar", "calendar_post", "review", "thumb_url"]
