"""What needs both files of a campaign folder and the disk: pins on a slot, photos and logos inside
the folder (and every photo decodes), caption fields known. Each photo and logo is read here once;
the checked folder keeps the bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from PIL import Image

from ..bounded import resolved
from ..cards import Template
from ..cards.photos import PhotoError, blurry, load_logo, load_photo, read_image_file, too_big
from ..cards.values import per_size
from ..definition import KINDS, ROSTER_FILE, CampaignFolder
from ..vocabulary import check
from ..plan import cadence_dates
from ..sources import Problem, did_you_mean


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
        path = resolved(root / person.photo)
        if Path(person.photo).is_absolute() or (path is not None and not path.is_relative_to(root_resolved)):
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} is outside the campaign folder; put the photo in photos/"))
        elif path is None:
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} cannot be a file (a NUL character in "
                                         "its name, or a link to itself); write the photo's file name, e.g. photos/NAME.jpg"))
        elif not path.exists():
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} does not exist in {root}"))
        elif not path.is_file():
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r} is {_kind_of(path)}, not a file; "
                                         "write the photo's file name, e.g. photos/NAME.jpg"))
        elif big := too_big(path.stat().st_size):
            problems.append(rsrc.problem(("people", i, "photo"), f"{person.photo!r}: {big}"))
    for lang, cset in campaign.captions.items():
        for kind in KINDS:
            shorthand = isinstance(csrc.data.get("captions", {}).get(lang), list)  # en: [...] means weekly
            for j, text in enumerate(getattr(cset, kind) or []):
                loc = ("captions", lang, j) if shorthand else ("captions", lang, kind, j)
                problems.extend(csrc.problem(loc, err) for err in check(text))  # every unknown field, each once
    for i, account in enumerate(campaign.accounts):
        if account.logo:
            path = resolved(root / account.logo)
            if path is None or not path.is_relative_to(root_resolved) or not path.is_file():
                problems.append(csrc.problem(("accounts", i, "logo"), f"{account.logo!r} is not a file inside the campaign folder"))
            elif big := too_big(path.stat().st_size):
                problems.append(csrc.problem(("accounts", i, "logo"), f"{account.logo!r}: {big}"))
    return problems


def _kind_of(path: Path) -> str:
    """What is at ``path`` that is not a regular file, in plain words."""
    return ("a folder" if path.is_dir() else "a named pipe" if path.is_fifo() else "a socket" if path.is_socket()
            else "a device" if path.is_block_device() or path.is_char_device() else "not a regular file")


def read_photos(folder: CampaignFolder) -> tuple[dict[str, bytes], list[Problem]]:
    """Every person's photo (person id -> bytes), each read once, and the problems: a corrupt,
    truncated, empty or non-image photo, located at its roster.yaml line, so it is refused before
    anything is queued rather than when its card is rendered."""
    photos: dict[str, bytes] = {}
    problems = []
    for i, person in enumerate(folder.roster.people):
        if person.photo is None:
            continue
        try:
            data = read_image_file(folder.root / person.photo, person.id, person.photo)
            photos[person.id] = data
            load_photo(data, person.id, person.photo)
        except PhotoError as exc:
            problems.append(folder.roster_src.problem(("people", i, "photo"), str(exc)))
    return photos, problems


def small_photos(folder: CampaignFolder, photos: Mapping[str, bytes], templates: Iterable[Template]) -> list[str]:
    """A warning for each photo less than half as large, on its short side, as the largest face
    the campaign's templates show: a card blows it up into a blur (as the card itself warns)."""
    shown = max((min(per_size(layer.spec.box, size)[2:]) for t in templates for layer in t.spec.layers
                 if layer.kind == "photo" for size in t.sizes), default=0)  # the shorter side of the largest face
    out = []
    for i, person in enumerate(folder.roster.people):
        data = photos.get(person.id)
        if data is None:
            continue
        with Image.open(io.BytesIO(data)) as im:  # the header only: the photo decoded already
            w, h = im.size
        if blurry((w, h), (shown, shown)):
            out.append(str(folder.roster_src.problem(("people", i, "photo"), (
                f"{person.photo} is only {w}x{h} px, and cards show a face up to {shown} px wide: it will look "
                f"blurry; send a photo at least {shown} px on its shorter side"))))
    return out


def photo_problems(folder: CampaignFolder) -> list[Problem]:
    """The problems of :func:`read_photos`."""
    return read_photos(folder)[1]


def logo_problems(folder: CampaignFolder, logos: dict[str, bytes]) -> list[Problem]:
    """Every account's logo decodes, as photos must: a corrupt, truncated, empty or non-image
    logo is located at its campaign.yaml line and refused before anything is queued."""
    problems, seen = [], set()
    for i, account in enumerate(folder.campaign.accounts):
        if account.id in logos and account.logo not in seen:  # a file several accounts share: said once
            seen.add(account.logo)
            try:
                load_logo(logos[account.id], account.logo or "logo")
            except PhotoError as exc:
                others = [a.id for a in folder.campaign.accounts if a.logo == account.logo and a.id != account.id]
                problems.append(folder.campaign_src.problem(("accounts", i, "logo"), str(exc) + (
                    f" (accounts {', '.join(others)} use it too)" if others else "")))
    return problems


def read_logos(folder: CampaignFolder) -> dict[str, bytes]:
    """Every account's logo (account id -> bytes), each read once (:func:`cross_checks` has checked
    that each is a file inside the folder)."""
    return {a.id: read_image_file(folder.root / a.logo, "logo", a.logo) for a in folder.campaign.accounts if a.logo}
