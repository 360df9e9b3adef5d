"""The cards' byte-bounded LRU cache."""

from __future__ import annotations

import pytest
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


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # (forking so is the case)
def test_a_process_forked_while_another_thread_holds_the_lock_can_still_use_the_cache() -> None:
    import os
    import threading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    cache: LRU[str] = LRU(max_bytes=300)
    cache.put("a", "A", 10)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with cache._lock:  # another thread mid-get, as the process forks
            held.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: a lock still held would block here until the alarm
        import signal
        signal.alarm(5)
        os._exit(0 if cache.get("a") == "A" and cache.put("b", "B", 10) == "B" else 1)
    done.set()
    thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_digest_is_the_sha256_of_the_bytes_whatever_object_held_them_before() -> None:
    """Kept by the object's id: an id reused by other bytes (the first object gone from the cache and
    freed) gives the new bytes' own digest, never the old one's."""
    import hashlib

    from campaign.cards import lru
    from campaign.cards.lru import digest_of, forget_digests

    forget_digests()
    lru._DIGESTS.max_bytes = 4096  # a few entries: most go, their objects are freed, their ids come back
    for round_ in range(3):
        for i in range(600):  # entries go, objects are freed, ids come back
            data = bytes([i % 256, round_]) * (i + 1)
            assert digest_of(data) == hashlib.sha256(data).digest()
            assert digest_of(data) == hashlib.sha256(data).digest()  # the kept one
            assert digest_of(bytes(bytearray(data))) == hashlib.sha256(data).digest()  # an equal other object
    lru._DIGESTS.max_bytes = 64 * 1024 * 1024
    forget_digests()
