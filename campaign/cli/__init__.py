"""The ``campaign`` command: a thin edge over the library. Each area lives in its own module:

* ``folder``   validate, plan, fields, schema     (organisers)
* ``design``   preview; ``templates``: template new, check (designers)
* ``kit``      kit: zips for partners who post by hand (organisers)
* ``ops``      apply, run, status ...  (organisers and monitors); ``simulate``
* ``accounts`` accounts check, unblock           (organisers and monitors)
* ``web``      the dashboard                      (monitors; ``run`` serves it too)
* ``doctor``   can this machine shape Khmer, reach Redis (operators; the image's health check)

A command's module is imported when the command is named (:class:`~.common.LazyGroup`), and
imports its libraries inside its functions: ``campaign --help`` and ``campaign validate`` start
without Redis, Celery, the platform clients or the dashboard.
"""

from __future__ import annotations

import click

from .common import LazyGroup

#: Every command: name -> "module:attribute", in the order a new user needs them (as help lists them).
COMMANDS = {
    "validate": "campaign.cli.folder:validate",
    "plan": "campaign.cli.folder:plan_cmd",
    "fields": "campaign.cli.folder:fields_cmd",
    "schema": "campaign.cli.folder:schema",
    "template": "campaign.cli.templates:template_group",
    "preview": "campaign.cli.design:preview",
    "kit": "campaign.cli.kit:kit",
    "apply": "campaign.cli.ops:apply",
    "run": "campaign.cli.ops:run",
    "simulate": "campaign.cli.simulate:simulate",
    "status": "campaign.cli.ops:status",
    "pause": "campaign.cli.ops:pause",
    "resume": "campaign.cli.ops:resume",
    "cancel": "campaign.cli.ops:cancel",
    "approve": "campaign.cli.ops:approve",
    "retry": "campaign.cli.ops:retry",
    "resolve": "campaign.cli.ops:resolve",
    "accounts": "campaign.cli.accounts:accounts",
    "web": "campaign.cli.web:web",
    "doctor": "campaign.cli.doctor:doctor",
}


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="campaign-scheduler")
def main() -> None:
    """Plan, render and publish weekly advocacy cards for imprisoned human-rights defenders.

    \b
    Start here:
      campaign validate config/campaigns/release-hrds-2021
      campaign plan config/campaigns/release-hrds-2021 --from 2021-09-15 --to 2021-09-21
    """
    from ..publishers import redaction

    redaction.install()  # any command may reveal a secret (accounts check, simulate, run): never in a log
