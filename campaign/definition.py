"""The campaign folder: ``campaign.yaml`` + ``roster.yaml`` + ``photos/``, validated into typed models.

Validation happens once, here, at the edge: :func:`load_folder` returns a :class:`CampaignFolder`
or raises :class:`~campaign.sources.InputError` listing every problem as ``file:line: field: message``.
Deeper code trusts these models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import datetime as dt
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .alert_config import Alert, check_dashboard_url
from .cadence import Cadence
from .credentials import check_ref
from .platforms import ACCOUNT_FIELDS, NAMES, Name, check_account_field, spec
from .roster import Id, Roster
from .sources import InputError, Located, Problem, did_you_mean, load_model
from .types import LANG_RE, Duration, LocalTime, Model, Shown, check_texts, language_problem, title_in
from .words import DurationUnit

PLATFORMS = NAMES  # one row each in campaign.platforms
Platform = Name
KINDS = ("weekly", "finale", "released")
CAMPAIGN_FILE, ROSTER_FILE = "campaign.yaml", "roster.yaml"



class Finale(Model):
    """The closing post (e.g. on Human Rights Day) featuring everyone still detained."""

    date: dt.date
    time: LocalTime | None = None
    template: str = "collage"


class Pin(Model):
    """Feature given people in the slot of a date (a verdict day, a birthday in prison...)."""

    date: dt.date
    people: list[str] = Field(min_length=1)


class Review(Model):
    """Human approval before posting: cards render ``window`` before they are due and wait."""

    required: bool = True
    window: Duration = timedelta(days=2)


class CaptionSet(Model):
    """Caption variants for one language, by kind of post. A kind without variants has no
    caption: a "released" or "finale" post never borrows a weekly one (``campaign validate``
    refuses a language that lacks the captions of a kind it plans)."""

    weekly: list[str] = Field(min_length=1)
    finale: list[str] | None = None
    released: list[str] | None = None

    def for_kind(self, kind: str) -> list[str]:
        """The variants for ``kind`` (weekly, finale, released); [] when there are none."""
        return list(getattr(self, kind, None) or [])


class Account(Model):
    """One partner's account on one platform."""

    id: Id
    organisation: Shown
    platform: Platform
    language: str
    credentials: dict[str, str] | str | None = None
    stagger: Duration | None = None
    logo: str | None = None
    base_url: str | None = Field(None, description="API base URL (Mastodon instance, Bluesky PDS); defaults per platform")
    handle: str | None = Field(None, description="Bluesky handle or login identifier")
    channel: str | None = Field(None, description="Telegram chat: @channel or -100...")
    page_id: str | None = Field(None, description="Facebook Page id")
    outbox: str | None = Field(None, description="outbox platform: folder to write posts into")

    @field_validator("credentials", mode="before")
    @classmethod
    def _refs_only(cls, value: Any) -> Any:
        # One clear error per bad entry, never the value itself (it may be a real token).
        if value is None:
            return None
        if isinstance(value, dict):
            for key, ref in value.items():
                try:
                    check_ref(ref)
                except ValueError as exc:
                    raise ValueError(f"{key}: {exc}") from None
            return {k: v.strip() for k, v in value.items()}
        return check_ref(value)

    @field_validator(*ACCOUNT_FIELDS, mode="before")
    @classmethod
    def _written_as_the_platform_expects(cls, value: Any, info: ValidationInfo) -> Any:
        return None if value is None else check_account_field(str(info.field_name), value)

    @field_validator("language")
    @classmethod
    def _lang(cls, value: str) -> str:
        if why := language_problem(value):  # its durations, dates and statuses could only be written in English
            raise ValueError(why)
        return value

    @model_validator(mode="after")
    def _platform_needs(self) -> Account:
        row = spec(self.platform)
        if row.credentials and self.credentials is None:
            raise ValueError(f"a {self.platform} account needs credentials (env:NAME or file:PATH references)")
        if row.credentials and isinstance(self.credentials, dict):
            for name in self.credentials:
                if name not in row.credentials:  # never read: the account's posts would fail wherever they run
                    raise ValueError(f"credentials.{name}: a {self.platform} account takes no '{name}' credential"
                                     f"{did_you_mean(name, row.credentials)}; it takes {', '.join(row.credentials)}")
        for needs in row.account_fields:
            if getattr(self, needs) is None:
                raise ValueError(f"a {self.platform} account needs '{needs}'")
        return self


