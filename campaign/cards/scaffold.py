"""Starting a template (``campaign template new``): a commented ``template.yaml`` with every
canvas, written from scratch or copied from a template found by name (its images and fonts too),
renamed. What it writes passes ``campaign template check``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..errors import CardError
from .load import find_template
from .template import TEMPLATE_FILE

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

STARTER = """\
# {name}: a card template. Layers are painted top to bottom, each on the canvases in `sizes:`.
# A box is [x, y, width, height] in pixels, given per canvas ({{square: [...], portrait: [...],
# landscape: [...]}}) or once for all. Text shrinks within `size: [min, max]` to fit its box.
# Fields ({{name.primary}}, {{group}}, {{charge}}, {{detained}} ...): `campaign fields` lists them all.
# Check it:   campaign template check {name} --out out/{name}     (keeps the sample cards)
# Try it:     campaign preview CAMPAIGN_FOLDER --out out/p --template {name} --size all
name: {name}
description: One person, their photo and time behind bars.
max_people: 1  # a photo layer shows one person; use a grid layer for several

# Font families the layers name. Noto packages are installed with the project; a file in this
# folder works too: {{file: fonts/MyFont.ttf}}.
fonts:
  sans: {{package: fontpkg_noto_sans}}
  khmer: {{package: fontpkg_noto_sans_khmer}}  # text containing Khmer is set in font_khmer (default: khmer)

# Every card is made on each canvas: square (feeds), portrait (stories), landscape (link cards).
sizes:
  square: [1080, 1080]
  portrait: [1080, 1350]
  landscape: [1200, 675]

layers:
  # --- what every card shares (painted once per canvas and reused) ---------------------------
  # A colour, a gradient, or an image in this folder: {{image: background.jpg}} (cropped to cover).
  - background: {{gradient: {{from: "#1e2636", to: "#0a0c11", direction: vertical}}}}
  - shape:  # the band at the foot
      box: {{square: [0, 840, 1080, 240], portrait: [0, 1130, 1080, 220], landscape: [0, 505, 1200, 170]}}
      fill: "#7f1d1d"
  - text:
      id: campaign
      text: "{{campaign.name}}"
      box: {{square: [60, 44, 960, 56], portrait: [60, 44, 960, 56], landscape: [50, 26, 1100, 48]}}
      size: {{default: [18, 30], landscape: [16, 26]}}
      weight: 700
      color: "#e9b44c"
      uppercase: true
      valign: middle

  # --- the person ----------------------------------------------------------------------------
  # Without a photo, a silhouette (colours under `placeholder:`) is shown instead.
  - photo:
      box: {{square: [60, 160, 430, 430], portrait: [290, 156, 500, 500], landscape: [50, 118, 340, 340]}}
      shape: circle  # circle, rounded (with radius:) or rect
      border: {{width: 6, color: "#e9b44c"}}
  - text:
      id: name
      text: "{{name.primary}}"  # the first of the campaign's languages (languages:) the name is written in; {{name.secondary}}: the card's language, or the next
      box: {{square: [530, 170, 490, 160], portrait: [60, 684, 960, 130], landscape: [430, 112, 720, 120]}}
      size: {{default: [36, 80], landscape: [30, 64]}}
      max_lines: 2
      weight: 700
  - text:
      id: group
      text: "{{group}}"
      box: {{square: [530, 446, 490, 110], portrait: [60, 880, 960, 80], landscape: [430, 292, 720, 70]}}
      size: {{default: [20, 32], landscape: [18, 28]}}
      max_lines: 3
      color: "#a7b4c8"
  - text:
      id: charge
      when: {{has: charge}}  # painted only when the roster knows a charge
      text: "{{case_label}} {{charge}}"
      box: {{square: [60, 640, 960, 150], portrait: [60, 990, 960, 120], landscape: [430, 380, 720, 110]}}
      size: {{default: [24, 42], landscape: [20, 32]}}
      max_lines: 2
      weight: 500

  # --- time behind bars, as of the card's day, on the band ----------------------------------
  - text:
      id: detained label
      when: {{status: [detained, imprisoned]}}
      text: {{en: "Behind bars for", km: "ជាប់ឃុំអស់រយៈពេល"}}  # a text per card language
      box: {{square: [60, 862, 740, 44], portrait: [60, 1150, 740, 44], landscape: [50, 520, 860, 36]}}
      size: {{default: 28, landscape: 22}}
      weight: 700
      color: "#fecaca"
      uppercase: true
  - text:
      id: time behind bars
      text: "{{detained}}"
      box: {{square: [60, 910, 740, 150], portrait: [60, 1198, 740, 140], landscape: [50, 560, 860, 104]}}
      size: {{default: [36, 72], landscape: [28, 52]}}
      max_lines: 2
      weight: 800
  - logo:  # the account's logo (accounts[].logo in campaign.yaml), when it has one
      box: {{square: [830, 880, 190, 160], portrait: [830, 1170, 190, 150], landscape: [960, 525, 190, 130]}}
      align: right

# Alt text for people who cannot see the card, per card language (the same fields).
alt:
  en: "Campaign card, week {{week}}: {{name}}, {{group}}. Behind bars for {{detained}}. {{campaign.name}}."
  km: "កាតយុទ្ធនាការ សប្តាហ៍ទី {{week}}៖ {{name}} {{group}}។ ជាប់ឃុំអស់រយៈពេល {{detained}}។ {{campaign.name}}"
"""


def new_template(name: str, into: Path, source: str | None = None, campaign_root: Path | None = None) -> Path:
    """Write the template ``name`` into ``into/name`` (made): the commented starter, or a copy of the
    template ``source`` (found as templates are, with its images and fonts) renamed. Returns its
    folder. Raises CardError for a bad name, a folder already there, or a source not found."""
    if not NAME_RE.match(name):
        raise CardError(f"template name {name!r}: use lower-case letters, digits, - and _ (e.g. my-portrait)")
    target = into / name
    if target.exists():
        raise CardError(f"{target} already exists; choose another name or remove it first")
    if source is None:
        target.mkdir(parents=True)
        (target / TEMPLATE_FILE).write_text(STARTER.format(name=name), encoding="utf-8")
        return target
    origin = find_template(source, campaign_root)
    shutil.copytree(origin, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    text = (target / TEMPLATE_FILE).read_text(encoding="utf-8")
    header = f"# {name}: started from the template {source!r}.\n"
    renamed, n = re.subn(r"(?m)^name:.*$", f"name: {name}", text, count=1)
    (target / TEMPLATE_FILE).write_text(header + (renamed if n else f"name: {name}\n" + text), encoding="utf-8")
    return target


__all__ = ["NAME_RE", "STARTER", "new_template"]
