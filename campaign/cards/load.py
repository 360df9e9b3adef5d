"""Finding and reading a template folder: where templates are looked for, ``template.yaml``
validated and linted, font families resolved to files (an installed font package or a file in
the folder), background images checked; and the templates a campaign uses, checked for
``campaign validate``."""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path

from ..bounded import resolved
from ..sources import InputError, Located, Problem, load_model
from ..errors import CardError
from .lint import check_spec
from .photos import MAX_PIXELS, too_big, unreadable
from .template import TEMPLATE_FILE, Template, TemplateSpec, default_fonts

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "templates"
ENV_PATH = "CAMPAIGN_TEMPLATE_PATH"


def template_dirs(campaign_root: Path | None = None) -> list[Path]:
    """Where templates are looked for, in order: the campaign's templates/, $CAMPAIGN_TEMPLATE_PATH, the repo's assets/templates."""
    dirs: list[Path] = []
    if campaign_root is not None:
        dirs.append(Path(campaign_root) / "templates")
    dirs += [Path(p) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p]
    dirs.append(ASSETS)
    return dirs


def find_template(name: str, campaign_root: Path | None = None) -> Path:
    """The folder of the template called ``name`` (or a path to a template folder).

    Raises CardError naming every place it looked.
    """
    direct = Path(name)
    if (os.sep in name or "/" in name) and (direct / TEMPLATE_FILE).is_file():
        return direct
    looked = []
    for d in template_dirs(campaign_root):
        candidate = d / name
        if (candidate / TEMPLATE_FILE).is_file():
            return candidate
        looked.append(str(candidate))
    raise CardError(f"no template {name!r}: looked for {TEMPLATE_FILE} in " + ", ".join(looked))


def is_path(name: str) -> bool:
    """Whether a template's name is written as a path (``./mine``, ``a/b``, ``.``), not a name."""
    return "/" in name or "\\" in name or os.sep in name or name in (".", "..")


def find_named(name: str, campaign_root: Path | None = None) -> Path:
    """The folder of the template called ``name`` as campaign.yaml names one (and ``preview``):
    a name, never a path, which would be read from the folder the command runs in. Raises
    CardError saying what to write instead, or naming every place it looked."""
    if is_path(name):
        where = f"{Path(campaign_root) / 'templates'}/" if campaign_root is not None else "a campaign's templates/"
        raise CardError(f"{name!r} is a path; name a template instead: put its folder in {where} (or in a "
                        f"folder of ${ENV_PATH}) and write its folder's name")
    return find_template(name, campaign_root)


