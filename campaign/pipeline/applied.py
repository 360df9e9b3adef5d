"""Campaign folders applied into Redis, and read back by any worker on any machine (rule 8).

``apply_definition`` stores a checked folder (:class:`campaign.checks.CheckedFolder`) as it is: the
campaign and roster (as the YAML text a person wrote and the JSON data it parsed to), every photo
and logo, and every template folder the campaign uses, content-addressed by sha256; nothing is read
from disk again. ``load_applied`` rebuilds the models from Redis (cached per process
by the definition's hash) and ``template_for`` materialises a template folder from Redis into a
local cache directory keyed by its hash before loading it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cache import Cache, memo
from ..checks import CheckedFolder
from ..definition import Campaign
from ..ledger import Ledger, UnknownCampaign
from ..roster import Roster

if TYPE_CHECKING:
    from ..cards import Template


@dataclass(frozen=True)
class Applied:
    """A campaign as applied: its models, where its assets live in Redis, and its run settings."""

    campaign: Campaign
    roster: Roster
    def_hash: str
    photos: dict[str, str]  # person id -> blob sha
    logos: dict[str, str]  # account id -> blob sha
    templates: dict[str, str]  # template name -> blob sha of the folder's tar
    settings: dict[str, str] = field(default_factory=dict)
    folder: str = ""  # where it was applied from (relative file: credentials resolve from there)

    @property
    def review_required(self) -> bool:
        return bool(self.campaign.review and self.campaign.review.required)

    @property
    def max_lateness(self) -> float:
        return self.campaign.max_lateness.total_seconds()

    def send_until(self, due: float) -> float:
        """The last moment a post due at ``due`` may go out: its time plus max_lateness (a retry
        after it is refused; the dashboard stops offering one)."""
        return due + self.max_lateness

    @property
    def end_limit(self) -> float:
        """No post goes out after the last day of the campaign plus max_lateness."""
        c = self.campaign
        end = datetime.combine(c.end, time.max, tzinfo=c.tz)
        return end.timestamp() + self.max_lateness


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def template_names(campaign: Campaign) -> list[str]:
    names = [campaign.template, campaign.released_template]
    if campaign.finale:
        names.append(campaign.finale.template)
    return list(dict.fromkeys(names))


def apply_definition(ledger: Ledger, folder: CheckedFolder, settings: dict[str, str] | None = None) -> Applied:
    """Store a checked folder in Redis as it is (nothing is read from disk again); returns what a
    worker will load back."""
    c = folder.campaign
    photos = {pid: ledger.put_blob(data) for pid, data in folder.photos.items()}
    logos = {aid: ledger.put_blob(data) for aid, data in folder.logos.items()}
    templates = {name: ledger.put_blob(folder.templates[name].files) for name in template_names(c)}
    # In the order written, not sorted: a text without the post's language says the first one given
    # (types.LocalText.get), so a worker must read {fr: ..., be: ...} as the check and preview did.
    campaign_json = json.dumps(folder.campaign_src.data, default=_json_default, ensure_ascii=False)
    roster_json = json.dumps(folder.roster_src.data, default=_json_default, ensure_ascii=False)
    assets = {"photos": photos, "logos": logos, "templates": templates}
    run = dict(settings or {})
    def_hash = hashlib.sha256(
        json.dumps([campaign_json, roster_json, assets, run], sort_keys=True).encode()).hexdigest()[:16]
    ledger.store_campaign(c.id, {
        "campaign_yaml": folder.campaign_src.text,
        "roster_yaml": folder.roster_src.text,
        "campaign_json": campaign_json,
        "roster_json": roster_json,
        "assets": json.dumps(assets, sort_keys=True),
        "settings": json.dumps(run, sort_keys=True),
        "folder": str(folder.root.absolute()),
        "def_hash": def_hash,
        "review_required": "1" if c.review and c.review.required else "0",
    })
    return Applied(c, folder.roster, def_hash, photos, logos, templates, run, str(folder.root.absolute()))


def load_applied(ledger: Ledger, cid: str, def_hash: str | None = None) -> Applied:
    """The applied campaign ``cid`` as models; rebuilt only when its definition changed. ``def_hash``:
    its definition hash as just read with other fields (a task's first read, the tick's of many)."""
    def_hash = def_hash or ledger.campaign_field(cid, "def_hash")
    if def_hash is None:
        raise UnknownCampaign(cid)
    return load_applied_all(ledger, [(cid, def_hash)])[0]


#: Applied campaigns built in this process, by (prefix + campaign id, definition hash).
_APPLIED: Cache[Applied] = Cache(1024)


def load_applied_all(ledger: Ledger, wanted: Sequence[tuple[str, str]]) -> list[Applied]:
    """Many applied campaigns by (id, definition hash), in order: the ones not yet built in this process
    are read in one round trip (a tick over 100 campaigns after a restart makes one, not 100)."""
    keys = [(ledger.prefix + cid, def_hash) for cid, def_hash in wanted]
    found = [_APPLIED.get(key) for key in keys]
    missing = [i for i, applied in enumerate(found) if applied is None]
    for i, data in zip(missing, ledger.campaign_hashes([wanted[i][0] for i in missing])):
        if not data:
            raise UnknownCampaign(wanted[i][0])
        applied = _from_fields(data)
        found[i] = _APPLIED.put((keys[i][0], applied.def_hash), applied)  # the hash read with it
    return found  # type: ignore[return-value]


def _from_fields(data: dict[str, str]) -> Applied:
    assets = json.loads(data["assets"])
    return Applied(
        campaign=Campaign.model_validate(json.loads(data["campaign_json"])),
        roster=Roster.model_validate(json.loads(data["roster_json"])),
        def_hash=data["def_hash"],
        photos=assets["photos"], logos=assets["logos"], templates=assets["templates"],
        settings=json.loads(data.get("settings") or "{}"), folder=data.get("folder", ""),
    )


def template_for(ledger: Ledger, applied: Applied, name: str, cache_dir: Path) -> Template:
    """The loaded template ``name`` of an applied campaign, from this process's cache or Redis.

    The folder is unpacked into ``cache_dir/templates/<sha>`` (written to a temporary name and
    renamed, so concurrent workers never see half a folder); loaded templates are immutable by hash."""
    return _template(ledger, applied.templates[name], cache_dir)


def scratch_dir(target: Path) -> Path:
    """Where this process (and thread) unpacks a folder before renaming it to ``target``: its own.
    Pool processes forked from one parent share its main thread's identity, so the process id is in
    the name too (two renders at once in a fresh worker once shared one, and one of them failed)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")


@memo(16, key=lambda ledger, digest, cache_dir: digest)
def _template(ledger: Ledger, digest: str, cache_dir: Path) -> Template:
    from ..cards import load_template

    target = cache_dir / "templates" / digest
    if not (target / ".complete").exists():
        tmp = scratch_dir(target)
        tmp.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(ledger.get_blob(digest))) as tar:
            tar.extractall(tmp, filter="data")
        (tmp / ".complete").touch()
        try:
            tmp.rename(target)
        except OSError:  # another process won the race; theirs is identical
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return load_template(target)
