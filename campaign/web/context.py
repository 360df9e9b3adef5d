"""What every route of one dashboard shares: the ledger, who may log in, the clock, the page renderer.

One :class:`WebContext` per app (``app.state.ctx``), built by :func:`campaign.web.create_app` from
its parameters; routes get it with ``Depends(auth.context)``. Nothing is a module global, so two
apps on two ledgers can run side by side (tests do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import now_for
from ..ledger import Ledger
from .auth import Auth
from .fresh import Fresh
from .render import Pages
from .thumbs import Thumbnails
from .users import Users


@dataclass
class WebContext:
    ledger: Ledger
    users: Users
    auth: Auth
    pages: Pages
    clock: Callable[[], float]  # the wall clock: sessions, delays
    now_of: Callable[[Ledger], datetime] = now_for  # the campaign's now: simulated after a replay
    thumbs: Thumbnails = field(init=False)  # card thumbnails, cached in the ledger's Redis
    fresh: Fresh = field(init=False)  # views of a campaign's posts, kept while it is unchanged

    def __post_init__(self) -> None:
        self.thumbs = Thumbnails(self.ledger)
        self.fresh = Fresh(self.ledger)

    def now(self) -> datetime:
        """The campaign's now (the ledger's simulated time, if set, else the system time)."""
        return self.now_of(self.ledger)


__all__ = ["WebContext"]
