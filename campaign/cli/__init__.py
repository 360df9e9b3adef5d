"""The ``campaign`` command: a thin edge over the library. Each area lives in its own module:

* ``folder``   validate, plan, schema            (organisers)
* ``design``   template check, preview           (designers)
* ``kit``      kit: zips for partners who post by hand (organisers)
* ``ops``      apply, run, status ...  (organisers and monitors); ``simulate``
* ``accounts`` accounts check, unblock           (organisers and monitors)
* ``web``      the dashboard                      (monitors; ``run`` serves it too)
* ``doctor``   can this machine shape Khmer, reach Redis (operators; the image's health check)
"""

from __future__ import annotations

import click

from ..publishers import redaction
from . import accounts, design, doctor, folder, kit, ops, web
from .common import CLIGroup


@click.group(cls=CLIGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="campaign-scheduler")
def main() -> None:
    """Plan, render and publish weekly advocacy cards for imprisoned human-rights defenders.

    \b
    Start here:
      campaign validate config/campaigns/release-hrds-2021
      campaign plan config/campaigns/release-hrds-2021 --from 2021-09-15 --to 2021-09-21
    """
    redaction.install()  # any command may reveal a secret (accounts check, simulate, run): never in a log


for _area in (folder, design, kit, ops, accounts, web, doctor):
    _area.register(main)
