"""Fixtures for the publisher tests: each platform's fake server, an account whose credentials
point at environment variables holding the fake's secrets, and a context routed to the fake.

Import the fixtures you need into a test module (``from tests.fakes.fixtures import *``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from campaign.definition import Account
from campaign.publishers.base import Context, Post

from .bluesky import FakeBluesky
from .facebook import FakeFacebook
from .mastodon import FakeMastodon
from .server import FakeServer
from .telegram import FakeTelegram
from .x import FakeX

CLIENT_TIMEOUT = 1.0  # short, so a "hang" fault costs a second, yet with room for a loaded 2-core machine
# (0.3 s made an ordinary upload time out once in CI)
HANG_SECONDS = 2.5  # well past CLIENT_TIMEOUT: the answer is lost, not merely slow

# Distinctive secret values, so a test can grep every output for them.
ENV = {
    "X_API_KEY": "xk-7f3a9c1e5b2d4f6a8c0e", "X_API_SECRET": "xs-1b3d5f7h9j2l4n6p8r0t",
    "X_ACCESS_TOKEN": "1400000000000000001-xt9q8w7e6r5t4y3u2i1o", "X_ACCESS_SECRET": "xas-0p9o8i7u6y5t4r3e2w1q",
    "MASTODON_TOKEN": "mtok-Zr8Jc4Qx2Lp6Wn0Vb3Ty", "BLUESKY_APP_PASSWORD": "pw4k-9fj2-h7d3-k1s8",
    "TELEGRAM_TOKEN": "987654321:AAHx9Kd2Lq7Zp3Vr8Mw1Nt5Yb6Cs0Fg4Ju", "FACEBOOK_TOKEN": "EAAG-fbPageToken-Q8w2E4r6T8y0U2i4",
}
SECRET_VALUES = tuple(ENV.values())


def card_bytes(width: int = 108, height: int = 135, size: int | None = None) -> bytes:
    """A real JPEG card (optionally padded to ``size`` bytes to test size limits)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 30, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    if size is not None and size > len(data):
        data = data[:-2] + b"\0" * (size - len(data)) + data[-2:]
    return data


@dataclass
class Platform:
    """How to run one platform's fake and reach it: the account, and the fault endpoint of the post."""

    name: str
    make_fake: Callable[[], FakeServer]
    account_fields: dict[str, Any]
    post_endpoint: str  # the endpoint whose faults hit the post itself
    media_endpoint: str | None  # an endpoint before it (upload), if any

    def account(self, account_id: str | None = None, **overrides: Any) -> Account:
        fields = {"id": account_id or f"partner-{self.name}", "organisation": "LICADHO", "platform": self.name,
                  "language": "km", **self.account_fields, **overrides}
        return Account(**fields)

    def context(self, fake: FakeServer, timeout: float = CLIENT_TIMEOUT, environ: dict[str, str] | None = None) -> Context:
        return Context(environ=dict(ENV if environ is None else environ), base_urls={self.name: fake.url}, timeout=timeout)


PLATFORMS: dict[str, Platform] = {
    "x": Platform("x", lambda: FakeX(ENV["X_API_KEY"], ENV["X_API_SECRET"], ENV["X_ACCESS_TOKEN"], ENV["X_ACCESS_SECRET"]),
                  {"credentials": {"api_key": "env:X_API_KEY", "api_secret": "env:X_API_SECRET",
                                   "access_token": "env:X_ACCESS_TOKEN", "access_secret": "env:X_ACCESS_SECRET"}},
                  "tweets", "upload"),
    "mastodon": Platform("mastodon", lambda: FakeMastodon(ENV["MASTODON_TOKEN"], processing_polls=1),
                         {"credentials": {"token": "env:MASTODON_TOKEN"}, "base_url": "https://mastodon.example"},
                         "statuses", "media"),
    "bluesky": Platform("bluesky", lambda: FakeBluesky("adhoc.bsky.social", ENV["BLUESKY_APP_PASSWORD"]),
                        {"credentials": {"app_password": "env:BLUESKY_APP_PASSWORD"}, "handle": "adhoc.bsky.social"},
                        "create", "upload"),
    "telegram": Platform("telegram", lambda: FakeTelegram(ENV["TELEGRAM_TOKEN"], "@freethemall_kh"),
                         {"credentials": "env:TELEGRAM_TOKEN", "channel": "@freethemall_kh"}, "sendPhoto", None),
    "facebook": Platform("facebook", lambda: FakeFacebook(ENV["FACEBOOK_TOKEN"], "104000000000001"),
                         {"credentials": {"token": "env:FACEBOOK_TOKEN"}, "page_id": "104000000000001"}, "photos", None),
}


def make_post(account: Account, text: str = "សូមដោះលែង រ៉ុង ឈុន ជាបន្ទាន់! #FreeThemAll #Cambodia",
              post_id: str | None = None, image: bytes | None = None, alt: str = "A card: Rong Chhun, union leader, 400 days in prison") -> Post:
    return Post(id=post_id or f"release-hrds-2021:2021-09-15:{account.id}", account=account, text=text,
                image=card_bytes() if image is None else image, alt=alt, language=account.language)


def running(platform: Platform) -> Iterator[FakeServer]:
    fake = platform.make_fake()
    fake.hang_seconds = HANG_SECONDS
    with fake:
        yield fake


def _fake_fixture(name: str) -> Any:
    """The fixture ``<name>_fake``: that platform's fake, running."""

    @pytest.fixture(name=f"{name}_fake")
    def fixture() -> Iterator[FakeServer]:
        yield from running(PLATFORMS[name])

    return fixture


x_fake = _fake_fixture("x")
mastodon_fake = _fake_fixture("mastodon")
bluesky_fake = _fake_fixture("bluesky")
telegram_fake = _fake_fixture("telegram")
facebook_fake = _fake_fixture("facebook")


@pytest.fixture(params=list(PLATFORMS))
def platform_fake(request: pytest.FixtureRequest) -> Iterator[tuple[Platform, FakeServer]]:
    """Each platform in turn, with its fake running."""
    platform = PLATFORMS[request.param]
    for fake in running(platform):
        yield platform, fake


@pytest.fixture(params=[name for name, p in PLATFORMS.items() if p.media_endpoint is not None])
def media_first_fake(request: pytest.FixtureRequest) -> Iterator[tuple[Platform, FakeServer]]:
    """Each platform that uploads the image in a request of its own before the post, with its fake running."""
    platform = PLATFORMS[request.param]
    for fake in running(platform):
        yield platform, fake


__all__ = ["CLIENT_TIMEOUT", "ENV", "PLATFORMS", "SECRET_VALUES", "Platform", "card_bytes", "make_post",
           "x_fake", "mastodon_fake", "bluesky_fake", "telegram_fake", "facebook_fake", "platform_fake",
           "media_first_fake"]
