"""``render`` paints a card on the cached card-level base itself and gives it back as it was.

The rules: every card is the same bytes as painting every layer in order; after any card (one
that fits, one that overflows, one whose photo is refused halfway, one painted in order, one whose
template paints outside the cached composites) each cached base is the same pixels as before and
free for the next card; cards rendered at once from several threads are each their own.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from campaign.cards import CardError, find_template, load_template, render
from campaign.cards.samples import sample_facts
from campaign.cards.template import Template

from .cards_fixtures import card_input, encode, folder, make_photo, person_facts  # noqa: F401


def _bases(t: Template) -> dict[object, bytes]:
    return {key: image.tobytes() for key, (image, _, _, _) in t.cache.get("bases", {}).items()}


def _locks_free(t: Template) -> bool:
    return not any(lock.locked() for _, _, lock, _ in t.cache.get("bases", {}).values())


def _logo(colour: tuple[int, int, int, int]) -> bytes:
    im = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((10, 10, 290, 110), fill=colour)
    return encode(im, "PNG")


def _cases(folder, make_photo: Callable[..., bytes]) -> list:  # type: ignore[no-untyped-def]
    """(facts, language, photos, logo) of cards of every kind: new strings, photos, placeholders,
    partners' logos, a charge too long for its box (drawn over the QR code after it: painted in order)."""
    rc = person_facts(folder, "rong-chhun")
    long_charge = replace(rc, charge=rc.charge.model_copy(update={"root": {"en": "incitement " * 80, "km": "ញុះញង់ " * 80}}))  # type: ignore[union-attr]
    people = [rc, long_charge, *sample_facts()]
    logos = [None, _logo((200, 40, 40, 255)), _logo((40, 40, 200, 160))]
    return [(f, lang, {f.person.id: make_photo((500 + 40 * k, 700))} if k % 2 else {}, logos[k % 3])
            for k, f in enumerate(people) for lang in ("en", "km")]


def _portrait(tmp_path: Path, stroke: bool = False) -> Template:
    """A fresh copy of the shipped portrait template (its own caches); ``stroke``: with the
    person's name drawn again, stroked, at the foot (stroked text is painted outside the composites)."""
    root = tmp_path / ("stroked" if stroke else "portrait")
    shutil.copytree(find_template("portrait"), root)
    if stroke:
        spec = root / "template.yaml"
        head, alt = spec.read_text().split("\nalt:", 1)
        spec.write_text(head + (
            '  - text:\n      when: {size: square}\n      text: "{name.secondary}"\n      box: [60, 1040, 600, 36]\n      size: 24\n'
            '      color: "#ffffff"\n      stroke: {width: 2, color: "#000000"}\n') + "\nalt:" + alt)
    return load_template(root)


@pytest.mark.parametrize("stroke", [False, True])
def test_every_card_is_its_layers_in_order_and_leaves_the_bases_as_they_were(
        tmp_path: Path, folder, make_photo: Callable[..., bytes], stroke: bool) -> None:  # type: ignore[no-untyped-def]
    t = _portrait(tmp_path, stroke)
    page = "https://example.org/release-hrds"  # a QR code: a card-level layer after the person's
    cases = [(card_input((f,), lang, photos=photos, url=page, logo=logo), size)
             for f, lang, photos, logo in _cases(folder, make_photo) for size in t.sizes]
    expected = [render(t, card, size=size, in_order=True) for card, size in cases]
    first = [render(t, card, size=size) for card, size in cases]  # makes the bases
    assert first == expected
    before = _bases(t)
    assert before and _locks_free(t)
    again = [render(t, card, size=size) for card, size in reversed(cases)]  # every area cached now
    assert again[::-1] == expected
    assert _bases(t) == before and _locks_free(t)
    # Logos and shapes are painted through the composites; a template that paints a person's field
    # otherwise (stroked text) is painted on a copy.
    assert ("paints outside blend" in t.cache) is stroke


def test_a_card_refused_halfway_gives_the_base_back(tmp_path: Path, folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    t = _portrait(tmp_path)
    rc = person_facts(folder, "rong-chhun")
    good = card_input((rc,), "km", photos={rc.person.id: make_photo()})
    expected = render(t, good, in_order=True)
    assert render(t, good) == expected
    before = _bases(t)
    corrupt = card_input((rc,), "km", photos={rc.person.id: make_photo()[:400]})  # cut short: refused
    with pytest.raises(CardError, match="truncated|corrupt|cannot be read"):
        render(t, corrupt)
    long_charge = replace(rc, charge=rc.charge.model_copy(update={"root": {"km": "ញុះញង់ " * 80}}))  # type: ignore[union-attr]
    with pytest.raises(CardError, match="charge"):  # strict: the overflow is raised after painting
        render(t, card_input((long_charge,), "km", photos={rc.person.id: make_photo()}), strict=True)
    with pytest.raises(CardError, match="over the limit"):  # raised by the encoder, on the borrowed base
        render(t, good, max_bytes=100)
    assert _bases(t) == before and _locks_free(t)
    assert render(t, good) == expected


def test_cards_rendered_at_once_from_threads_are_each_their_own(
        tmp_path: Path, folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    t = _portrait(tmp_path)
    cards = [card_input((f,), lang, photos=photos, logo=logo) for f, lang, photos, logo in _cases(folder, make_photo)]
    expected = [render(t, card, in_order=True) for card in cards]
    got: dict[int, list[object]] = {}

    def worker(k: int) -> None:
        got[k] = [render(t, card) for card in (cards[k:] + cards[:k]) * 2]

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k, cards_k in got.items():
        assert cards_k == (expected[k:] + expected[:k]) * 2
    assert _locks_free(t)


def test_a_process_forked_while_a_base_is_painted_on_makes_its_own(tmp_path: Path, folder) -> None:  # type: ignore[no-untyped-def]
    """A child forked while another of the parent's threads paints on a base (its lock held, its
    pixels half painted) would inherit both: the child makes its own base and draws true cards."""
    import hashlib
    import os
    import signal
    import time

    t = _portrait(tmp_path)
    rc = person_facts(folder, "rong-chhun")
    card = card_input((rc,), "km")
    expected = render(t, card, in_order=True).image
    render(t, card)
    [(image, _, lock, _)] = t.cache["bases"].values()
    lock.acquire()  # as if a thread were painting on it...
    image.paste((255, 0, 255), (0, 0, 1080, 1080))  # ...and had painted over all of it
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: draw the card, hand back its bytes' digest
            try:
                os.write(write, hashlib.sha256(render(t, card).image).hexdigest().encode())
            finally:
                os._exit(0)
        os.close(write)
        deadline = time.monotonic() + 60
        while os.waitpid(pid, os.WNOHANG) == (0, 0):  # a child that waits for the lock never ends
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError("the forked process hangs on the inherited lock")
            time.sleep(0.05)
        drawn = os.read(read, 64).decode()
        os.close(read)
    finally:
        t.cache.clear()  # this process's base stays spoilt: forget it
        lock.release()
    assert drawn == hashlib.sha256(expected).hexdigest()
