"""An account's address-like fields (base_url, handle, channel, page_id) are written as the platform
table says (``platforms.ACCOUNT_FIELDS``): anything else is refused at its line in campaign.yaml,
naming the field and how to write it, without echoing the value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaign.checks import load_consistent
from campaign.errors import InputError
from campaign.platforms import ACCOUNT_FIELDS, TABLE
from tests.folder_fixtures import CAMPAIGN, write_folder

#: A platform each field is given on, and a valid value for each field that platform needs.
ON = {"base_url": "mastodon", "handle": "bluesky", "channel": "telegram", "page_id": "facebook"}
VALID = {"base_url": "https://social.example", "handle": "a.bsky.social", "channel": "@c", "page_id": "1040001"}

GOOD: list[tuple[str, object]] = [
    ("base_url", "https://mastodon.social"), ("base_url", "http://127.0.0.1:8001"),
    ("base_url", "https://pds.example.org/api/"),
    ("handle", "licadho.bsky.social"), ("handle", "@licadho.bsky.social"), ("handle", "did:plc:z72i7hdynmk6r22z27h6tvur"),
    ("handle", "press@licadho.org"),
    ("channel", "@freethemall_kh"), ("channel", "-1001234567890"), ("channel", -1001234567890),
    ("page_id", "104000000000001"), ("page_id", 104000000000001),
]
BAD: list[tuple[str, object]] = [
    ("base_url", "mastodon social"), ("base_url", "mastodon.social"), ("base_url", "ftp://mastodon.social"),
    ("base_url", "https://user:s3cr3t@mastodon.social"), ("base_url", "https://m.example/?token=s3cr3t"),
    ("base_url", "https://m.example:99999"), ("base_url", "https://m.example/ path"), ("base_url", ""),
    ("handle", "licadho bsky social"), ("handle", "@"), ("handle", "a..b"), ("handle", "licadho"),
    ("channel", "t.me/freethemall"), ("channel", "freethemall"), ("channel", "@free them"),
    ("page_id", "LICADHO Page"), ("page_id", "12 34"), ("page_id", True),
]


def with_account(field: str, value: object) -> str:
    platform = ON[field]
    needs = {name: VALID[name] for name in TABLE[platform].account_fields if name != field}
    lines = "".join(f"    {name}: {json.dumps(v)}\n" for name, v in {**needs, field: value}.items())
    return CAMPAIGN.replace("    platform: outbox\n    language: en\n",
                            f"    platform: {platform}\n    language: en\n    credentials: env:T\n{lines}", 1)


def test_every_field_a_platform_needs_has_a_rule() -> None:
    assert {name for row in TABLE.values() for name in row.account_fields} <= set(ACCOUNT_FIELDS) == set(ON)


@pytest.mark.parametrize(("field", "value"), GOOD)
def test_a_field_written_as_the_platform_expects_is_taken(tmp_path: Path, field: str, value: object) -> None:
    account = load_consistent(write_folder(tmp_path, with_account(field, value))).campaign.accounts[0]
    assert getattr(account, field) == str(value).rstrip("/")


@pytest.mark.parametrize(("field", "value"), BAD)
def test_a_field_not_written_as_the_platform_expects_is_refused_at_its_line(tmp_path: Path, field: str,
                                                                            value: object) -> None:
    text = with_account(field, value)
    with pytest.raises(InputError) as err:
        load_consistent(write_folder(tmp_path, text))
    [problem] = err.value.problems
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(f"    {field}:"))
    assert (problem.file.endswith("campaign.yaml"), problem.line, problem.field) == (True, line, f"accounts[0].{field}")
    assert "write it like " + ACCOUNT_FIELDS[field].example in problem.message
    assert "s3cr3t" not in problem.message
