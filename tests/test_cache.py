"""campaign/cache.py: every process cache keeps at most its bound, dropping the least recently used."""

from __future__ import annotations

import threading

from campaign.cache import Cache, memo


def test_memo_keeps_at_most_its_bound_and_drops_the_least_recently_used() -> None:
    calls: list[int] = []

    @memo(2)
    def double(n: int) -> int:
        calls.append(n)
        return 2 * n

    assert [double(1), double(2), double(1), double(3)] == [2, 4, 2, 6]  # 1 used again, so 2 is dropped
    assert calls == [1, 2, 3]
    double(1)
    double(2)
    assert calls == [1, 2, 3, 2]
    double.cache_clear()  # type: ignore[attr-defined]
    double(1)
    assert calls == [1, 2, 3, 2, 1]


def test_memo_key_decides_what_is_the_same_call() -> None:
    calls: list[str] = []

    @memo(8, key=lambda name, noise: name)
    def greet(name: str, noise: int) -> str:
        calls.append(name)
        return f"hello {name}"

    assert greet("a", 1) == greet("a", 2) == "hello a"
    assert calls == ["a"]


def test_cache_bound_by_size_keeps_the_newest_within_it() -> None:
    cache: Cache[bytes] = Cache(10, getsizeof=len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now the most recently used
    cache.put("c", b"1234")  # 12 > 10: the least recently used ("b") goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"1234")
    assert cache.put("big", b"x" * 11) == b"x" * 11 and cache.get("big") is None  # returned, never kept
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None


def test_cache_shared_by_threads_never_exceeds_its_bound() -> None:
    cache: Cache[int] = Cache(50)

    def fill(offset: int) -> None:
        for i in range(2000):
            cache.put((offset, i), i)
            cache.get((offset, i - 1))

    threads = [threading.Thread(target=fill, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50
