"""The ``outbox`` platform: each post becomes a JSON file plus its card in a folder (dry runs).

Writes are atomic (temporary file, then rename) and keyed by the post id, so publishing the
same post twice leaves one file: the outbox can prove "nothing lost, nothing doubled".

A post is out once its JSON record is renamed into place (the card is written before it). Any
error before that rename (the folder cannot be created or is a file, the card or the record
cannot be written) means nothing was posted, for certain: ``Rejected``, naming the folder and
what to do, so the post fails instead of going round in doubt. Only a failed rename of the
record itself may leave the outcome unknown (``OutcomeUnknown``: the look-up settles it).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from ..definition import Account
from .base import Context, OutcomeUnknown, Post, Published, Rejected, register

FIX = "make it a folder this worker can write to (or point the account's outbox: at one and apply again)"


def safe_name(post_id: str) -> str:
    return post_id.replace(":", "_").replace("/", "_")


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``; returns the temporary file.

    Not fsynced: a killed worker leaves what it wrote in the page cache, and the rename makes a
    file whole or absent; only a power cut could lose it, and the ledger beside it (Redis's
    append-only file, fsynced once a second by default) makes no stronger promise either."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def folder_problem(folder: Path, probe: bool = False) -> str | None:
    """Why posts cannot be written into ``folder``, in words; None if they can (or it can be created).
    With ``probe`` an existing folder is tested by creating (and at once removing) a temporary file,
    which also catches a read-only disk."""
    try:
        if folder.is_dir():
            if probe:
                with tempfile.TemporaryFile(dir=folder, prefix=".check-"):
                    pass
            elif not os.access(folder, os.W_OK | os.X_OK):
                return "this user may not write to it"
            return None
        if folder.exists() or folder.is_symlink():
            return "it exists and is not a folder"
        for parent in folder.parents:
            if parent.is_dir():
                if not os.access(parent, os.W_OK | os.X_OK):
                    return f"it does not exist and this user may not create it in {parent}"
                return None
            if parent.exists():
                return f"{parent} is a file, not a folder"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


class OutboxPublisher:
    platform: ClassVar[str] = "outbox"

    def __init__(self, account: Account, context: Context):
        self.account = account
        folder = account.outbox or context.outbox_dir or Path("out/outbox")
        self.folder = Path(folder) if Path(folder).is_absolute() else context.base_dir / folder

    def _paths(self, post: Post) -> tuple[Path, Path]:
        stem = safe_name(post.id)
        ext = Path(post.card_name).suffix or ".jpg"
        return self.folder / f"{stem}.json", self.folder / f"{stem}{ext}"

    def _unwritable(self, exc: OSError, post: Post) -> Rejected:
        why = folder_problem(self.folder) or exc.strerror or str(exc)
        return Rejected(f"{self.account.id}: cannot write to the outbox folder {self.folder}: {why}; "
                        f"nothing was posted. Fix: {FIX}, then run: campaign retry {post.id}")

    def publish(self, post: Post) -> Published:
        if not post.image:
            raise Rejected("the card is empty")
        meta_path, card_path = self._paths(post)
        try:  # nothing is out until the record is renamed into place: any error here is "not posted"
            self.folder.mkdir(parents=True, exist_ok=True)
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
            staged = _stage(meta_path, json.dumps(record, ensure_ascii=False, indent=2).encode())
        except OSError as exc:
            raise self._unwritable(exc, post) from exc
        try:
            os.replace(staged, meta_path)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise OutcomeUnknown(f"{self.account.id}: the outbox record {meta_path} may or may not be in place "
                                 f"({exc.strerror or exc}); it is looked up before anything is written again") from exc
        return Published(remote_id=post.id, url=meta_path.resolve().as_uri())

    def lookup(self, post: Post) -> Published | None:
        meta_path, _ = self._paths(post)
        if not meta_path.is_file():
            return None
        return Published(remote_id=post.id, url=meta_path.resolve().as_uri())

    def whoami(self) -> str:
        """Where posts go, if this user can write there (nothing is written to stay)."""
        problem = folder_problem(self.folder, probe=True)
        if problem:
            raise Rejected(f"cannot write posts to the outbox folder {self.folder}: {problem}; {FIX}")
        return f"outbox at {self.folder}" + ("" if self.folder.is_dir() else " (created at the first post)")


@register("outbox")
def _factory(account: Account, context: Context) -> OutboxPublisher:
    return OutboxPublisher(account, context)
