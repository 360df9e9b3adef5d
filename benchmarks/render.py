"""Card rendering speed: p50/p95 ms per card for each template and size, JPEG and PNG.

    python -m benchmarks.render [--n 30]

Single process, warm: fonts and templates are loaded once and one card of each kind is
rendered before timing. Beside each row is the time to encode a blank canvas of the same size
with the same settings (the floor any card pays). Portrait cards use synthetic 1200x1500 JPEG
photos. The cases, from most to least repetition:

* "photo, warm": 12 people in turn, on one day: their faces and every string on their cards
  have been seen (one week's cards for every account, or a preview re-run);
* "new day": the same 12 people, each card a day later than the one before, so the time
  behind bars is a string never set before (a campaign's stream of weekly cards);
* "all new text": every card a person never seen (name, group, charge and time all new
  strings; faces cached): the worst case for the text caches;
* "photo, cold": every cache forgotten before every card (photo decoded, cropped, resampled;
  all text set and rasterised).

Targets: portrait square JPEG at most 2x the bare encode; the 60-person collage under 150 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import itertools
import time
from collections.abc import Callable
from datetime import timedelta

from PIL import Image, ImageDraw

from campaign.cards import CardInput, find_template, load_template, render
from campaign.cards.canvas import clear_caches
from campaign.cards.encode import encode
from campaign.cards.samples import SAMPLE_DAY, crowd, sample_facts, sample_people
from campaign.roster import Person, facts


def _photo(seed: int) -> bytes:
    im = Image.new("RGB", (1200, 1500), (30 + seed * 7 % 60, 40, 60))
    d = ImageDraw.Draw(im)
    d.ellipse((360, 150, 840, 700), fill=(220, 180 + seed % 40, 150))
    d.rectangle((200, 800, 1000, 1500), fill=(100, 30 + seed * 11 % 80, 40))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _stranger(i: int) -> Person:
    """A person whose every string is new: index ``i`` is written into the name, group and charge."""
    km = str(i).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    return Person.model_validate({
        "id": f"stranger-{i}",
        "name": {"en": f"Sok Dara {i}", "km": f"សុខ ដារា {km}"},
        "group": {"en": f"Prey Lang Community Network {i}", "km": f"បណ្តាញសហគមន៍ព្រៃឡង់ {km}"},
        "events": [{"date": "2020-08-01", "type": "arrested",
                    "charge": {"en": f"incitement, case {i}", "km": f"ញុះញង់ សំណុំរឿង {km}"}}],
    })


def _time(fn: Callable[[int], object], size: tuple[int, int], fmt: str, n: int) -> tuple[float, float, float]:
    """p50 and p95 ms of ``fn(i)`` for i < n, and the p50 of a bare encode of a blank canvas,
    timed in turn with it (card, encode, card, ...) so that both see the same machine load."""
    blank = Image.new("RGB", size, (0, 0, 0))
    cards, bare = [], []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        t1 = time.perf_counter()
        encode(blank, fmt, None)  # the cards' own encoder and settings (first JPEG quality)
        t2 = time.perf_counter()
        cards.append((t1 - t0) * 1000)
        bare.append((t2 - t1) * 1000)
    cards.sort()
    return statistics.median(cards), cards[min(n - 1, int(round(0.95 * (n - 1))))], statistics.median(bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="cards per row (default 30)")
    args = parser.parse_args()
    n = args.n

    templates = {name: load_template(find_template(name)) for name in ("portrait", "released", "collage")}
    typical = sample_facts()[0]
    released = next(f for f in sample_facts() if f.person.id == "sample-released")
    photos = [_photo(i) for i in range(12)]
    people12 = crowd(sample_people()[:3], 12, SAMPLE_DAY)
    sixty = crowd(sample_people()[:3], 60, SAMPLE_DAY)
    sixty_photos = {f.person.id: photos[i % 12] for i, f in enumerate(sixty)}

    def inp(people: tuple, kind: str, photo_map: dict | None = None) -> CardInput:  # type: ignore[type-arg]
        return CardInput(people=people, photos=photo_map or {}, language="km", kind=kind, week=6,
                         campaign_name="Release Human Rights Defenders", organisation="LICADHO")

    serial = itertools.count()

    def stranger_input(k: int) -> CardInput:
        who = _stranger(k)
        return inp((facts(who, SAMPLE_DAY),), "weekly", {who.id: photos[k % 12]})

    cases: list[tuple[str, str, Callable[[int], CardInput], bool]] = [
        ("portrait", "photo, warm", lambda i: inp((people12[i % 12],), "weekly", {people12[i % 12].person.id: photos[i % 12]}), False),
        ("portrait", "new day", lambda i: inp((facts(people12[i % 12].person, SAMPLE_DAY + timedelta(days=i)),), "weekly",
                                              {people12[i % 12].person.id: photos[i % 12]}), False),
        ("portrait", "all new text", lambda i: stranger_input(next(serial)), False),
        ("portrait", "photo, cold", lambda i: inp((typical,), "weekly", {typical.person.id: photos[i % 12]}), True),
        ("portrait", "no photo", lambda i: inp((people12[i % 12],), "weekly"), False),
        ("released", "1 person", lambda i: inp((released,), "released", {released.person.id: photos[i % 12]}), False),
        ("collage", "12 people", lambda i: inp(people12, "finale"), False),
        ("collage", "60 people", lambda i: inp(sixty, "finale"), False),
        ("collage", "60 photos, cold", lambda i: inp(sixty, "finale", sixty_photos), True),
    ]
    print(f"card render, ms per card (n={n}, warm, single process; bare = encode of a blank canvas)")
    print(f"{'template':<9} {'case':<16} {'size':<10} {'fmt':<5} {'p50':>7} {'p95':>7} {'bare':>6} {'x bare':>7}")
    for name, label, make, cold in cases:
        t = templates[name]
        for size in t.sizes:
            for fmt in ("jpeg", "png"):
                if cold and fmt == "png":
                    continue
                first = make(0)
                render(t, first, size=size, fmt=fmt)  # warm: static layers, fonts
                if not cold:  # the 12 faces are cached in every case but "cold"
                    for k in range(12):
                        render(t, inp((people12[k],), first.kind, {people12[k].person.id: photos[k]}), size=size, fmt=fmt)
                inputs = [make(i) for i in range(1, n + 1)]  # facts are computed before timing

                def one(i: int, t=t, size=size, fmt=fmt, inputs=inputs, cold=cold) -> None:  # type: ignore[no-untyped-def]
                    if cold:
                        clear_caches()
                    render(t, inputs[i], size=size, fmt=fmt)
                p50, p95, bare = _time(one, t.sizes[size], fmt, n)
                print(f"{name:<9} {label:<16} {size:<10} {fmt:<5} {p50:7.1f} {p95:7.1f} {bare:6.1f} {p50 / bare:6.1f}x")
    clear_caches()


if __name__ == "__main__":
    main()
