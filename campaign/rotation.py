"""``rotation: spread``: each account goes round the people held on its own, and the accounts
of one date feature different people. Pure and deterministic; used by :func:`campaign.plan.plan`.

Each account keeps a round: the people it has featured since it last featured everyone held. It
features nobody twice in a round, and the round ends when everyone held that day has been
featured on it. People arrested or re-arrested join every account's round in progress, people
released leave it. Within its round an account features first whom it has not featured for
longest, so each round goes in the order of the one before; people it never featured stand in a
ring in roster order, and the accounts start their walk round it evenly spaced on their first
posting date, so with a steady roster the accounts of a date feature different people and one
person's posts are spread over the round rather than coming one after another.

On each posting date all accounts' places are filled at once by a minimum-cost assignment
(``scipy.optimize.linear_sum_assignment``), whose costs are, from the strongest:

1. different people: with enough people held, every place gets a different person; with fewer,
   one person is on as few of that date's posts as the places allow;
2. due first: as many places as possible go to people still due in the account's round, so an
   account features someone a second time in a round only when everyone still due for it is
   featured that day by another account (a person arrested late in a round, due everywhere, is
   featured by one account per date, never stacked on all of them);
3. longest waiting: each account takes whom it has not featured for longest (never featured:
   nearest ahead on its walk); among equal choices, accounts earlier in the file come first.

A pin overrides the rotation for its date (its people are on every account's post that day) and
counts as a feature in the round; the rotation goes on around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Spread:
    """Every account's round, walk and last features, carried from one posting date to the next."""

    accounts: Sequence[str]
    order: dict[str, int]  # person id -> place in the ring (roster order)
    cursor: dict[str, int] = field(default_factory=dict)  # account -> ring place its walk goes on from
    seen: dict[str, set[str]] = field(default_factory=dict)  # account -> featured in its current round
    last: dict[tuple[str, str], int] = field(default_factory=dict)  # (account, person) -> date last featured (ordinal)

    def day(self, day: date, held: Sequence[str], pinned: Sequence[str], per_post: int) -> dict[str, list[str]]:
        """The people of each account's post on ``day`` (pins first), and the state moved on."""
        held = sorted(held, key=self.order.__getitem__)
        pins = [p for p in pinned if p in held]
        candidates = [p for p in held if p not in pins]
        for i, account in enumerate(self.accounts):  # the first date: start evenly spaced
            if account not in self.cursor and held:
                self.cursor[account] = self.order[held[i * len(held) // len(self.accounts)]]
        places = min(max(0, per_post - len(pins)), len(candidates))
        picks = self._assign(candidates, places)
        posts = {a: pins + picks[a] for a in self.accounts}
        self._record(day, held, pins, posts)
        return posts

    def due(self, account: str, held: Sequence[str]) -> set[str]:
        """People held whom ``account`` has not featured in its current round."""
        return set(held) - self.seen.get(account, set())

    def ahead(self, account: str, person: str) -> int:
        """How far ``person`` is ahead of where the account's walk goes on from (0: next). Every
        account's walk has a place from its first posting date with someone held on (:meth:`day`)."""
        return (self.order[person] - self.cursor[account]) % len(self.order)

    def _rank(self, account: str, candidates: Sequence[str]) -> dict[str, int]:
        """0 for whom the account has not featured for longest (never: nearest ahead on its walk), 1..."""
        waited = sorted(candidates, key=lambda p: (self.last.get((account, p), -1), self.ahead(account, p)))
        return {p: i for i, p in enumerate(waited)}

    def _assign(self, candidates: Sequence[str], places: int) -> dict[str, list[str]]:
        from numpy import array
        from scipy.optimize import linear_sum_assignment

        picks: dict[str, list[str]] = {a: [] for a in self.accounts}
        m, n = len(self.accounts), len(candidates)
        if not places or not n:
            return picks
        due = {a: self.due(a, candidates) for a in self.accounts}
        rank = {a: self._rank(a, candidates) for a in self.accounts}
        position = {a: i for i, a in enumerate(self.accounts)}
        rows_total = m * places
        # Integer weights, each above the most the weaker ones can add up to in one assignment:
        # a person twice on one post > used more today > not due > waited less > earlier accounts.
        tie = rows_total * n * m + 1
        not_due = rows_total * n * (tie + m) + 1
        used = rows_total * (not_due + n * (tie + m)) + 1
        twice = rows_total * (m * used + not_due + n * (tie + m)) + 1
        uses = dict.fromkeys(candidates, 0)
        # With enough people, one assignment fills every place with a different person. With fewer,
        # one place per account at a time (every account's first person, then every account's
        # second...): within a pass each person is used at most once, the least used today first.
        enough = n >= rows_total
        for _ in range(rows_total):
            rows = [a for a in self.accounts for _ in range((places - len(picks[a])) if enough else
                                                            min(1, places - len(picks[a])))]
            if not rows:
                break
            cost = array([[twice if p in picks[a] else
                           uses[p] * used + (0 if p in due[a] else not_due)
                           + rank[a][p] * (tie + m - position[a])
                           for p in candidates] for a in rows], dtype=float)
            for r, c in zip(*linear_sum_assignment(cost)):
                if cost[r, c] < twice:
                    picks[rows[r]].append(candidates[c])
                    uses[candidates[c]] += 1
        for a in self.accounts:
            picks[a].sort(key=rank[a].__getitem__)
        return picks

    def _record(self, day: date, held: Sequence[str], pins: Sequence[str], posts: dict[str, list[str]]) -> None:
        everyone = set(held)
        for account, people in posts.items():
            for p in people:
                self.last[(account, p)] = day.toordinal()
            walked = [p for p in people if p not in pins]
            if walked:  # the walk goes on after the furthest person it took
                furthest = max(walked, key=lambda p: self.ahead(account, p))
                self.cursor[account] = (self.order[furthest] + 1) % len(self.order)
            seen = self.seen.setdefault(account, set())
            repeats = [p for p in walked if p in seen]
            seen.update(pins)
            seen.update(walked)
            if repeats and everyone <= seen:  # the round ended within this post: the repeats open the next
                seen.clear()
                seen.update(repeats)
            if everyone <= seen:
                seen.clear()
