"""Publishers: one module per platform (named by its row in :mod:`campaign.platforms`) behind the
seam in ``base`` (the Protocol, the error tree, the registry). The platform modules share code only
through ``common`` (BasePublisher, text helpers), ``http`` (sessions, transport errors, rate-limit
headers) and ``redaction`` (secrets out of logs and errors; installed by the CLI and the workers).

The names below are ``base``'s, imported on first use: the ``campaign`` command installs
``redaction`` at every start without loading the definition models ``base`` needs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import (AuthFailed, Context, OutcomeUnknown, Post, Published, Publisher, PublishError,
                       RateLimited, Rejected, Transient, Unreadable, get_publisher)

__all__ = ["AuthFailed", "Context", "OutcomeUnknown", "Post", "Published", "Publisher", "PublishError",
           "RateLimited", "Rejected", "Transient", "Unreadable", "get_publisher"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(".base", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