# "UTC+3", "GMT-5", "+03:00", "-0500", "UTC +3", and the IANA names "Etc/GMT-3" (which means UTC+3):
# an offset names no place, so it cannot follow a place's clock changes.
_OFFSET_RE = re.compile(r"^(?:(?:etc/)?(?:utc|gmt|z)\s*)?[+\-\u2212]\s*\d{1,2}(?::?\d{2})?$", re.I)


def _zone_hint(value: str) -> str:
    """`` (did you mean 'Europe/Minsk'?)`` for a zone written as its city ("minsk", "Phnom Penh"), else
    for the closest spelling."""
    zones = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/")))
    city = value.strip().replace(" ", "_").lower()
    named = [z for z in zones if city in (z.lower(), z.rsplit("/", 1)[-1].lower())]
    return f" (did you mean '{named[0]}'?)" if named else did_you_mean(value, zones)


def _etc_sign(value: str) -> str:
    """The offset an ``Etc/GMT-3`` name really means: ``+3``."""
    rest = value.strip()[len("etc/gmt"):].strip()
    return ("+" if rest.startswith("-") else "-") + rest[1:]


#: Files in a zoneinfo folder that are not places: the machine's own zone (a link to /etc/localtime),
#: a template for POSIX TZ strings, and a zone meaning "not set".
_MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory"})


#: The longest campaign (start to end): ten years of posts is some hundreds of thousands at most.
MAX_CAMPAIGN_DAYS = 3653


class Campaign(Model):
    """``campaign.yaml``: when, how often, who posts, and in which words."""

    id: Id
    name: Shown = Field(description="the campaign's name; or one per language: {en: ..., km: ...}")
    names: dict[str, str] = Field(default_factory=dict, description="the name per language (from name: {en, km})")
    languages: list[str] = Field(default_factory=list, description="the order names are shown in on cards "
                                 "({name.primary}, {name.secondary}), e.g. [be, en]; default: the accounts' languages")
    url: str | None = Field(None, description="the campaign's page: {url} in texts, qr layers on cards")
    timezone: str
    start: date
    end: date
    cadence: Cadence
    finale: Finale | None = None
    template: str = "portrait"
    released_template: str = "released"
    people_per_post: int = Field(1, ge=1, le=12)
    rotation: Literal["together", "spread"] = "together"
    announce_releases: bool = False
    pins: list[Pin] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    captions: dict[str, CaptionSet]
    accounts: list[Account] = Field(min_length=1)
    stagger: Duration = timedelta(minutes=10)
    review: Review | None = None
    max_lateness: Duration = timedelta(hours=6)
    durations: DurationUnit = Field(
        "years", description="how time behind bars is said: years (1 year, 3 months and 11 days) or months "
                             "(15 months and 11 days); sentences are always said in years")
    alerts: list[Alert] = Field(default_factory=list, description="alert channels (campaign.alert_config)")
    dashboard_url: str | None = Field(None, description="the dashboard's public address, linked from every alert")

    @field_validator("dashboard_url", mode="before")
    @classmethod
    def _dashboard(cls, value: Any) -> Any:
        return check_dashboard_url(value)

    @model_validator(mode="before")
    @classmethod
    def _name_per_language(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("name"), dict):
            names = data["name"]
            try:
                check_texts(names)
            except ValueError as exc:
                raise ValueError(f"name: {exc}") from None
            data = {**data, "names": {k: v.strip() for k, v in names.items()},
                    "name": names.get("en") or next(iter(names.values()))}
        return data

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for lang in value:
            if not LANG_RE.match(lang):
                raise ValueError(f"{lang!r} is not a language code (use e.g. [be, en] or [km, en])")
        if len(set(value)) != len(value):
            raise ValueError("each language once, in the order names are shown")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", value.strip()):
            raise ValueError(f"{value!r} is not a web address; write it in full, e.g. https://example.org/campaign")
        return value.strip() if value else value

    def title(self, lang: str) -> str:
        """The campaign's name in ``lang`` (its ``name: {en, km}``), else its one name."""
        return title_in(self.titles, lang)

    @property
    def titles(self) -> tuple[tuple[str, str], ...]:
        """Its name per language, then its one name for any other language (``"*"``): what
        :func:`~campaign.types.title_in` reads, and a card or caption carries."""
        return (*self.names.items(), ("*", self.name))

    @property
    def language_order(self) -> tuple[str, ...]:
        """The order names are shown in: ``languages:``, else the accounts' languages as they come."""
        return tuple(self.languages) or tuple(dict.fromkeys(a.language for a in self.accounts))

    @field_validator("timezone", mode="before")
    @classmethod
    def _tz(cls, value: Any) -> Any:
        if (isinstance(value, (int, float)) and not isinstance(value, bool)) or (isinstance(value, str) and _OFFSET_RE.match(value.strip())):
            # "UTC+3" is near "UTC" by spelling, and following that hint would shift every post.
            # (YAML reads an unquoted -0500 as a number.)
            shown = repr(value) if isinstance(value, str) else "a number"
            raise ValueError(f"{shown} is an offset, and an offset is not a place: name the zone, e.g. Europe/Minsk "
                             "or Asia/Phnom_Penh (an IANA timezone, which also follows the place's clock changes)"
                             + (f"; note that {value.strip()} means UTC{_etc_sign(value)}, the sign is reversed"
                                if isinstance(value, str) and value.strip().lower().startswith("etc/") else ""))
        if not isinstance(value, str):
            return value
        if value in _MACHINE_ZONES:
            raise ValueError(f"{value!r} is not a place but a machine's own setting or a placeholder (the scheduler and "
                             "the workers may each read it otherwise): name the zone, e.g. Asia/Phnom_Penh")
        try:
            ZoneInfo(value)
            if value.startswith(("posix/", "right/")):  # copies of the zones (right/: leap seconds), not names
                raise ZoneInfoNotFoundError(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA timezone{_zone_hint(value)}; e.g. Asia/Phnom_Penh"
            ) from None
        return value

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        out = []
        for tag in value:
            tag = tag.strip()
            tag = tag if tag.startswith("#") else "#" + tag
            if len(tag) < 2 or re.search(r"\s", tag):
                raise ValueError(f"{tag!r} is not a hashtag (one word, no spaces)")
            out.append(tag)
        return out

    @field_validator("captions", mode="before")
    @classmethod
    def _caption_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"weekly": v} if isinstance(v, list) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"end: {self.end} is before start ({self.start})")
        if (self.end - self.start).days > MAX_CAMPAIGN_DAYS:  # a year mistyped (end: 2121): planned in a second, not hours
            raise ValueError(f"end: {self.end} is {(self.end - self.start).days // 365} years after start ({self.start}); "
                             f"a campaign runs at most {MAX_CAMPAIGN_DAYS // 365} years: check the years, or plan a "
                             "longer one as several campaigns")
        if self.finale and not (self.start <= self.finale.date <= self.end):
            raise ValueError(f"finale.date: {self.finale.date} is outside the campaign ({self.start} to {self.end})")
        ids = [a.id for a in self.accounts]
        for i, a in enumerate(self.accounts):
            if ids.index(a.id) != i:
                raise ValueError(f"accounts[{i}].id: {a.id!r} is used twice; account ids must be unique")
            if a.language not in self.captions:
                raise ValueError(
                    f"accounts[{i}].language: {a.id} posts in {a.language!r} but captions has no {a.language!r} entry"
                    f" (it has: {', '.join(self.captions) or 'none'})"
                )
        refs = [a.url for a in self.alerts]
        for i, ref in enumerate(refs):
            if refs.index(ref) != i:
                raise ValueError(f"alerts[{i}].url: {ref} is used twice; give each channel once, with all its events")
        for lang in self.captions:
            if not LANG_RE.match(lang):
                raise ValueError(f"captions: {lang!r} is not a language code")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def account(self, account_id: str) -> Account:
        for a in self.accounts:
            if a.id == account_id:
                return a
        raise KeyError(account_id)


