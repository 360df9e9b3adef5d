"""Pages a person shares (a preview's contact sheet, ``report.html``) ship the project's fonts and
link only relatively: the folder, copied or zipped elsewhere, opens with its Khmer drawn in the
shipped font (in headless Chromium, with no Khmer system font) and no link into the machine that
made it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from campaign.cards import find_template, load_template
from campaign.cards.preview import Job, Result, sample_cards, write_sheet
from campaign.cards.webfonts import FONTS_DIR, project_fonts
from campaign.report import page_link

from tests import needs
from tests.needs import CHROMIUM


def test_a_file_address_inside_the_folder_becomes_a_relative_link_and_one_outside_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    inside = out / "outbox" / "x" / "post 1.json"
    assert page_link(inside.resolve().as_uri(), out) == "outbox/x/post%201.json"
    assert page_link((tmp_path / "elsewhere.json").resolve().as_uri(), out) is None
    assert page_link("https://mastodon.example/@a/1", out) == "https://mastodon.example/@a/1"


def _links(page: str) -> list[str]:
    """Every address the page refers to: href, src and CSS url()."""
    return [a or b for a, b in re.findall(r'(?:href|src)="([^"]*)"|url\("([^"]*)"\)', page)]


def _sheet(out: Path) -> Path:
    t = load_template(find_template("portrait"))
    results = []
    for s in sample_cards(t):
        if s.size == "square" and s.label in ("sample-typical", "stress-khmer-only"):
            (out / s.file).parent.mkdir(parents=True, exist_ok=True)
            (out / s.file).write_bytes(s.rendered.image)
            results.append(Result(Job(s.file, f"{s.label} ({s.language})", t.name, s.size, s.card), s.rendered))
    return write_sheet(out, results, "portrait: ឈុន")


def test_the_contact_sheet_ships_every_project_font_and_links_only_inside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "sheet"
    page = _sheet(out).read_text(encoding="utf-8")
    links = _links(page)
    assert links and all(not re.match(r"^(/|[a-z]+:)", link) for link in links), links  # relative, no file://
    for link in links:
        assert (out / link).is_file(), link
    shipped = {p.name for p in (out / FONTS_DIR).iterdir()}
    assert len(shipped) == len(project_fonts()) and all(f"{FONTS_DIR}/{name}" in links for name in shipped)


@pytest.mark.slow
@needs.chromium
def test_a_copied_contact_sheet_draws_khmer_in_the_shipped_font_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    made = tmp_path / "made"
    _sheet(made)
    copy = tmp_path / "elsewhere" / "copied"
    shutil.copytree(made, copy)
    shutil.rmtree(made)  # nothing may still point at where it was made
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto((copy / "index.html").as_uri())
            assert page.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"
            assert page.evaluate("[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)")
            assert not failed, failed
            # The glyphs of a Khmer alt text were drawn with the shipped Khmer font (Chromium says
            # which fonts drew a node), not a fallback: this machine has no Khmer system font.
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            alts = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "p.alt"})["nodeIds"]
            texts = page.eval_on_selector_all("p.alt", "ps => ps.map(p => p.textContent)")
            khmer = [n for n, text in zip(alts, texts) if re.search("[\u1780-\u17ff]", text)]
            assert khmer
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": khmer[0]})["fonts"]
            drew = {f["familyName"]: f for f in fonts}
            assert any("Khmer" in name and f["isCustomFont"] and f["glyphCount"] > 10 for name, f in drew.items()), fonts
            # and the same text set in a family that is not there measures differently (no silent fallback)
            widths = page.evaluate("""() => {
                const s = document.createElement('span'); s.textContent = 'សុខ ស្រីនាង'; document.body.append(s);
                s.style.fontFamily = '"Campaign khmer"'; const shipped = s.getBoundingClientRect().width;
                s.style.fontFamily = '"No Such Font", monospace'; const fallback = s.getBoundingClientRect().width;
                return [shipped, fallback]; }""")
            assert widths[0] != widths[1], widths
        finally:
            browser.close()
