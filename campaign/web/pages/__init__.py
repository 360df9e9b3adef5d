"""The dashboard's pages: one module each, listed in :data:`MODULES`.

Each page module has
* ``router``: a FastAPI ``APIRouter(include_in_schema=False)`` with its GET routes (guarded by
  ``Depends(auth.page_viewer)``) and its POST forms (``Depends(auth.form_operator)``, which checks
  the role and the CSRF token); an action calls :mod:`campaign.web.acts`, never the ledger itself,
  then redirects (303) with its outcome flashed: ``ctx.auth.back_to(url, message)``;
* ``NAV``: the links it adds (:class:`~campaign.web.render.NavItem`): a top-bar link, or, with
  ``{campaign}`` in its path, a tab shown with each campaign (``/campaigns/{campaign}/calendar``).

Its data comes from :mod:`campaign.web.reads` / :mod:`campaign.web.detail` (add a reader there, with
a pydantic model, so the JSON API can serve the same thing), and its template extends ``base.html``
(``{% block main %}``; ``{% block live %}`` for a part refreshed by htmx polling, see ``campaigns.html``).

To add a page (Calendar, Review, Accounts, Roster, History): write ``pages/calendar.py`` with
``router`` and ``NAV = (NavItem("Calendar", "/campaigns/{campaign}/calendar", order=10),)``, its
template ``templates/calendar.html``, and add the module to :data:`MODULES` below. A tab that
shows one view is one call (:func:`.tab.campaign_tab`, as ``roster.py`` does): its route and its link.
"""

from __future__ import annotations

from types import ModuleType

from . import accounts, calendar, campaigns, history, login, posts, review, roster
from ..render import NavItem, Pages

#: Every page module, in the order their routes are matched.
MODULES: tuple[ModuleType, ...] = (login, campaigns, posts, calendar, review, accounts, roster, history)


def nav_items(modules: tuple[ModuleType, ...] = MODULES) -> list[NavItem]:
    return [item for module in modules for item in getattr(module, "NAV", ())]


__all__ = ["MODULES", "NavItem", "Pages", "nav_items"]
