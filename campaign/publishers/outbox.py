"""The ``outbox`` platform: each post becomes a JSON file plus its card in a folder (dry runs).

Writes are atomic (temporary file, then rename) and keyed by the post id, so publishing the
same post twice leaves one file: the outbox can prove "nothing lost, nothing doubled".
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from ..definition import Account
from .base import Context, Post, Published, Rejected, register


def safe_name(post_id: str) -> str:
    return post_id.replace(":", "_").replace("/", "_")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutboxPublisher:
    platform: ClassVar[str] = "outbox"
    max_image_bytes: ClassVar[int] = 10_000_000

    def __init__(self, account: Account, context: Context):
        self.account = account
        folder = account.outbox or context.outbox_dir or Path("out/outbox")
        self.folder = Path(folder) if Path(folder).is_absolute() else context.base_dir / folder

    def _paths(self, post: Post) -> tuple[Path, Path]:
        stem = safe_name(post.id)
        ext = Path(post.card_name).suffix or ".jpg"
        return self.folder / f"{stem}.json", self.folder / f"{stem}{ext}"

    def publish(self, post: Post) -> Published:
        if not post.image:
            raise Rejected("the card is empty")
        self.folder.mkdir(parents=True, exist_ok=True)
        meta_path, card_path = self._paths(post)
        existing = self.lookup(post)
        if existing:
            return existing  # already out: the outbox never holds a post twice
        _atomic_write(card_path, post.image)
        record = {
            "id": post.id,
            "account": self.account.id,
            "organisation": self.account.organisation,
            "platform": self.platform,
            "language": post.language,
            "caption": post.text,
            "alt_text": post.alt,
            "card": card_path.name,
            "posted_at": (post.at or datetime.now(UTC)).isoformat(),
        }
        _atomic_write(meta_path, json.dumps(record, ensure_ascii=False, indent=2).encode())
        return Published(remote_id=post.id, url=meta_path.resolve().as_uri())

    def lookup(self, post: Post) -> Published | None:
        meta_path, _ = self._paths(post)
        if not meta_path.exists():
            return None
        return Published(remote_id=post.id, url=meta_path.resolve().as_uri())

    def whoami(self) -> str:
        return f"outbox at {self.folder}"


@register("outbox")
def _factory(account: Account, context: Context) -> OutboxPublisher:
    return OutboxPublisher(account, context)
