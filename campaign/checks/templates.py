"""The card templates a campaign names: each found and loaded once (its folder's files kept, for
``apply`` to store), able to show every planned post (capacity), and a template's lints."""

from __future__ import annotations

import dataclasses
import io
import tarfile
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cards import CardError, Template, load_template
from ..cards.lint import sample_languages
from ..cards.coverage import static_weight
from ..cards.load import find_named
from ..cards.template import TextStyle
from ..definition import CampaignFolder
from ..plan import FINALE, RELEASED, WEEKLY, Slot
from ..sources import InputError, Loc, Problem
from ..words import supported, words

# The campaign.yaml field that names the template of each kind of post, in the order they are written.
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    WEEKLY: ("template",), RELEASED: ("released_template",), FINALE: ("finale", "template"),
}
SHOWN_DAYS = 5  # days listed in a capacity problem; the rest are counted
MIN_READABLE_PX = 8  # smaller text cannot be read on a phone


@dataclass(frozen=True)
class CheckedTemplate:
    """A template as checked: loaded, and its folder's files as :func:`tar_folder` packs them."""

    template: Template
    files: bytes


def tar_folder(folder: Path) -> bytes:
    """A deterministic tar of a folder (sorted names, no times or owners): same files, same hash."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.relative_to(folder).as_posix())
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def load_templates(folder: CampaignFolder) -> tuple[dict[str, CheckedTemplate], list[Problem]]:
    """Each template the campaign names (template, released_template, finale.template), found and
    loaded once, and the problems of those that do not load, located at the campaign.yaml field
    naming them (a template's own problems follow, at their template.yaml lines)."""
    c = folder.campaign
    uses: list[tuple[tuple[str, ...], str]] = [(("template",), c.template), (("released_template",), c.released_template)]
    if c.finale:
        uses.append((("finale", "template"), c.finale.template))
    loaded: dict[str, CheckedTemplate] = {}
    problems: list[Problem] = []
    seen: dict[str, list[Problem]] = {}
    for loc, name in uses:
        if name in seen:
            if seen[name]:
                problems.append(dataclasses.replace(folder.campaign_src.problem(
                    loc, f"template {name!r} does not load (see above)"), aside=True))
            continue
        found: list[Problem] = []
        try:
            path = find_named(name, folder.root)  # a name: a path would be found or not by where the command runs
            template = load_template(path)
            loaded[name] = CheckedTemplate(template, tar_folder(template.root))
        except CardError as exc:
            found.append(folder.campaign_src.problem(loc, str(exc)))
        except InputError as exc:
            n = len(exc.problems)
            found.append(dataclasses.replace(folder.campaign_src.problem(
                loc, f"template {name!r} has {n} problem{'s' if n != 1 else ''}, below"), aside=True))
            found.extend(exc.problems)
        seen[name] = found
        problems.extend(found)
    return loaded, problems


def check_folder_templates(folder: CampaignFolder) -> list[Problem]:
    """The problems of :func:`load_templates`."""
    return load_templates(folder)[1]


def capacity_problems(folder: CampaignFolder, templates: Mapping[str, Template], slots: Sequence[Slot]) -> list[Problem]:
    """A template whose max_people is smaller than a planned post (a day's releases announced
    together, people_per_post or pins above it, a finale of everyone still held), one problem per
    template at the campaign.yaml field naming it, so the campaign is refused now rather than when
    the card is rendered. ``templates`` are those that loaded (the others are reported already)."""
    crowded: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        if len(slot.people) > 1:  # max_people is at least 1: single-person posts always fit
            crowded[slot.template].append(slot)
    problems = []
    for name, over_slots in crowded.items():
        if name not in templates:
            continue  # load_templates has reported it
        limit = templates[name].spec.max_people
        over = [s for s in over_slots if limit is not None and len(s.people) > limit]
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


def template_warnings(t: Template) -> list[str]:
    """What is valid in a template but probably not meant, located at template.yaml lines:
    alt text lacking a card language, text allowed to shrink below MIN_READABLE_PX, and a
    ``weight:`` a static font file cannot draw."""
    out: list[str] = []
    rules = [(("alt",), t.spec.alt)] if isinstance(t.spec.alt, dict) else [
        (("alt", i, "text"), rule.text) for i, rule in enumerate(t.spec.alt)]
    langs = sample_languages(t)  # English, Khmer and every language the template writes a text in
    for loc, texts in rules:
        for lang in langs:
            if lang not in texts:
                # a post falls back to the English alt, else to the first one given
                instead = "en" if "en" in texts else next(iter(texts), None)
                then = f"fall back to the {_language(instead)} alt text" if instead else "have no alt text"
                out.append(str(t.source.problem(loc, f"no {lang} text: {_language(lang)} cards would {then}")))
    for at, style in _styles(t):
        out.extend(_tiny_text(t, at + ("size",), style))
        out.extend(_weight_not_drawn(t, at, style))
    return out


def _language(code: str) -> str:
    """A language's English name (``be``: Belarusian), or its code for one the project has no words for."""
    return words(code).name if supported(code) else code


def _styles(t: Template) -> Iterator[tuple[Loc, TextStyle]]:
    """Every text style of the template, where it is written: a text layer's, a badge's, a grid's
    label, each text of a flow (each shrinks within its own size range)."""
    for i, layer in enumerate(t.spec.layers):
        styles: list[tuple[Loc, object]] = [(("layers", i, layer.kind), layer.spec)]
        if layer.kind == "grid":
            styles = [(("layers", i, "grid", "label"), layer.spec.label)]
        elif layer.kind == "flow":
            styles = [(("layers", i, "flow", "layers", j, "text"), entry.text) for j, entry in enumerate(layer.spec.layers)]
        yield from ((at, style) for at, style in styles if isinstance(style, TextStyle))


def _weight_not_drawn(t: Template, at: Loc, style: TextStyle) -> list[str]:
    """A warning for each static font file of ``style``'s families (``font``, ``font_khmer``)
    whose one weight is not the ``weight:`` written: it is drawn in the file's weight, whatever
    the weight says (a variable font takes every weight)."""
    if "weight" not in style.model_fields_set:
        return []
    out, seen = [], set()
    for option in ("font", "font_khmer"):
        family = getattr(style, option)
        path = t.fonts.get(family)
        if path is None or path in seen:
            continue
        seen.add(path)
        own = static_weight(path)
        if own is None or own == style.weight:
            continue
        name = f"{style.id!r} " if getattr(style, "id", None) else ""
        word = _WEIGHT_NAMES[min(900, max(100, round(style.weight / 100) * 100))]
        out.append(str(t.source.problem(at + ("weight",), (
            f"{style.weight}, but the {name}text's {option} family {family!r} is {path.name}, a static font of "
            f"weight {own}: its text is drawn at {own}. Give a {word} file as a family of its own (e.g. "
            f"{family}_{word.lower()}: {{file: fonts/MyFont-{word}.ttf}}, then {option}: {family}_{word.lower()}), "
            "use a variable font (such as {package: fontpkg_noto_sans}), or remove weight"))))
    return out


_WEIGHT_NAMES = {100: "Thin", 200: "ExtraLight", 300: "Light", 400: "Regular", 500: "Medium", 600: "SemiBold",
                 700: "Bold", 800: "ExtraBold", 900: "Black"}  # as static font files are named


def _tiny_text(t: Template, size_at: Loc, style: TextStyle) -> list[str]:
    """A warning if ``style`` may set its text under MIN_READABLE_PX on some canvas."""
    sizes = style.size if isinstance(style.size, dict) else {"": style.size}
    small = {canvas: v if isinstance(v, int) else v[0] for canvas, v in sizes.items()}
    small = {canvas: px for canvas, px in small.items() if px < MIN_READABLE_PX}
    if not small:
        return []
    where = ", ".join(f"{px} px ({canvas})" if canvas else f"{px} px" for canvas, px in small.items())
    return [str(t.source.problem(size_at, f"may shrink to {where}, under {MIN_READABLE_PX} px: unreadable on a phone"))]
