"""``rotation: spread``: each account rotates through the people held, and the accounts of one
slot feature different people. Pure and deterministic; used by :func:`campaign.plan.plan`.

Each account has its own round: it features nobody twice in a round, and the round ends when
everyone held that day has been featured on it (people arrested or re-arrested join the round in
progress; people released leave it). On each posting date the places of all accounts are filled
at once, by a minimum-cost assignment (``scipy.optimize.linear_sum_assignment``), so that:

1. accounts feature different people whenever enough people are held (pinned people aside:
   a pin puts its people on every account's post); with fewer, each person is on as few posts as
   the places allow (a person is used once before anyone is used twice that day);
2. as many places as possible go to people still due in the account's round; an account
   features someone a second time in a round only when every person still due for it is
   featured that day by another account (a newcomer due everywhere is featured by one account
   per date, not stacked on all of them);
3. then each account prefers whom it has not featured for longest (never: first), then whom no
   account has featured for longest, then roster order; earlier accounts (file order) choose
   first among equals.

A pin overrides the rotation for its date; a pinned person counts as featured in the round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Spread:
    """The rotation state of every account, carried from one posting date to the next."""

    accounts: Sequence[str]
    order: dict[str, int]  # person id -> roster position (the last tie-break)
    last: dict[tuple[str, str], int] = field(default_factory=dict)  # (account, person) -> date ordinal
    last_any: dict[str, int] = field(default_factory=dict)  # person -> date ordinal, on any account
    seen: dict[str, set[str]] = field(default_factory=dict)  # account -> featured in its current round

    def day(self, day: date, held: Sequence[str], pinned: Sequence[str], per_post: int) -> dict[str, list[str]]:
        """The people of each account's post on ``day`` (pins first), and the state moved on."""
        pins = [p for p in pinned if p in held]
        candidates = [p for p in held if p not in pins]
        places = min(max(0, per_post - len(pins)), len(candidates))
        picks = self._assign(candidates, places)
        posts = {a: pins + picks[a] for a in self.accounts}
        self._record(day, held, pins, posts)
        return posts

    def due(self, account: str, held: Sequence[str]) -> set[str]:
        """People held whom ``account`` has not featured in its current round."""
        return set(held) - self.seen.get(account, set())

    def _rank(self, account: str, candidates: Sequence[str]) -> dict[str, int]:
        never = -1
        ordered = sorted(candidates, key=lambda p: (self.last.get((account, p), never), self.last_any.get(p, never),
                                                    self.order[p]))
        return {p: i for i, p in enumerate(ordered)}

    def _assign(self, candidates: Sequence[str], places: int) -> dict[str, list[str]]:
        from numpy import array
        from scipy.optimize import linear_sum_assignment

        picks: dict[str, list[str]] = {a: [] for a in self.accounts}
        if not places or not candidates:
            return picks
        m, n = len(self.accounts), len(candidates)
        due = {a: self.due(a, candidates) for a in self.accounts}
        rank = {a: self._rank(a, candidates) for a in self.accounts}
        position = {a: i for i, a in enumerate(self.accounts)}
        rows_total = m * places
        # Integer weights, lexicographic: forbidden > not due > sum of ranks > earlier accounts' ranks.
        tie = rows_total * n * m + 1
        not_due = rows_total * n * (tie + m) + 1
        forbidden = rows_total * not_due + 1
        # Each layer uses each person at most once; a layer after the first is needed only when the
        # places outnumber the people, and then every person was used in the layer before.
        for _ in range(rows_total):
            rows = [a for a in self.accounts for _ in range(places - len(picks[a]))]
            if not rows:
                break
            cost = array([[forbidden if p in picks[a] else
                           (0 if p in due[a] else not_due) + rank[a][p] * (tie + m - position[a])
                           for p in candidates] for a in rows], dtype=float)
            for r, c in zip(*linear_sum_assignment(cost)):
                if cost[r, c] < forbidden:
                    picks[rows[r]].append(candidates[c])
        for a in self.accounts:
            picks[a].sort(key=rank[a].__getitem__)
        return picks

    def _record(self, day: date, held: Sequence[str], pins: Sequence[str], posts: dict[str, list[str]]) -> None:
        everyone = set(held)
        for account, people in posts.items():
            seen = self.seen.setdefault(account, set())
            chosen = [p for p in people if p not in pins]
            repeats = [p for p in chosen if p in seen]
            seen.update(pins)
            seen.update(p for p in chosen if p not in repeats)
            if repeats and everyone <= seen:  # the round ended within this post: the repeats open the next
                seen.clear()
                seen.update(repeats)
            if everyone <= seen:
                seen.clear()
            for p in people:
                self.last[(account, p)] = day.toordinal()
                self.last_any[p] = day.toordinal()
