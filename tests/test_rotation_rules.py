"""The priorities of ``rotation: spread`` on one posting date (campaign/rotation.py), checked
against an exhaustive search on small rosters: with enough people held, one assignment fills every
place, and no other assignment does better by the stated priorities (due first, then longest
waiting, then earlier accounts first); with fewer, the places are filled one per account at a time,
each time nobody twice on a post and the least used today first, then by the same priorities.
Over several dates: a repeat does not end an account's round, and with a steady roster each lap
goes in the order of the first. The walk is the roster's order, whatever the people's ids."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import combinations, permutations
from random import Random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from campaign.plan import WEEKLY, plan
from campaign.rotation import Spread
from tests.plan_strategies import make_campaign
from tests.test_plan_rules import ALWAYS, accounts, roster

DAY = date(2022, 3, 9)


def rank(s: Spread, account: str, candidates: Sequence[str]) -> dict[str, int]:
    """0 for whom the account has not featured for longest; never featured: nearest ahead on its walk."""
    def waited(p: str) -> tuple[int, int]:
        return s.last.get((account, p), -1), (s.order[p] - s.cursor[account]) % len(s.order)
    return {p: i for i, p in enumerate(sorted(candidates, key=waited))}


def _matchings(rows: int, cols: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """Every way to give min(rows, cols) rows a different column each."""
    size = min(rows, cols)
    for chosen in combinations(range(rows), size):
        for columns in permutations(range(cols), size):
            yield tuple(zip(chosen, columns))


def best_outcomes(s: Spread, held: list[str], per_post: int) -> set[tuple[tuple[str, ...], ...]]:
    """Every result the stated priorities allow (ties kept), by exhaustive search."""
    accounts_ = list(s.accounts)
    candidates = sorted(held, key=s.order.__getitem__)
    places = min(per_post, len(candidates))
    ranks = {a: rank(s, a, candidates) for a in accounts_}
    due = {a: set(candidates) - s.seen.get(a, set()) for a in accounts_}
    m = len(accounts_)

    def costs(rows: list[str], pairs: tuple[tuple[int, int], ...], picks: dict[str, list[str]],
              uses: dict[str, int]) -> tuple[int, ...]:
        twice = [(r, c) for r, c in pairs if candidates[c] in picks[rows[r]]]
        kept = [(rows[r], candidates[c]) for r, c in pairs if (r, c) not in twice]
        return (len(twice), sum(uses[p] for _, p in kept), sum(p not in due[a] for a, p in kept),
                sum(ranks[a][p] for a, p in kept), sum(ranks[a][p] * (m - accounts_.index(a)) for a, p in kept))

    def finish(picks: dict[str, list[str]]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(sorted(picks[a], key=ranks[a].__getitem__)) for a in accounts_)

    empty = {a: [] for a in accounts_}
    if not places:
        return {finish(empty)}
    if len(candidates) >= m * places:  # enough: one assignment of every place
        rows = [a for a in accounts_ for _ in range(places)]
        options = list(_matchings(len(rows), len(candidates)))
        best = min(costs(rows, o, empty, dict.fromkeys(candidates, 0)) for o in options)
        out = set()
        for o in options:
            if costs(rows, o, empty, dict.fromkeys(candidates, 0)) == best:
                picks: dict[str, list[str]] = {a: [] for a in accounts_}
                for r, c in o:
                    picks[rows[r]].append(candidates[c])
                out.add(finish(picks))
        return out

    results: set[tuple[tuple[str, ...], ...]] = set()

    def passes(picks: dict[str, list[str]], uses: dict[str, int], left: int) -> None:
        rows = [a for a in accounts_ if len(picks[a]) < places]
        if not rows or not left:
            results.add(finish(picks))
            return
        options = list(_matchings(len(rows), len(candidates)))
        best = min(costs(rows, o, picks, uses) for o in options)
        for o in options:
            if costs(rows, o, picks, uses) != best:
                continue
            nxt, used = copy.deepcopy(picks), dict(uses)
            for r, c in o:
                if candidates[c] not in picks[rows[r]]:
                    nxt[rows[r]].append(candidates[c])
                    used[candidates[c]] += 1
            passes(nxt, used, left - 1)

    passes({a: [] for a in accounts_}, dict.fromkeys(candidates, 0), m * places)
    return results


@st.composite
def states(draw: st.DrawFn) -> tuple[Spread, list[str], int]:
    """Accounts part-way through their rounds: each with a walk, a round so far and past features."""
    ring = [f"d{i}" for i in range(draw(st.integers(2, 7)))]
    order = {p: i for i, p in enumerate(ring)}
    names = [f"acc{i}" for i in range(draw(st.integers(1, 3)))]
    held = draw(st.lists(st.sampled_from(ring), min_size=1, max_size=6, unique=True))
    s = Spread(names, order)
    for a in names:
        s.cursor[a] = draw(st.integers(0, len(ring) - 1))
        s.seen[a] = {p for p in ring if draw(st.booleans())}
        for p in ring:
            if draw(st.booleans()):
                s.last[(a, p)] = DAY.toordinal() - draw(st.integers(1, 30))
    return s, held, draw(st.integers(1, 3))


def spread(cursor: dict[str, int], seen: dict[str, set[str]], last: dict[tuple[str, str], int],
           ring: int) -> Spread:
    """A state as the exhaustive search found it telling a wrong rule from the right one."""
    order = {f"d{i}": i for i in range(ring)}
    return Spread(list(cursor), order, cursor=cursor, seen=seen,
                  last={key: DAY.toordinal() - ago for key, ago in last.items()})


@settings(max_examples=150, deadline=None)
@given(states())
# Found by the exhaustive search telling a wrong rule from the right one (days ago in ``last``):
# due first, however long the others waited (d4 is the only one still due);
@example((spread({"a": 1}, {"a": {"d0", "d1", "d2"}}, {("a", "d2"): 20, ("a", "d4"): 24}, 5), ["d1", "d4", "d0"], 1))
# enough people: one assignment of all four places, not one place per account at a time;
@example((spread({"a": 1, "b": 5}, {"a": {"d0", "d2", "d4", "d5", "d6"}, "b": {"d2"}},
                 {("a", "d0"): 24, ("a", "d2"): 4, ("a", "d3"): 16, ("a", "d5"): 7, ("b", "d0"): 22, ("b", "d1"): 16,
                  ("b", "d3"): 30, ("b", "d4"): 14, ("b", "d5"): 9, ("b", "d6"): 27}, 7),
          ["d2", "d3", "d6", "d5", "d1", "d0"], 2))
# exactly enough people (six for six places): still one assignment;
@example((spread({"a": 5, "b": 3}, {"a": {"d0", "d2", "d4"}, "b": {"d2", "d3", "d4", "d5"}},
                 {("a", "d1"): 4, ("a", "d2"): 3, ("a", "d3"): 11, ("a", "d4"): 21, ("a", "d5"): 3, ("b", "d1"): 28,
                  ("b", "d5"): 4}, 6),
          ["d5", "d3", "d1", "d0", "d4", "d2"], 3))
# longest waiting before the account's place in the file (three accounts, five people);
@example((spread({"a": 0, "b": 1, "c": 2}, {"a": {"d1"}, "b": {"d1", "d2", "d4"}, "c": {"d1", "d4"}},
                 {("b", "d1"): 30, ("b", "d4"): 10, ("c", "d2"): 2, ("c", "d4"): 22}, 5),
          ["d0", "d4", "d2", "d1", "d3"], 1))
# with four accounts for three people;
@example((spread({"a": 0, "b": 4, "c": 0, "d": 4},
                 {"a": {"d0", "d2", "d4", "d5", "d6", "d7"}, "b": set(), "c": {"d2"}, "d": {"d3", "d4", "d5", "d6"}},
                 {("a", "d2"): 4, ("a", "d3"): 17, ("a", "d4"): 20, ("a", "d6"): 20, ("a", "d7"): 13, ("b", "d0"): 9,
                  ("b", "d1"): 26, ("b", "d2"): 11, ("b", "d4"): 31, ("b", "d5"): 19, ("b", "d7"): 1, ("c", "d4"): 11,
                  ("c", "d5"): 2, ("d", "d0"): 11, ("d", "d1"): 22, ("d", "d4"): 16}, 8),
          ["d3", "d4", "d0"], 1))
# fewer people than places: one place per account at a time, not all of an account's places at once,
@example((spread({"a": 5, "b": 7, "c": 3}, {"a": {"d4", "d5", "d7"}, "b": {"d3", "d4"},
                                           "c": {"d0", "d1", "d3", "d5", "d6", "d7"}},
                 {("a", "d0"): 10, ("a", "d1"): 3, ("a", "d3"): 2, ("a", "d4"): 7, ("a", "d5"): 23, ("a", "d6"): 11,
                  ("b", "d0"): 27, ("b", "d3"): 22, ("b", "d5"): 9, ("b", "d6"): 10, ("b", "d7"): 28, ("c", "d1"): 7,
                  ("c", "d2"): 30, ("c", "d3"): 15, ("c", "d7"): 5}, 8),
          ["d3", "d7", "d4", "d6", "d1", "d5"], 3))
# nor two at a time;
@example((spread({"a": 6, "b": 5, "c": 2, "d": 0}, {"a": set(), "b": {"d0", "d1", "d3", "d4", "d6"}, "c": {"d3", "d4", "d5"},
                                                   "d": {"d2"}},
                 {("a", "d1"): 27, ("a", "d2"): 19, ("a", "d5"): 18, ("a", "d7"): 25, ("b", "d1"): 14, ("b", "d5"): 3,
                  ("c", "d0"): 18, ("c", "d1"): 13, ("c", "d2"): 22, ("c", "d5"): 22, ("c", "d6"): 23, ("c", "d7"): 8,
                  ("d", "d0"): 8, ("d", "d1"): 21, ("d", "d2"): 17, ("d", "d4"): 2, ("d", "d5"): 8}, 8),
          ["d1", "d2", "d6", "d0", "d5"], 3))
# the least used today first, counting every use (a third use weighs more than a second);
@example((spread({"a": 2, "b": 6, "c": 8, "d": 6}, {"a": set(), "b": {"d6", "d7"}, "c": set(),
                                                   "d": {"d1", "d2", "d4", "d5", "d6", "d7", "d8", "d9"}},
                 {("a", "d1"): 18, ("a", "d2"): 11, ("a", "d3"): 26, ("a", "d5"): 5, ("a", "d6"): 20, ("a", "d8"): 8,
                  ("a", "d9"): 14, ("b", "d0"): 17, ("b", "d1"): 13, ("b", "d2"): 25, ("b", "d4"): 16, ("b", "d5"): 2,
                  ("b", "d6"): 7, ("b", "d7"): 12, ("b", "d8"): 3, ("c", "d1"): 2, ("c", "d2"): 17, ("c", "d4"): 3,
                  ("c", "d6"): 8, ("c", "d7"): 2, ("c", "d8"): 21, ("c", "d9"): 26, ("d", "d0"): 6, ("d", "d2"): 17,
                  ("d", "d4"): 9, ("d", "d5"): 30, ("d", "d6"): 20, ("d", "d7"): 1, ("d", "d8"): 31, ("d", "d9"): 9}, 10),
          ["d2", "d8", "d4", "d7", "d1"], 3))
# and nobody twice on one post, even where the only person left for a place is already on it.
@example((spread({"a": 4, "b": 4, "c": 2, "d": 0, "e": 3, "f": 0},
                 {"a": set(), "b": {"d0", "d1", "d3", "d5"}, "c": {"d1", "d2", "d4", "d5"}, "d": {"d1", "d2", "d3", "d4", "d5"},
                  "e": {"d1", "d4"}, "f": {"d4", "d5"}},
                 {("a", "d0"): 1, ("a", "d1"): 28, ("a", "d2"): 4, ("a", "d3"): 22, ("b", "d0"): 27, ("b", "d1"): 1,
                  ("b", "d2"): 31, ("b", "d3"): 15, ("c", "d0"): 24, ("c", "d1"): 4, ("c", "d2"): 6, ("c", "d4"): 1,
                  ("c", "d5"): 21, ("d", "d0"): 22, ("d", "d3"): 13, ("d", "d5"): 17, ("e", "d0"): 17, ("e", "d1"): 4,
                  ("e", "d4"): 29, ("e", "d5"): 12, ("f", "d0"): 7, ("f", "d5"): 5}, 6),
          ["d4", "d1", "d5"], 2))
def test_each_date_is_filled_as_the_priorities_say(state: tuple[Spread, list[str], int]) -> None:
    s, held, per_post = state
    allowed = best_outcomes(s, held, per_post)
    posts = copy.deepcopy(s).day(DAY, held, [], per_post)
    assert tuple(tuple(posts[a]) for a in s.accounts) in allowed, (posts, allowed)


def test_the_walks_start_evenly_spaced_in_roster_order_whatever_the_ids() -> None:
    # Ids in no alphabetical order: the ring is the roster's order, not the ids'.
    ids = ["vann", "chea", "sok", "dara", "mony", "bopha"]
    c = make_campaign(rotation="spread", accounts=accounts(3), start="2022-03-02", end="2022-04-30")
    first = {s.account: s.people for s in plan(c, roster([(p, ALWAYS) for p in ids]))
             if s.kind == WEEKLY and s.date == date(2022, 3, 2)}
    assert first == {"acc1": ("vann",), "acc2": ("sok",), "acc3": ("mony",)}


# --- rounds over several dates ------------------------------------------------------------------

Dates = list[tuple[list[str], int]]  # who is held on each posting date (weekly), and people per post


@st.composite
def seasons(draw: st.DrawFn) -> tuple[int, int, Dates]:
    """A few weekly dates with people arrested and released between them."""
    ring = draw(st.integers(2, 6))
    people = [f"d{i}" for i in range(ring)]
    held = set(draw(st.lists(st.sampled_from(people), min_size=1, unique=True)))
    per_post = draw(st.integers(1, 2))
    dates: Dates = []
    for _ in range(draw(st.integers(2, 6))):
        held ^= set(draw(st.lists(st.sampled_from(people), max_size=1)))
        dates.append((sorted(held or {people[0]}), per_post))
    return draw(st.integers(1, 3)), ring, dates


@settings(max_examples=150, deadline=None)
@given(seasons())
# Found by a search: people arrested during the rounds; on the last date acc1 features d2 again while
# d3, whom it still owes, is on acc0's post, and it owes d3 still.
@example((2, 5, [(["d0", "d1", "d2"], 2), (["d0", "d1", "d2", "d3"], 2), (["d0", "d1", "d2", "d3"], 2),
                 (["d0", "d1", "d2", "d3", "d4"], 2), (["d0", "d1", "d2", "d3", "d4"], 2)]))
def test_a_repeat_does_not_end_an_accounts_round(season: tuple[int, int, Dates]) -> None:
    """An account features nobody twice in a round, which ends when it has featured everyone held;
    it may feature someone again before then only when everyone it still owes is on another
    account's post that day, and then it still owes them."""
    accounts_, ring, dates = season
    s = Spread([f"acc{i}" for i in range(accounts_)], {f"d{i}": i for i in range(ring)})
    posts = [(held, s.day(DAY + timedelta(weeks=week), held, [], per_post)) for week, (held, per_post) in
             enumerate(dates)]
    for account in s.accounts:
        seen: set[str] = set()
        for held, by_account in posts:
            elsewhere = {p for other, people in by_account.items() if other != account for p in people}
            repeats = [p for p in by_account[account] if p in seen]
            seen |= set(by_account[account])
            owed = set(held) - seen
            if repeats:
                assert owed <= elsewhere, (account, by_account, owed)
                if not owed:  # the round ended within this post: the repeats open the next
                    seen = set(repeats)
            if set(held) <= seen:
                seen = set()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 4), st.randoms(use_true_random=False))
def test_with_a_steady_roster_each_lap_goes_in_the_order_of_the_first(accounts_: int, per_post: int, extra: int,
                                                                       rnd: Random) -> None:
    """Nobody arrested or released, enough people: each account features everyone once a lap, and
    every lap in the same order, whatever order the ids sort in."""
    n = accounts_ * per_post + extra
    ids = rnd.sample([f"{name}{i}" for i, name in enumerate("vann chea sok dara mony bopha lim kosal thida rath "
                                                                  "sophea nary pisey".split())], n)
    s = Spread([f"acc{i}" for i in range(accounts_)], {p: i for i, p in enumerate(ids)})
    walks: dict[str, list[str]] = {a: [] for a in s.accounts}
    for week in range(3 * n):
        for account, people in s.day(DAY + timedelta(weeks=week), ids, [], per_post).items():
            walks[account] += people
    for account, walk in walks.items():
        laps = [walk[i:i + n] for i in range(0, len(walk) - n + 1, n)]
        assert sorted(laps[0]) == sorted(ids) and all(lap == laps[0] for lap in laps), (account, laps)
