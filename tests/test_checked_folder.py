"""The one validation stage reads a campaign folder once; apply stores what it read as it is.

``load_checked`` opens each file of the folder once and loads each template once; the
:class:`CheckedFolder` it returns holds the bytes, so ``apply`` reads nothing from disk: a folder
deleted after its check applies the same, down to the definition's hash.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections import Counter
from pathlib import Path

import yaml
from PIL import Image

from campaign.cards import ASSETS
from campaign.checks import CheckedFolder, load_checked
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied
from campaign.pipeline.applied import template_for
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import SMALL_CAMPAIGN, local, write_folder

_opened: list[Path] | None = None  # files opened while a test listens (audit hooks cannot be removed)


def _hook(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, Path)):
        _opened.append(Path(args[0] if not isinstance(args[0], bytes) else args[0].decode()).resolve())


sys.addaudithook(_hook)


def opens(action):  # type: ignore[no-untyped-def]
    """The files ``action()`` opens, counted, and its result."""
    global _opened
    _opened = []
    try:
        result = action()
        return Counter(_opened), result
    finally:
        _opened = None


def jpeg(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 80), colour).save(buf, "JPEG")
    return buf.getvalue()


def full_folder(root: Path) -> Path:
    """The small campaign with a photo, a logo and its own copies of the templates it uses."""
    campaign = {**SMALL_CAMPAIGN, "accounts": [{**SMALL_CAMPAIGN["accounts"][0], "logo": "logo.jpg"},
                                               *SMALL_CAMPAIGN["accounts"][1:]]}
    folder = write_folder(root, campaign=campaign)
    roster = yaml.safe_load((folder / "roster.yaml").read_text(encoding="utf-8"))
    roster["people"][0]["photo"] = "photos/rong-chhun.jpg"
    write_folder(root, campaign=campaign, roster=roster)
    (folder / "photos").mkdir()
    (folder / "photos" / "rong-chhun.jpg").write_bytes(jpeg("#884422"))
    (folder / "logo.jpg").write_bytes(jpeg("#224488"))
    for name in ("portrait", "released"):
        shutil.copytree(ASSETS / name, folder / "templates" / name)
    return folder


def test_the_check_opens_each_file_of_the_folder_once_and_loads_each_template_once(tmp_path: Path) -> None:
    folder = full_folder(tmp_path / "small").resolve()
    counted, checked = opens(lambda: load_checked(folder))
    mine = {path: n for path, n in counted.items() if path.is_relative_to(folder)}
    files = [p for p in folder.rglob("*") if p.is_file()]
    outside_templates = [p for p in files if not p.is_relative_to(folder / "templates")]
    assert {p: mine.get(p, 0) for p in outside_templates} == {p: 1 for p in outside_templates}
    # a template's template.yaml: once kept with its files (for apply to store), once loaded; the
    # checks (templates, capacity, languages) share the one loaded template
    for name in ("portrait", "released"):
        assert mine[folder / "templates" / name / "template.yaml"] == 2, name
    assert set(checked.templates) == {"portrait", "released"}
    assert checked.photos == {"rong-chhun": (folder / "photos" / "rong-chhun.jpg").read_bytes()}
    assert checked.logos == {"a-en": (folder / "logo.jpg").read_bytes()}


def test_apply_reads_nothing_from_disk(ledger: Ledger, tmp_path: Path) -> None:
    """Two identical folders: one applied while on disk, the other deleted between its check and its apply."""
    now = local("2021-11-07")
    kept = load_checked(full_folder(tmp_path / "kept" / "small"))
    gone = load_checked(full_folder(tmp_path / "gone" / "small"))
    shutil.rmtree(tmp_path / "gone")
    counted, _ = opens(lambda: apply_folder(ledger, gone, now))
    assert not [p for p in counted if p.is_relative_to((tmp_path / "gone").resolve())]
    applied = load_applied(ledger, "small")
    assert set(applied.photos) == {"rong-chhun"} and set(applied.logos) == {"a-en"}
    assert ledger.get_blob(applied.photos["rong-chhun"]) == gone.photos["rong-chhun"]
    stored = ledger.campaign("small")
    assert stored["campaign_yaml"] == gone.campaign_src.text and "logo: logo.jpg" in stored["campaign_yaml"]
    # The same folder applied from disk stores the same definition (the folder field aside).
    gone_hash = stored["def_hash"]
    apply_folder(ledger, kept, now)
    assert ledger.campaign("small")["def_hash"] == gone_hash
    assert isinstance(kept, CheckedFolder)


def test_a_process_builds_an_applied_campaign_once_per_definition(ledger: Ledger, tmp_path: Path) -> None:
    """What a worker reads back from Redis is validated once per definition hash, and each template
    loaded once per content: a worker renders every post of a definition from the same objects."""
    folder = full_folder(tmp_path / "small")
    apply_folder(ledger, load_checked(folder), local("2021-11-07"))
    first = load_applied(ledger, "small")
    assert load_applied(ledger, "small") is first
    template = template_for(ledger, first, "portrait", tmp_path / "cache")
    assert template_for(ledger, first, "portrait", tmp_path / "cache") is template
    roster = yaml.safe_load((folder / "roster.yaml").read_text(encoding="utf-8"))
    roster["people"][1]["events"].append({"date": "2021-11-10", "type": "released"})
    write_folder(folder, campaign=yaml.safe_load((folder / "campaign.yaml").read_text(encoding="utf-8")), roster=roster)
    apply_folder(ledger, load_checked(folder), local("2021-11-07"))
    second = load_applied(ledger, "small")
    assert second is not first and second.def_hash != first.def_hash
    assert load_applied(ledger, "small") is second
    assert [e.type for e in second.roster.by_id()["sar-kanika"].events] == ["arrested", "released"]
    assert template_for(ledger, second, "portrait", tmp_path / "cache") is template  # the same files


def test_a_logo_that_does_not_decode_is_refused_like_a_photo_at_its_line(tmp_path: Path) -> None:
    """A corrupt or empty logo is refused when the campaign is checked, at the account's ``logo``
    line in campaign.yaml, never when its first card is rendered (issue 13)."""
    import pytest

    from campaign.sources import InputError

    folder = full_folder(tmp_path / "small")
    text = (folder / "campaign.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "logo.jpg" in row)
    for data, said in ((jpeg("#224488")[:60], "export it again as PNG or JPEG"), (b"", "empty")):
        (folder / "logo.jpg").write_bytes(data)
        with pytest.raises(InputError) as err:
            load_checked(folder)
        assert f"campaign.yaml:{line}:" in str(err.value) and "logo" in str(err.value) and said in str(err.value)


def test_a_worker_reads_back_the_texts_in_the_order_they_were_written(ledger: Ledger, tmp_path: Path) -> None:
    """A text without the post's language falls back to the first one written ({fr: ..., be: ...} in an
    English post says the French), so what a worker loads from Redis keeps the folder's order: the
    posts say what preview and `campaign fields` showed, and applying the same folder again reports
    no news about anyone."""
    roster = yaml.safe_load(yaml.safe_dump(SMALL_ROSTER))
    roster["people"][1]["group"] = {"fr": "syndicat", "be": "прафсаюз"}
    roster["people"][1]["events"][0]["charge"] = {"km": "ញុះញង់", "en": "incitement"}
    campaign = {**SMALL_CAMPAIGN, "name": {"km": "យុទ្ធនាការ", "en": "Small test campaign"}}
    checked = load_checked(write_folder(tmp_path / "small", campaign=campaign, roster=roster))
    assert apply_folder(ledger, checked, local("2021-11-07")).first
    applied = load_applied(ledger, "small")
    assert applied.roster.by_id()["sar-kanika"].group.get("en") == "syndicat"
    assert applied.roster.model_dump_json() == checked.roster.model_dump_json()
    assert applied.campaign.model_dump_json() == checked.campaign.model_dump_json()
    again = apply_folder(ledger, load_checked(tmp_path / "small"), local("2021-11-07"))
    assert again.people == []


def test_a_photo_less_than_half_the_largest_face_a_card_shows_is_warned_of_at_its_line(tmp_path: Path) -> None:
    """A 64x80 photo on a card that shows faces 500 px wide is a blur: validate warns at its
    roster.yaml line, with the size to send; a photo half that face or more is not warned of."""
    from campaign.checks import warnings

    folder = full_folder(tmp_path / "small")
    text = (folder / "roster.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "rong-chhun.jpg" in row)
    small = [w for w in warnings(load_checked(folder)) if "blurry" in w]
    assert small == [f"{folder / 'roster.yaml'}:{line}: people[0].photo: photos/rong-chhun.jpg is only 64x80 px, and "
                     "cards show a face up to 500 px wide: it will look blurry; send a photo at least 500 px on its "
                     "shorter side"]
    for size, warned in (((249, 400), True), ((250, 400), False), ((1200, 1500), False)):
        buf = io.BytesIO()
        Image.new("RGB", size, "#884422").save(buf, "JPEG")
        (folder / "photos" / "rong-chhun.jpg").write_bytes(buf.getvalue())
        assert any("blurry" in w for w in warnings(load_checked(folder))) is warned, size
