"""Starting a template (``campaign template new``): a commented ``template.yaml`` with every
canvas, written from scratch or copied from a template found by name (its images and fonts too),
renamed. What it writes passes ``campaign template check``. The starter is ``starter.yaml`` beside
this module."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

from ..errors import CardError
from .load import find_template
from .template import TEMPLATE_FILE

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# The commented starter, ``${name}`` standing for the new template's name (string.Template).
STARTER = (Path(__file__).resolve().parent / "starter.yaml").read_text(encoding="utf-8")


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
        (target / TEMPLATE_FILE).write_text(string.Template(STARTER).substitute(name=name), encoding="utf-8")
        return target
    origin = find_template(source, campaign_root)
    shutil.copytree(origin, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    text = (target / TEMPLATE_FILE).read_text(encoding="utf-8")
    header = f"# {name}: started from the template {source!r}.\n"
    renamed, n = re.subn(r"(?m)^name:.*$", f"name: {name}", text, count=1)
    (target / TEMPLATE_FILE).write_text(header + (renamed if n else f"name: {name}\n" + text), encoding="utf-8")
    return target


__all__ = ["NAME_RE", "STARTER", "new_template"]
