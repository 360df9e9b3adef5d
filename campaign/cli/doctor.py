"""``campaign doctor``: can this machine (or container) do the job? The image's health check.

Khmer shaping always: raqm and FriBiDi loaded, and a Khmer cluster with subscripts actually
shaped (narrower than unshaped glyphs side by side). With ``--redis``: ``$REDIS_URL`` answers.
With ``--url``: an HTTP address answers 200 (the dashboard's ``/healthz``). Exits 1 at the first
thing that fails, saying what to do."""

from __future__ import annotations

import os
import sys

import click

#: A Khmer cluster with two coeng subscripts: shaped, they stack under the base consonant.
SAMPLE = "ស្ត្រី"


def khmer_shaping() -> str:
    """What shapes Khmer here; raises CardError (with the fix) if nothing does."""
    from PIL import ImageFont, features

    from ..cards import require_raqm
    from ..cards.load import package_font
    from ..errors import CardError

    require_raqm()
    path = package_font("fontpkg_noto_sans_khmer")
    shaped = ImageFont.truetype(str(path), 40, layout_engine=ImageFont.Layout.RAQM).getlength(SAMPLE)
    plain = ImageFont.truetype(str(path), 40, layout_engine=ImageFont.Layout.BASIC).getlength(SAMPLE)
    if not shaped < plain:
        raise CardError(f"raqm is loaded but does not shape Khmer ({SAMPLE!r} is {shaped:.0f}px shaped, {plain:.0f}px "
                        "not); reinstall Pillow and libfribidi0")
    return f"raqm {features.version('raqm')}, FriBiDi {features.version('fribidi')}"


@click.command()
@click.option("--redis", "check_redis", is_flag=True, help="Also check that $REDIS_URL answers.")
@click.option("--url", metavar="URL", help="Also check that this address answers 200 (e.g. the dashboard's /healthz).")
def doctor(check_redis: bool, url: str | None) -> None:
    """Check this machine can do the job: Khmer shaping (and Redis, and a URL).

    The container image's health check: it exits 1 when Khmer cannot be shaped
    (cards would show dotted circles), when --redis is given and $REDIS_URL does
    not answer, or when --url does not answer 200.

    \b
    Examples:
      campaign doctor
      campaign doctor --redis
      campaign doctor --url http://127.0.0.1:8000/healthz
    """
    import urllib.error
    import urllib.request

    from ..errors import CampaignError
    from ..redis_server import check_url

    try:
        click.echo(f"ok    Khmer shaping: {khmer_shaping()}")
        if check_redis:
            redis_url = os.environ.get("REDIS_URL")
            if not redis_url:
                raise CampaignError("REDIS_URL is not set; set it to the Redis the workers share")
            check_url(redis_url)
            click.echo("ok    Redis answers at $REDIS_URL")
        if url:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - the operator's own address
                    status = answer.status
            except (urllib.error.URLError, OSError) as exc:
                raise CampaignError(f"{url} does not answer ({exc})") from None
            if status != 200:
                raise CampaignError(f"{url} answered {status}, not 200")
            click.echo(f"ok    {url} answers 200")
    except CampaignError as exc:
        click.secho(f"FAIL  {exc}", fg="red", err=True)
        sys.exit(1)
