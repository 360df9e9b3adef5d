"""The dashboard: a server-rendered web app (FastAPI + Jinja2, no front-end build, nothing from a CDN)
over the ledger, its JSON API and its Prometheus metrics. An edge like the CLI: it reads the ledger
and acts only through the functions the CLI calls (``campaign.pipeline``).

Modules, lowest first:

* ``users``    the users file (``--users FILE``) and the one-operator default; roles viewer/operator
* ``errors``   every refusal as a clear 4xx/503 (JSON under /api, a page elsewhere), never a traceback
* ``auth``     signed sessions, bearer tokens, CSRF, the delay on a wrong token; the route dependencies
* ``reads``    what the pages and the API show (pydantic models read from the ledger): campaigns, posts
* ``detail``   one post in full: card, caption, alt text, people's facts, attempts, audit entries
* ``acts``     the operators' actions: each one call to ``campaign.pipeline`` with ``<user>@web`` as who
* ``metrics``  the Prometheus collector, computed from the ledger at scrape time
* ``api``      the JSON API routes (``/api/...``)
* ``render``   the Jinja2 templates, the navigation (``NavItem``) and what every page shows
* ``pages/``   one module per page (login, campaigns, posts): see ``pages/__init__.py`` to add one
* ``context``  what every route shares (``WebContext``)
* ``app``      ``create_app(ledger, users, ...)``: the app factory, /healthz, static files and the font
* ``serve``    running it: uvicorn, the login link, token-free logs (``campaign web`` and ``campaign run``)

``templates/`` holds the Jinja2 pages, ``static/`` the CSS and the vendored htmx.
"""

from __future__ import annotations

from .app import create_app
from .users import Role, User, Users, load_users, one_operator

__all__ = ["Role", "User", "Users", "create_app", "load_users", "one_operator"]
