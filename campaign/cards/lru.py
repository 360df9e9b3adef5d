"""A least-recently-used cache bounded by the bytes of the images it holds (the cards' caches), and
the digest of a photo's or logo's bytes that keys them."""

from __future__ import annotations

import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


def image_bytes(im: Any) -> int:
    """About what an image (PIL Image or core image) occupies in memory."""
    w, h = im.size
    return w * h * {"1": 1, "L": 1, "P": 1, "RGB": 4, "RGBA": 4}.get(im.mode, 4) + 64


_EVERY: weakref.WeakSet[LRU[Any]] = weakref.WeakSet()


def _unlock_after_fork() -> None:
    """A process forked while another thread held a cache's lock would wait on it for ever: each
    cache's lock is made anew in the child (as the logging module does with its own)."""
    for cache in list(_EVERY):
        cache._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_unlock_after_fork)


class LRU(Generic[V]):
    """Keeps the most recently used entries while their sizes add up to at most ``max_bytes``
    (the newest entry is kept even if it alone is larger). Safe to share between threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _EVERY.add(self)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: V, nbytes: int) -> V:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, size) = self._items.popitem(last=False)
                self._bytes -= size
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return self._bytes


_DIGESTS: LRU[tuple[bytes, bytes]] = LRU(64 * 1024 * 1024)  # id(bytes) -> (those bytes, their sha256)


def digest_of(data: bytes) -> bytes:
    """The sha256 of a photo's or logo's bytes, once per bytes object: a worker hands every card the
    same object for a person's photo, and hashing a real photo (0.3-2 MB) would cost each card
    0.2-1.3 ms."""
    hit = _DIGESTS.get(id(data))  # (an entry holds its object: no other object has its id meanwhile)
    if hit is not None:
        return hit[1]
    digest = hashlib.sha256(data).digest()
    _DIGESTS.put(id(data), (data, digest), len(data) + 64)
    return digest


def forget_digests() -> None:
    _DIGESTS.clear()
