"""What a campaign will cost on the platforms that charge (``campaign plan --costs``).

Each account's planned posts, priced with its platform's row of :data:`campaign.platforms.COSTS`:
one post each (the dearer price where the caption as it will go out carries a link), one image
upload, one alt-text call where the platform bills it, and the in-doubt look-ups a share of posts
will need (``in_doubt``, the expected fraction of posts whose outcome is unknown after a timeout).
Pure: takes the plan and the roster, and talks to no platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import xtext
from ..captions import caption_text, fit_caption
from ..definition import Campaign
from ..facts import facts
from ..plan import Slot
from ..platforms import costs
from ..roster import Roster

IN_DOUBT = 0.02  # expected share of posts left in doubt (a timeout after sending), each settled by a look-up


@dataclass(frozen=True)
class AccountCost:
    """One account's expected spend for the posts counted, in US dollars."""

    account: str
    platform: str
    posts: int
    with_link: int  # posts whose caption carries a link (dearer on X)
    posting: float  # the posts themselves
    media: float  # image uploads
    alt_text: float  # alt-text calls
    lookups: float  # expected in-doubt look-ups

    @property
    def total(self) -> float:
        return self.posting + self.media + self.alt_text + self.lookups


def has_link(text: str) -> bool:
    """Whether ``text`` carries a URL as X finds one (X bills such a post at a higher rate)."""
    return bool(xtext.url_spans(text))


def account_costs(campaign: Campaign, roster: Roster, slots: Sequence[Slot],
                  in_doubt: float = IN_DOUBT) -> list[AccountCost]:
    """Each account's expected spend for ``slots`` (in the accounts' order; every account listed,
    with zeros where it posts nothing or its platform charges nothing)."""
    people = roster.by_id()
    out = []
    for account in campaign.accounts:
        price = costs(account.platform)
        mine = [s for s in slots if s.account == account.id]
        links = 0
        if price.post_with_link is not None:  # captions are filled only where a link changes the price
            for slot in mine:
                featured = [facts(people[p], slot.date) for p in slot.people if p in people]
                text = fit_caption(caption_text(campaign, slot, featured), account.platform, campaign.hashtags)
                links += has_link(text)
        n = len(mine)
        out.append(AccountCost(
            account.id, account.platform, n, links,
            posting=(n - links) * price.of_post(False) + links * price.of_post(True),
            media=n * price.media, alt_text=n * price.alt_text, lookups=n * in_doubt * price.lookup))
    return out


def format_costs(rows: Sequence[AccountCost], in_doubt: float = IN_DOUBT) -> str:
    """The table ``campaign plan --costs`` prints, with a total line."""
    width = max([len(r.account) for r in rows] + [7])
    lines = [f"{'account':<{width}}  {'platform':<9} {'posts':>6} {'links':>6} {'posting':>9} {'media':>8} "
             f"{'alt text':>9} {'look-ups':>9} {'total':>9}"]
    for r in rows:
        lines.append(f"{r.account:<{width}}  {r.platform:<9} {r.posts:>6} {r.with_link:>6} {_usd(r.posting):>9} "
                     f"{_usd(r.media):>8} {_usd(r.alt_text):>9} {_usd(r.lookups):>9} {_usd(r.total):>9}")
    total = sum(r.total for r in rows)
    lines.append(f"expected platform spend: {_usd(total)} for {sum(r.posts for r in rows)} posts "
                 f"(look-ups assume {in_doubt:.0%} of posts in doubt; prices in campaign/platforms.py COSTS)")
    return "\n".join(lines)


def _usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.3f}"


__all__ = ["IN_DOUBT", "AccountCost", "account_costs", "format_costs", "has_link"]
