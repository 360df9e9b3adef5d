"""A token rotated while a worker runs: on an auth failure the account's ``env:``/``file:`` references
are read again; a new token gets one more try (the account is not blocked), the same one blocks it.

The real pipeline in this process (one publisher per account, kept between posts as in a worker)
against the fake Mastodon server over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.checks import load_checked
from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, Settings, apply_folder, tick
from campaign.pipeline.settings import Publishers
from tests.fakes.mastodon import FakeMastodon
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_pipeline_platforms import ROSTER, platform_campaign


def _post_week(ledger: Ledger, dispatch: InlineDispatch, day: str) -> None:
    for hm in ("09:30", "10:05"):
        now = local(day, hm)
        SimulatedClock(ledger).set(now)
        tick(ledger, now, dispatch)


@pytest.mark.parametrize("rotated", [True, False])
def test_a_rotated_token_is_read_again_before_the_account_is_blocked(ledger: Ledger, tmp_path: Path,
                                                                     rotated: bool) -> None:
    token = tmp_path / "secrets" / "mastodon-token"
    token.parent.mkdir()
    token.write_text("old-token-0123456789\n")
    campaign = platform_campaign({"mastodon": "km"}, weeks=2)
    campaign["accounts"][0]["credentials"] = {"token": f"file:{token}"}
    folder = write_folder(tmp_path / "rotation", campaign, ROSTER)
    with FakeMastodon("old-token-0123456789") as fake:
        settings = Settings(base_urls={"mastodon": fake.url}, publish_timeout=2.0, publishers=Publishers())
        dispatch = InlineDispatch(ledger, settings)
        now = local("2021-10-30")
        SimulatedClock(ledger).set(now)
        apply_folder(ledger, load_checked(folder), now, settings=settings)
        _post_week(ledger, dispatch, "2021-11-03")  # posted with the old token; the publisher is kept
        first, second = sorted(p.id for p in ledger.posts("platforms"))[:2]
        assert ledger.state(first) == "posted"
        fake.token = "new-token-9876543210"  # the platform revokes the old token...
        if rotated:
            token.write_text("new-token-9876543210\n")  # ...and the operator puts the new one in its file
        _post_week(ledger, dispatch, "2021-11-10")
    blocked = ledger.r.hget(ledger.key("account", "platforms", "mastodon-km"), "auth_failed")
    if rotated:
        assert ledger.state(second) == "posted" and blocked is None
        assert [a["outcome"] for a in ledger.attempts(second)] == ["posted"]
    else:  # the same token read again: refused, so the account is blocked as before
        assert ledger.state(second) == "failed" and blocked is not None
        assert [a["outcome"] for a in ledger.attempts(second)] == ["auth_failed"]
    assert "token-" not in str(ledger.post(second).error or "")  # no token value in what is shown
