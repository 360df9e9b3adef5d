"""Everything checked before a campaign may be planned, applied or run: one entry point."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .fields import check
from .cards import CardError, check_folder_templates, find_template, load_template, require_raqm
from .cards.photos import PhotoError, load_photo
from .definition import CampaignFolder, load_folder
from .languages import language_problems
from .plan import FINALE, RELEASED, WEEKLY, Slot, plan
from .sources import InputError, Problem
from .definition import KINDS, ROSTER_FILE, CampaignFolder, load_folder
from .plan import FINALE, RELEASED, WEEKLY, Slot, cadence_dates, plan
from .sources import InputError, Problem, did_you_mean

# The campaign.yaml field that names the template of each kind of post, in the order they are written.
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    WEEKLY: ("template",), RELEASED: ("released_template",), FINALE: ("finale", "template"),
}
SHOWN_DAYS = 5  # days listed in a capacity problem; the rest are counted


def load_consistent(folder: Path | str) -> CampaignFolder:
    """Load a campaign folder whose two files agree with each other and with the disk
    (:func:`cross_checks`); raises InputError with every problem found."""
    loaded = load_folder(folder)
    problems = cross_checks(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def load_checked(folder: Path | str) -> CampaignFolder:
    """Load a consistent campaign folder and check what it needs beyond its own files: every photo
    decodes, the card templates it names load and can show every planned post, every account's
    language has the captions and template labels of the posts it plans (:mod:`campaign.languages`),
    and Khmer can be shaped. Raises InputError (located problems) or CardError."""
    loaded = load_consistent(folder)
    problems = (photo_problems(loaded) + check_folder_templates(loaded) + capacity_problems(loaded)
                + language_problems(loaded))
    if problems:
        raise InputError(problems)
    require_raqm()
    return loaded


def cross_checks(folder: CampaignFolder) -> list[Problem]:
    """Checks that need both files (and the disk): pins, photos, caption placeholders, logos."""
    root, campaign, roster = folder.root, folder.campaign, folder.roster
    csrc, rsrc = folder.campaign_src, folder.roster_src
    problems: list[Problem] = []
    people = roster.by_id()
    dates = set(cadence_dates(campaign))
    if campaign.finale:
        dates.add(campaign.finale.date)
    for i, pin in enumerate(campaign.pins):
        if pin.date not in dates:
            near = sorted(dates, key=lambda d: abs((d - pin.date).days))[:1]
            problems.append(csrc.problem(("pins", i, "date"),
                f"{pin.date} has no slot (the cadence posts {campaign.cadence.describe()})"
                + (f"; the nearest slot is {near[0]}" if near else "")))
        for j, pid in enumerate(pin.people):
            if pid not in people:
                problems.append(csrc.problem(("pins", i, "people", j),
                    f"no person {pid!r} in {ROSTER_FILE}{did_you_mean(pid, people)}"))
    root_resolved = root.resolve()
    for i, person in enumerate(roster.people):
        if person.photo is None:
            continue
        path = (root / person.photo).resolve()
        if Path(person.photo).is_absolute() or not path.is_relative_to(root_resolved):
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} is outside the campaign folder; put the photo in photos/"))
        elif not path.is_file():
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} does not exist in {root}"))
    for lang, cset in campaign.captions.items():
        for kind in KINDS:
            shorthand = isinstance(csrc.data.get("captions", {}).get(lang), list)  # en: [...] means weekly
            for j, text in enumerate(getattr(cset, kind) or []):
                loc = ("captions", lang, j) if shorthand else ("captions", lang, kind, j)
                problems.extend(csrc.problem(loc, err) for err in check(text))  # every unknown field, each once
    for i, account in enumerate(campaign.accounts):
        if account.logo:
            path = (root / account.logo).resolve()
            if not path.is_relative_to(root_resolved) or not path.is_file():
                problems.append(csrc.problem(("accounts", i, "logo"), f"{account.logo!r} is not a file inside the campaign folder"))
    return problems



def photo_problems(folder: CampaignFolder) -> list[Problem]:
    """A corrupt, truncated, empty or non-image photo, located at its roster.yaml line, so it is
    refused before anything is queued rather than when its card is rendered."""
    problems = []
    for i, person in enumerate(folder.roster.people):
        if person.photo is None:
            continue
        try:
            load_photo((folder.root / person.photo).read_bytes(), person.id, person.photo)
        except PhotoError as exc:
            problems.append(folder.roster_src.problem(("people", i, "photo"), str(exc)))
    return problems


def capacity_problems(folder: CampaignFolder) -> list[Problem]:
    """A template whose max_people is smaller than a planned post (a day's releases announced
    together, people_per_post or pins above it, a finale of everyone still held), one problem per
    template at the campaign.yaml field naming it, so the campaign is refused now rather than when
    the card is rendered."""
    crowded: dict[str, list[Slot]] = defaultdict(list)
    # now=None: every event in the roster is known, the plan `campaign validate` counts.
    for slot in plan(folder.campaign, folder.roster):
        if len(slot.people) > 1:  # max_people is at least 1: single-person posts always fit
            crowded[slot.template].append(slot)
    problems = []
    for name, slots in crowded.items():
        try:
            limit = load_template(find_template(name, folder.root)).spec.max_people
        except (CardError, InputError):
            continue  # check_folder_templates has reported it
        over = [s for s in slots if limit is not None and len(s.people) > limit]
        if over and limit is not None:
            problems.append(_capacity_problem(folder, name, limit, over))
    return problems


def _capacity_problem(folder: CampaignFolder, name: str, limit: int, over: list[Slot]) -> Problem:
    c = folder.campaign
    kinds = [k for k in TEMPLATE_FIELDS if any(s.kind == k for s in over)]
    most: dict[str, int] = {}  # day -> most people in one post that day (spread rotation may differ by account)
    for s in over:
        day = s.date.isoformat()
        most[day] = max(most.get(day, 0), len(s.people))
    days = [f"{day} ({n} people)" for day, n in sorted(most.items())]
    if len(days) > SHOWN_DAYS:
        days = days[:SHOWN_DAYS] + [f"{len(days) - SHOWN_DAYS} more day(s)"]
    posts = " and ".join(f"{sum(s.kind == k for s in over)} {k}" for k in kinds)
    fixes = ["use a template with a grid (such as the shipped 'released' or 'collage') or raise its max_people"]
    if WEEKLY in kinds:
        fixes.append(f"set people_per_post to at most {limit}" if c.people_per_post > limit
                     else f"pin at most {limit} people per date")
    if RELEASED in kinds:
        fixes.append("announce fewer releases (announce_releases: false, or announce: false on release events "
                     "in roster.yaml; releases announced on one day share one post)")
    message = (f"template {name!r} shows at most {limit} person(s), but {posts} post(s) on {len(most)} day(s) "
               f"feature more: {', '.join(days)}; " + "; or ".join(fixes))
    return folder.campaign_src.problem(TEMPLATE_FIELDS[kinds[0]], message)
