"""The cards' byte-bounded LRU cache."""

from __future__ import annotations

from PIL import Image

from campaign.cards.lru import LRU, image_bytes


def test_keeps_the_most_recently_used_within_its_bytes() -> None:
    cache: LRU[str] = LRU(max_bytes=300)
    for key in "abc":
        cache.put(key, key.upper(), 100)
    assert cache.get("a") == "A"  # a is now the most recent; b the least
    cache.put("d", "D", 100)
    assert cache.get("b") is None and [cache.get(k) for k in "acd"] == ["A", "C", "D"]
    assert cache.nbytes == 300 and len(cache) == 3
    cache.put("c", "C2", 50)  # replacing an entry counts its new size only
    assert cache.nbytes == 250 and cache.get("c") == "C2"
    cache.put("huge", "H", 1000)  # larger than the bound alone: kept, everything else goes
    assert len(cache) == 1 and cache.get("huge") == "H"
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0 and cache.get("huge") is None


def test_image_bytes_counts_pixels_by_mode() -> None:
    assert image_bytes(Image.new("L", (10, 10))) == 100 + 64
    assert image_bytes(Image.new("RGB", (10, 10))) == 400 + 64
