"""The one way to cache in a process: a least-recently-used cache with a bound (cachetools'
``LRUCache``) behind a lock, so worker threads may share it.

Two forms of the same thing:

* ``@memo(maxsize, key=...)`` keeps a function's results by its arguments, or by ``key(*args)``
  when only part of them decides the result (e.g. a definition's hash and a day);
* ``Cache(maxsize)`` is a cache as a value: owned by an object, or passed in by a caller (a test
  passes a fresh one instead of patching a global).

The bound is a number of entries, or with ``getsizeof`` a total size (e.g. bytes). A value larger
than the whole bound is returned but not kept. Process caches outside ``cards/`` use these; the
cards' own caches are listed in ARCHITECTURE.md ("Caches").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from cachetools import LRUCache, cached
from cachetools.keys import hashkey

V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., Any])


def memo(maxsize: int, key: Callable[..., Hashable] = hashkey) -> Callable[[F], F]:
    """Decorate a function to keep its ``maxsize`` most recently used results (``f.cache_clear()``
    empties it)."""
    return cached(LRUCache(maxsize), key=key, lock=threading.Lock())  # type: ignore[no-any-return]


class Cache(Generic[V]):
    """At most ``maxsize`` entries (or total ``getsizeof``), the least recently used dropped first."""

    def __init__(self, maxsize: int, getsizeof: Callable[[V], float] | None = None):
        self._lru: LRUCache[Hashable, V] = LRUCache(maxsize, getsizeof)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            return self._lru.get(key)

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            try:
                self._lru[key] = value
            except ValueError:  # larger than the whole bound
                pass
        return value

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()

    def __len__(self) -> int:
        return len(self._lru)