@dataclass(frozen=True)
class CampaignFolder:
    """A validated campaign folder: the campaign, its roster and where they came from."""

    root: Path
    campaign: Campaign
    roster: Roster
    campaign_src: Located
    roster_src: Located

    def photo_path(self, person_id: str) -> Path | None:
        person = self.roster.by_id()[person_id]
        return (self.root / person.photo) if person.photo else None


def load_folder(folder: Path | str) -> CampaignFolder:
    """Read a campaign folder into models, each file checked on its own; raises InputError with every
    problem found. What needs both files or the disk (pins, photos, caption fields, logos) is checked
    by ``campaign.checks`` (``load_consistent``, ``load_checked``)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError([Problem(str(root), None, "", "not a folder; a campaign is a folder with campaign.yaml and roster.yaml")])
    problems: list[Problem] = []
    loaded: dict[str, tuple[Any, Located]] = {}
    for name, model in ((CAMPAIGN_FILE, Campaign), (ROSTER_FILE, Roster)):
        path = root / name
        try:  # both files are read, so one run reports the problems of both
            loaded[name] = load_model(path, model, display=str(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    (campaign, csrc), (roster, rsrc) = loaded[CAMPAIGN_FILE], loaded[ROSTER_FILE]
    return CampaignFolder(root, campaign, roster, csrc, rsrc)
