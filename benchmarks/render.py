"""Card rendering speed: p50/p95 ms per card for each template and size, JPEG and PNG.

    python -m benchmarks.render [--n 30]

Single process, warm: fonts and templates are loaded once and one card of each kind is
rendered before timing. Beside each row is the time to encode a blank canvas of the same size
with the same settings (the floor any card pays). Portrait cards use synthetic 1200x1500 JPEG
photos: "warm" rotates through 12 people whose faces are already cached (as when one person's
card is rendered for every account and size of a week), "cold" forgets the face cache before
every card (a photo never seen before: decode, crop, resample). Targets: portrait square JPEG
at most 2x the bare encode; the 60-person collage under 150 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from campaign.cards import CardInput, find_template, load_template, render
from campaign.cards.render import clear_caches, encode
from campaign.cards.samples import SAMPLE_DAY, crowd, sample_facts, sample_people


def _photo(seed: int) -> bytes:
    im = Image.new("RGB", (1200, 1500), (30 + seed * 7 % 60, 40, 60))
    d = ImageDraw.Draw(im)
    d.ellipse((360, 150, 840, 700), fill=(220, 180 + seed % 40, 150))
    d.rectangle((200, 800, 1000, 1500), fill=(100, 30 + seed * 11 % 80, 40))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _time(fn: Callable[[int], object], n: int) -> tuple[float, float]:
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def _bare(size: tuple[int, int], fmt: str, n: int) -> float:
    blank = Image.new("RGB", size, (0, 0, 0))

    def enc(_: int) -> None:
        encode(blank, fmt, None)  # the cards' own encoder and settings (first JPEG quality)
    return _time(enc, n)[0]


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

    cases: list[tuple[str, str, Callable[[int], CardInput], bool]] = [
        ("portrait", "photo, warm", lambda i: inp((people12[i % 12],), "weekly", {people12[i % 12].person.id: photos[i % 12]}), False),
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
                render(t, make(0), size=size, fmt=fmt)  # warm: caches of static layers, fonts

                def one(i: int, t=t, size=size, fmt=fmt, make=make, cold=cold) -> None:  # type: ignore[no-untyped-def]
                    if cold:
                        clear_caches()
                    render(t, make(i), size=size, fmt=fmt)
                p50, p95 = _time(one, n)
                bare = _bare(t.sizes[size], fmt, n)
                print(f"{name:<9} {label:<16} {size:<10} {fmt:<5} {p50:7.1f} {p95:7.1f} {bare:6.1f} {p50 / bare:6.1f}x")
    clear_caches()


if __name__ == "__main__":
    main()
