"""The states of a post and the moves between them; the Lua scripts enforce these.

    planned -> rendered -> queued -> publishing -> posted                 (no review)
    planned -> awaiting_review -> approved -> queued -> publishing -> posted  (review required)

Exits: ``failed`` (rejected, out of retries, account credentials failed), ``in_doubt`` (the
worker's lease ran out or the platform did not answer: maybe posted), ``missed`` (its time plus
``max_lateness`` passed before it could go out: never a late post), ``cancelled`` (a person
cancelled the campaign or the post), ``expired`` (withdrawn because the roster changed: the
people it would feature are no longer held on its date, or its slot left the plan).

A post goes back to ``planned`` when its people's facts change before it is published (the card
is re-rendered); ``retry`` moves ``failed``/``missed``/``cancelled``/``expired`` posts back to
``planned``; ``resolve`` moves ``in_doubt`` to ``posted`` or back to ``queued``. A queued post
claimed before its due time (the clock stepped back) goes back to ``approved`` (or ``rendered``)
and waits for its time: no post goes out early.
"""

from __future__ import annotations

PLANNED = "planned"
RENDERED = "rendered"
AWAITING_REVIEW = "awaiting_review"
APPROVED = "approved"
QUEUED = "queued"
PUBLISHING = "publishing"
POSTED = "posted"
FAILED = "failed"
IN_DOUBT = "in_doubt"
MISSED = "missed"
CANCELLED = "cancelled"
EXPIRED = "expired"

STATES = (PLANNED, RENDERED, AWAITING_REVIEW, APPROVED, QUEUED, PUBLISHING, POSTED,
          FAILED, IN_DOUBT, MISSED, CANCELLED, EXPIRED)
#: Not yet handed to a publisher: the plan may still change these.
PENDING = (PLANNED, RENDERED, AWAITING_REVIEW, APPROVED, QUEUED)
#: Nothing more happens to these without a person.
FINAL = (POSTED, FAILED, MISSED, CANCELLED, EXPIRED)
#: A person may send these round again with ``campaign retry``.
RETRYABLE = (FAILED, MISSED, CANCELLED, EXPIRED)

#: Campaign run states.
ACTIVE, PAUSED = "active", "paused"

#: The states each named operation of the ledger moves a post out of (``campaign.ledger.moves``);
#: a post in any other state is refused, atomically, and nothing changes.
LEAVES: dict[str, tuple[str, ...]] = {
    "replan": PENDING + (EXPIRED,),  # its slot changed: back to planned, card dropped
    "keep_card": (RENDERED, AWAITING_REVIEW, APPROVED, QUEUED),  # its slot changed, not what it shows
    "withdraw": PENDING,  # -> expired: its slot left the plan
    "cancel": PENDING,  # -> cancelled: its campaign was cancelled
    "record_rendered": (PLANNED,),  # -> rendered | awaiting_review
    "record_render_failed": (PLANNED,),  # -> failed
    "approve": (AWAITING_REVIEW,),  # -> approved
    "retry": RETRYABLE,  # -> planned
    "retry_approved": RETRYABLE,  # -> approved: its approved card still holds
    "record_stale": (PUBLISHING,),  # -> planned: its people's facts changed since it was rendered
    "record_posted": (PUBLISHING, IN_DOUBT),  # -> posted, by the worker that sent it
    "confirm_posted": (IN_DOUBT,),  # -> posted, found on the platform or said by a person
    "record_failed": (PUBLISHING,),  # -> failed
    "requeue": (PUBLISHING,),  # -> queued, sent again after a wait
    "mark_in_doubt": (PUBLISHING,),  # -> in_doubt: maybe posted
    "hold_in_doubt": (IN_DOUBT,),  # -> in_doubt, left for a person
    "requeue_in_doubt": (IN_DOUBT,),  # -> queued: certainly not on the platform
    "resolve_not_posted": (IN_DOUBT,),  # -> queued: a person says it is not out
}
