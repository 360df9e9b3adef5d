"""Which cards a preview shows. The planned posts' (each as of its date), or a template's samples:
every roster person plus stress cases (the longest name, a Khmer-only name, no photo) in each
language the campaign posts in, with a released person and groups for a template the campaign
does not use. Photos and logos are read from the campaign folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ...definition import Account, Campaign, CampaignFolder
from ...plan import cadence_dates, plan, week_of
from ...roster import Facts, Person, facts
from ...words import supported
from ..photos import read_image_file
from ..card import CardInput, card_input
from ..samples import crowd, sample_people
from ..template import Template


@dataclass
class Job:
    """One card to preview: where it goes, what it shows, how to title it on the sheet."""

    file: str
    title: str
    template: str
    size: str
    card: CardInput


def _photos(folder: CampaignFolder, people: tuple[Facts, ...]) -> tuple[dict[str, bytes | None], dict[str, str]]:
    photos: dict[str, bytes | None] = {}
    names: dict[str, str] = {}
    for f in people:
        person = f.person
        if person.photo:
            path = folder.root / person.photo
            names[person.id] = str(path)
            photos[person.id] = read_image_file(path, person.id, person.photo) if path.is_file() else None
    return photos, names


def _logo(folder: CampaignFolder, account: Account) -> tuple[bytes | None, str]:
    if not account.logo:
        return None, "logo"
    path = folder.root / account.logo
    return (read_image_file(path, "logo", account.logo) if path.is_file() else None), str(path)


def _card(folder: CampaignFolder, account: Account, group: tuple[Facts, ...], kind: str, week: int) -> CardInput:
    """The card of a post on ``account`` featuring ``group``, photos and logo read from the folder."""
    photos, names = _photos(folder, group)
    logo, logo_name = _logo(folder, account)
    return card_input(folder.campaign, account, group, kind=kind, week=week, photos=photos, logo=logo,
                      photo_names=names, logo_name=logo_name)


def planned_jobs(folder: CampaignFolder, sizes: list[str] | None) -> Iterator[Job]:
    """A card for every planned post, with facts as of its date."""
    c = folder.campaign
    people = folder.roster.by_id()
    for slot in plan(c, folder.roster):
        group = tuple(facts(people[p], slot.date) for p in slot.people)
        card = _card(folder, c.account(slot.account), group, slot.kind, slot.week)
        for size in sizes or ["square"]:
            who = ", ".join(f.person.name.get("en") for f in group[:3]) + (f" +{len(group) - 3}" if len(group) > 3 else "")
            yield Job(f"{slot.date}_{slot.account}_{slot.kind}_{size}.jpg",
                      f"{slot.date} · {slot.account} ({slot.language}) · {slot.kind} · {who}",
                      slot.template, size, card)


def _first_held(person: Person, days: list[date]) -> date | None:
    return next((d for d in days if facts(person, d).held), None)


Case = tuple[str, str, tuple[Facts, ...]]  # label, card kind, the people featured


def _released_case(c: Campaign, roster: list[Person], as_of: date | None) -> Case:
    """The roster's first person released during the campaign (on or before ``as_of``), as of
    their release day (or ``as_of``); without one, the sample released person."""
    releases = sorted((e.date, i) for i, p in enumerate(roster) for e in p.events
                      if e.type == "released" and c.start <= e.date <= c.end and (as_of is None or e.date <= as_of))
    for day, i in releases:
        f = facts(roster[i], as_of or day)
        if f.status.value == "released":
            return f"released {f.person.id}", "released", (f,)
    sample = next(p for p in sample_people() if p.id == "sample-released")
    day = next(e.date for e in sample.events if e.type == "released")
    return f"released {sample.id}", "released", (facts(sample, day),)


def _group_cases(roster: list[Person], everyone: tuple[Facts, ...], on: date, crowd_day: date,
                 cap: int | None) -> list[Case]:
    """Everyone held on ``on``, one person, and a crowd of 60 (at most ``cap`` people each)."""
    held = tuple(f for p in roster if (f := facts(p, on)).held)
    n = min(60, cap or 60)
    stress = [p for p in sample_people() if p.id.startswith("stress-")]
    return [(f"everyone held on {on}", "finale", (held or everyone[:1])[:cap]),
            ("one person", "finale", everyone[:1]),
            (f"{n} people", "finale", crowd(roster + stress, n, crowd_day))]


def _role(c: Campaign, name: str) -> str | None:
    """The kind of post the campaign makes with the template ``name`` (None: it does not use it)."""
    return ("released" if name == c.released_template else
            "finale" if c.finale and name == c.finale.template else
            "weekly" if name == c.template else None)


def _name_languages(roster: list[Person], posted: set[str]) -> list[str]:
    """The languages roster names are written in that cards can be made in and the campaign does
    not post in: a template the campaign does not use is shown in each, so every script a name
    is written in is seen as a card's first name."""
    found = {lang for p in roster for lang in p.name.root if lang != "*"}
    return sorted(lang for lang in found - posted if supported(lang))