def package_font(package: str, file: str | None = None, italic: bool = False) -> Path:
    """The font file shipped in an installed font package (``<package>/files/*.ttf``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        dist = package.replace("_", "-")
        raise CardError(f"font package {package!r} is not installed (pip install {dist})")
    files = Path(spec.origin).parent / "files"
    if file:
        path = files / file
        if not path.is_file():
            have = ", ".join(sorted(p.name for p in files.glob("*.[ot]tf"))) or "none"
            raise CardError(f"font package {package!r} has no file {file!r} (it has: {have})")
        return path
    # a variable font first (it takes every weight), else the plain one: "Amiri-Regular.ttf", not
    # "Amiri-Bold.ttf" (the first by name), which would set every text of the family in bold
    candidates = sorted((p for p in files.glob("*.[ot]tf") if ("Italic" in p.name) == italic),
                        key=lambda p: ("[" not in p.name, any(w in p.name for w in _WEIGHT_WORDS), p.name))
    if not candidates:
        raise CardError(f"font package {package!r} has no {'italic ' if italic else ''}font file in {files}")
    return candidates[0]


_WEIGHT_WORDS = ("Thin", "Light", "Medium", "SemiBold", "Bold", "Black", "Heavy")  # in a static font's file name


def _resolve_fonts(spec: TemplateSpec, root: Path, src: Located) -> tuple[dict[str, Path], list[Problem]]:
    out: dict[str, Path] = {}
    problems: list[Problem] = []
    for family, font in spec.fonts.items():
        loc = ("fonts", family)
        try:
            if font.package:
                out[family] = package_font(font.package, font.file, font.italic)
            else:
                assert font.file
                path = resolved(root / font.file)
                package = (default_fonts().get(family) or default_fonts()["sans"]).package
                if path is None:
                    raise CardError(f"{font.file!r} cannot be a file (a NUL character in its name, or a link to "
                                    f"itself); write the font's file name, e.g. fonts/MyFont.ttf, or use {{package: {package}}}")
                if not path.is_relative_to(root.resolve()):
                    raise CardError(f"{font.file!r} is outside the template folder; put the font in it (e.g. fonts/), "
                                    f"or use {{package: {package}}}")
                if not path.is_file():
                    raise CardError(f"font file {font.file!r} not found in {root}; put the file there, fix the path "
                                    f"(it is relative to the template folder), or use {{package: {package}}}")
                out[family] = path
            _check_font_file(out[family])
        except CardError as exc:
            problems.append(src.problem(loc, str(exc)))
    return out, problems


def _check_font_file(path: Path) -> None:
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 20)
    except OSError as exc:
        raise CardError(f"{path.name} is not a usable font file ({exc}); use a TrueType or OpenType font "
                        "(.ttf, .otf), or a Noto package: {package: fontpkg_noto_sans}") from None


def _check_images(spec: TemplateSpec, root: Path, src: Located) -> list[Problem]:
    from PIL import Image

    problems = []
    for i, layer in enumerate(spec.layers):
        if layer.background and layer.background.image:
            path = resolved(root / layer.background.image)
            loc = ("layers", i, "background", "image")
            if path is None or not path.is_relative_to(root.resolve()) or not path.is_file():
                problems.append(src.problem(loc, f"{layer.background.image!r} is not a file in the template folder"))
                continue
            if big := too_big(path.stat().st_size):
                problems.append(src.problem(loc, f"{layer.background.image!r}: {big}"))
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    with Image.open(path) as im:
                        if im.size[0] * im.size[1] > MAX_PIXELS:
                            problems.append(src.problem(loc, f"{layer.background.image!r} is {im.size[0]}x{im.size[1]} "
                                                        f"pixels, more than {MAX_PIXELS // 1_000_000} megapixels; make "
                                                        "it the size of the card"))
                            continue
                        im.load()  # decodes it all: verify() reads a PNG through but a JPEG only to its header, so a truncated one passed
            except Exception as exc:  # noqa: BLE001 - any decoder failure means the same to a designer
                problems.append(src.problem(loc, f"{layer.background.image!r}: {unreadable(exc, 'background image')}"))
    return problems


def load_template(path: Path) -> Template:
    """Read, validate and resolve a template folder (or its template.yaml).

    Raises InputError (``template.yaml:LINE: field: message``) for anything wrong in the folder.
    """
    path = Path(path)
    root = path.parent if path.name == TEMPLATE_FILE or path.is_file() else path
    file = root / TEMPLATE_FILE
    if not file.is_file():
        raise InputError([Problem(str(file), None, "", "no template.yaml here; a template is a folder with template.yaml")])
    spec, src = load_model(file, TemplateSpec, display=str(file))
    problems = [src.problem(loc, message) for loc, message in check_spec(spec)]
    fonts, font_problems = _resolve_fonts(spec, root, src)
    problems += font_problems + _check_images(spec, root, src)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return Template(name=spec.name or root.name, root=root, spec=spec, fonts=fonts, source=src)


def template_at(path_or_name: Path | str, campaign_root: Path | None = None) -> Template:
    """The template at a path (a folder or its template.yaml), or the one called by a name
    (:func:`find_template`); raises CardError or InputError."""
    p = Path(path_or_name)
    return load_template(p if (p / TEMPLATE_FILE).is_file() or p.name == TEMPLATE_FILE
                         else find_template(str(path_or_name), campaign_root))


__all__ = ["ASSETS", "ENV_PATH", "find_named", "find_template", "is_path", "load_template", "package_font",
           "template_at", "template_dirs"]
