"""``campaign accounts check``: one who-am-I per account, a table, exit 1 when one is not ready."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from campaign.cli import main
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import ENV, SECRET_VALUES


def folder_with(tmp_path: Path, example_folder: Path, accounts: list[dict[str, object]]) -> Path:
    target = tmp_path / "campaign"
    shutil.copytree(example_folder, target)
    data = yaml.safe_load((target / "campaign.yaml").read_text(encoding="utf-8"))
    data["accounts"] = accounts
    (target / "campaign.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def test_check_prints_ok_and_what_to_do(tmp_path: Path, example_folder: Path, mastodon_fake, telegram_fake,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_TOKEN", ENV["MASTODON_TOKEN"])
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    (tmp_path / "fb-token").write_text(ENV["FACEBOOK_TOKEN"])
    folder = folder_with(tmp_path, example_folder, [
        {"id": "cchr-m", "organisation": "CCHR", "platform": "mastodon", "language": "en",
         "credentials": {"token": "env:MASTODON_TOKEN"}, "base_url": mastodon_fake.url},
        {"id": "licadho-tg", "organisation": "LICADHO", "platform": "telegram", "language": "km",
         "credentials": "env:TELEGRAM_TOKEN", "channel": "@freethemall_kh", "base_url": telegram_fake.url},
        {"id": "demo", "organisation": "Demo", "platform": "outbox", "language": "en"},
    ])
    result = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("cchr-m") and "ok" in line and "@cchr" in line for line in lines)
    assert any(line.startswith("licadho-tg") and "FAIL" in line and "TELEGRAM_TOKEN is not set" in line for line in lines)
    assert "1 of 3 accounts are not ready" in result.output
    assert not any(secret in result.output for secret in SECRET_VALUES)


def test_check_one_account(tmp_path: Path, example_folder: Path, mastodon_fake, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MASTODON_TOKEN", ENV["MASTODON_TOKEN"])
    folder = folder_with(tmp_path, example_folder, [
        {"id": "cchr-m", "organisation": "CCHR", "platform": "mastodon", "language": "en",
         "credentials": {"token": "env:MASTODON_TOKEN"}, "base_url": mastodon_fake.url},
        {"id": "licadho-tg", "organisation": "LICADHO", "platform": "telegram", "language": "km",
         "credentials": "env:NOT_SET_ANYWHERE", "channel": "@x"},
    ])
    result = CliRunner().invoke(main, ["accounts", "check", str(folder), "--account", "cchr-m"])
    assert result.exit_code == 0, result.output
    assert "the account is ready." in result.output


def test_unknown_account_is_a_usage_error(example_folder: Path) -> None:
    result = CliRunner().invoke(main, ["accounts", "check", str(example_folder), "--account", "nobody"])
    assert result.exit_code == 2 and "nobody" in result.output


def test_bad_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["accounts", "check", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_check_outbox_that_is_not_a_writable_folder(tmp_path: Path, example_folder: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    folder = folder_with(tmp_path, example_folder, [
        {"id": "is-a-file", "organisation": "Demo", "platform": "outbox", "language": "en",
         "outbox": str(tmp_path / "a-file")},
        {"id": "under-a-file", "organisation": "Demo", "platform": "outbox", "language": "en",
         "outbox": str(tmp_path / "a-file" / "posts")},
        {"id": "new-folder", "organisation": "Demo", "platform": "outbox", "language": "en",
         "outbox": str(tmp_path / "posts")},
    ])
    result = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("is-a-file") and "FAIL" in line and f"{tmp_path / 'a-file'}: it exists and is not a "
               "folder" in line for line in lines)
    assert any(line.startswith("under-a-file") and "FAIL" in line and "a-file is a file, not a folder" in line
               for line in lines)
    assert any(line.startswith("new-folder") and "ok" in line and "(created at the first post)" in line
               for line in lines)
    assert "2 of 3 accounts are not ready" in result.output
    assert not (tmp_path / "posts").exists()  # checking creates nothing


def test_check_resolves_a_relative_outbox_where_the_workers_write(tmp_path: Path, example_folder: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = folder_with(tmp_path, example_folder, [
        {"id": "relative", "organisation": "Demo", "platform": "outbox", "language": "en", "outbox": "dry-run"},
        {"id": "default", "organisation": "Demo", "platform": "outbox", "language": "en"},
    ])
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"outbox at {work / 'dry-run'}" in result.output and f"outbox at {work / 'out' / 'outbox'}" in result.output


def test_check_asks_the_platform_address_the_workers_post_to(tmp_path: Path, example_folder: Path, mastodon_fake,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """$CAMPAIGN_BASE_URLS sends the workers' posts elsewhere than the account's base_url (a proxy, a
    test server): the check (and the dashboard's, the same function) asks there too, not the account's."""
    import json

    monkeypatch.setenv("MASTODON_TOKEN", ENV["MASTODON_TOKEN"])
    folder = folder_with(tmp_path, example_folder, [
        {"id": "cchr-m", "organisation": "CCHR", "platform": "mastodon", "language": "en",
         "credentials": {"token": "env:MASTODON_TOKEN"}, "base_url": "https://mastodon.invalid"}])
    monkeypatch.setenv("CAMPAIGN_BASE_URLS", json.dumps({"mastodon": mastodon_fake.url}))
    result = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "the account is ready." in result.output
    monkeypatch.delenv("CAMPAIGN_BASE_URLS")
    assert CliRunner().invoke(main, ["accounts", "check", str(folder), "--timeout", "3"]).exit_code == 1