def _cases(folder: CampaignFolder, t: Template, name: str, as_of: date | None) -> list[Case]:
    """The sample cards for the template ``name``: the cards the campaign makes with it, or, for a
    template the campaign does not use, every card the template could be given."""
    c = folder.campaign
    days = cadence_dates(c)
    role = _role(c, name)
    roster = list(folder.roster.people)
    stress = [p for p in sample_people() if p.id.startswith("stress-")]
    with_photo = next((p for p in roster if p.photo), roster[0])
    no_photo = with_photo.model_copy(update={"id": f"{with_photo.id}-no-photo", "photo": None})

    roster_ids = {p.id for p in roster} | {no_photo.id}

    def released_in_campaign(person: Person) -> list[date]:
        return [e.date for e in person.events if e.type == "released" and c.start <= e.date <= c.end]

    def day_for(person: Person) -> date:
        if as_of and person.id in roster_ids:
            return as_of
        if role == "released" and (releases := released_in_campaign(person)):
            return releases[0]  # the release the campaign announces (one before it began is no post of it)
        return _first_held(person, days) or c.start

    everyone = tuple(facts(p, day_for(p)) for p in roster + stress)
    if role == "finale":
        end = as_of or (c.finale.date if c.finale else c.end)
        return _group_cases(roster, everyone, end, as_of or c.start + timedelta(days=30), None)
    singles = [(p.id, role or "weekly", (facts(p, day_for(p)),)) for p in roster + stress + [no_photo]]
    if role == "released":  # the people whose release the campaign announces, as of that day
        freed = [case for case in singles if case[2][0].status.value == "released"]
        return freed or [_released_case(c, roster, as_of)]
    if role:
        return singles
    # Not the campaign's: show what it can show. A weekly card, a released person (a badge
    # `when: {status: released}` appears), and groups when it has room for them.
    cases = [*singles, _released_case(c, roster, as_of)]
    cap = t.spec.max_people
    has_grid = any(layer.kind == "grid" for layer in t.spec.layers)
    if (cap or 0) > 1 or (cap is None and has_grid):
        end = as_of or (c.finale.date if c.finale else c.end)
        cases += _group_cases(roster, everyone, end, as_of or c.start + timedelta(days=30), cap)
    return cases


def template_jobs(folder: CampaignFolder, t: Template, name: str, sizes: list[str] | None,
                  as_of: date | None = None) -> Iterator[Job]:
    """Every roster person (plus stress cases) on the template ``name``, in every language the
    campaign posts in (for a template it does not use, each person also in the other languages
    their name is written in); roster facts as of ``as_of`` if given, else as of each card's usual day."""
    c = folder.campaign
    langs = sorted({a.language for a in c.accounts})
    account_for = {lang: next(a for a in c.accounts if a.language == lang) for lang in langs}
    extra = [] if _role(c, name) else _name_languages(list(folder.roster.people), set(langs))
    account_for |= {lang: c.accounts[0].model_copy(update={"language": lang}) for lang in extra}
    for label, kind, group in _cases(folder, t, name, as_of):
        if not group:
            continue
        named_in = [lang for lang in extra if len(group) == 1 and group[0].person.name.has(lang)]
        for lang in langs + named_in:
            card = _card(folder, account_for[lang], group, kind, max(1, week_of(c, group[0].on)))
            for size in sizes or ["square"]:
                safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in label)
                yield Job(f"{name}_{safe}_{lang}_{size}.jpg", f"{label} ({lang}) · as of {group[0].on}", name, size, card)


__all__ = ["Job", "planned_jobs", "template_jobs"]
