"""Caption lints: what is valid in a campaign's captions but will probably not come out as meant.

Captions that will probably be shortened on some account's platform (estimated with typical field
values), hashtags that leave no room, X accounts that could post identical text, and, given the
roster, captions using a field that is empty for someone they will be posted about
(:func:`campaign.checks.caption_facts.empty_field_problems`). ``campaign validate`` prints them
as warnings; nothing is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import xtext
from ..captions import caption_length, fits, limit_of
from ..definition import KINDS
from ..fields import sample_values
from ..fields import tidy as _tidy
from ..platforms import costs
from .caption_facts import empty_field_problems

if TYPE_CHECKING:
    from ..definition import Campaign
    from ..roster import Roster


# Field values of a typical post, a little on the long side, to estimate a template's length:
# each field in English and in Khmer, side by side (another language is measured in English).
_TYPICAL: dict[str, tuple[str, str]] = {
    "name": ("Chhoeun Daravy and Sun Ratha", "ឆឿន ដារ៉ាវី និង ស៊ុន រដ្ឋា"),
    "name_en": ("Chhoeun Daravy", "Chhoeun Daravy"),
    "name_km": ("ឆឿន ដារ៉ាវី", "ឆឿន ដារ៉ាវី"),
    "group": ("Khmer Thavrak", "ខ្មែរថាមពល"),
    "role": ("youth activist", "សកម្មជនយុវជន"),
    "charge": ("incitement to commit a felony", "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ"),
    "days": ("365", "៣៦៥"),
    "duration": ("1 year and 2 months", "១ឆ្នាំ ២ខែ"),
    "sentence": ("20 months in prison", "ជាប់ពន្ធនាគារ ២០ខែ"),
    "released_on": ("9 November 2021", "៩ វិច្ឆិកា ២០២១"),
    "count": ("12", "១២"),
    "week": ("12", "១២"),
    "organisation": ("LICADHO", "លីកាដូ"),
    "status": ("imprisoned", "ជាប់ពន្ធនាគារ"),
    "case": ("sentenced to 1 year and 8 months for incitement to commit a felony",
             "ត្រូវបានកាត់ទោស ១ ឆ្នាំ និង ៨ ខែ ពីបទញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ"),
    "case_label": ("sentenced to 1 year and 8 months for", "ត្រូវបានកាត់ទោស ១ ឆ្នាំ និង ៨ ខែ ពីបទ"),
    "since": ("3 September 2020", "៣ កញ្ញា ២០២០"),
    "months_detained": ("14", "១៤"),
    "convicted_on": ("5 May 2021", "៥ ឧសភា ២០២១"),
    "release_note": ("charges not dropped", "ការចោទប្រកាន់មិនត្រូវបានលុបចោលទេ"),
    "charges_remain": ("the charges remain", "ការចោទប្រកាន់នៅតែមាន"),
    "charges_dropped": ("the charges were dropped", "ការចោទប្រកាន់ត្រូវបានលុបចោល"),
    "next_hearing": ("9 November 2021", "៩ វិច្ឆិកា ២០២១"),
}
_SAMPLE = {lang: {name: values[i] for name, values in _TYPICAL.items()} for i, lang in enumerate(("en", "km"))}


def caption_problems(campaign: Campaign, roster: Roster | None = None) -> list[str]:
    """Warnings for ``campaign validate``: captions that will probably be shortened on some
    account's platform, hashtags that leave no room, X accounts that could post identical
    text (X forbids identical content across accounts) and, given the roster, captions using a
    field that is empty for someone they will be posted about (:func:`empty_field_problems`)."""
    problems: list[str] = []
    tags = " ".join(campaign.hashtags)
    for platform in sorted({a.platform for a in campaign.accounts}):
        limit = limit_of(platform)
        if limit is None:
            continue
        accounts = [a for a in campaign.accounts if a.platform == platform]
        if tags and not fits(tags + " " + "x" * 40, platform):
            problems.append(f"hashtags: {tags!r} leave almost no room on {platform} "
                            f"(limit {limit.size} {limit.unit}); use fewer hashtags")
        for lang in sorted({a.language for a in accounts}):
            for kind, i, text in _typical(campaign, lang):
                if not fits(text, platform):
                    problems.append(
                        f"captions.{lang}.{kind}[{i}]: about {caption_length(text, platform)} {limit.unit} "
                        f"with typical names; {platform} takes {limit.size}, so it will be shortened at a "
                        "word boundary (hashtags kept); shorten the template to keep every word")
    problems.extend(_x_collisions(campaign))
    problems.extend(_x_links(campaign))
    if roster is not None:
        problems.extend(empty_field_problems(campaign, roster))
    return problems


def _x_links(campaign: Campaign) -> list[str]:
    """Caption variants of X accounts' languages that carry a link: X bills such a post at its
    dearer rate (``post_with_link`` in campaign/platforms.py COSTS)."""
    price = costs("x")
    out = []
    for lang in sorted({a.language for a in campaign.accounts if a.platform == "x"}):
        for kind, i, text in _typical(campaign, lang):
            spans = xtext.url_spans(text)
            if spans:
                link = text[spans[0][0]:spans[0][1]]
                out.append(f"captions.{lang}.{kind}[{i}]: carries a link ({link}); on X a post with a link costs "
                           f"${price.of_post(True):.2f} instead of ${price.of_post(False):.3f} (pay-per-use); "
                           "put the address on the card or in the profile instead")
    return out


def _typical(campaign: Campaign, lang: str) -> Iterator[tuple[str, int, str]]:
    """Each caption variant of ``lang`` (kind, index) filled with typical field values."""
    cset = campaign.captions.get(lang)
    if cset is None:
        return
    tags = " ".join(campaign.hashtags)
    sample = sample_values({**_SAMPLE.get(lang, _SAMPLE["en"]), "campaign": campaign.name, "hashtags": tags})
    for kind in KINDS:
        for i, template in enumerate(getattr(cset, kind) or []):
            try:
                yield kind, i, _tidy(template.format(**sample))
            except (KeyError, IndexError, ValueError):
                continue  # check_template reports broken templates


def _x_collisions(campaign: Campaign) -> list[str]:
    """X accounts of one language that could receive the same text on the same day."""
    out = []
    for lang in sorted({a.language for a in campaign.accounts if a.platform == "x"}):
        peers = [a for a in campaign.accounts if a.platform == "x" and a.language == lang]
        if len(peers) < 2 or lang not in campaign.captions:
            continue
        distinct_orgs = len({a.organisation for a in peers}) == len(peers)
        for kind in KINDS:
            variants = campaign.captions[lang].for_kind(kind)
            if len(variants) >= len(peers):
                continue  # caption_variant gives each account a different one
            shared = [i for i, t in enumerate(variants) if not (distinct_orgs and "{organisation}" in t)]
            if shared:
                ids = ", ".join(a.id for a in peers)
                out.append(
                    f"captions.{lang}.{kind}: {len(peers)} X accounts ({ids}) share {len(variants)} variant(s), "
                    f"and variant(s) {', '.join(map(str, shared))} do not name the {{organisation}}; X forbids "
                    "identical posts across accounts: add variants or put {organisation} in them")
    return out
