"""The one error tree: every error a person can fix, under one root.

The ``campaign`` command turns exactly these into messages (``cli/common.py``: a located list for an
invalid folder, one red line for the others, each with its exit code); any other exception is a bug
in the program and shows as one, with its traceback::

    CampaignError                    a person can fix this; the message says what to do
    ├── InputError(problems)         the folder is invalid: campaign.yaml, roster.yaml, a template
    │                                or a photo is wrong (each problem FILE:LINE: field: message);
    │                                nothing was queued or posted                          (exit 2)
    ├── Refused                      the action cannot be done as asked: a post in the wrong state,
    │   │                            an unknown account, a cancelled campaign              (exit 1)
    │   ├── UnknownPost(post_id)     no such post in the ledger      (campaign.ledger; also a KeyError)
    │   ├── UnknownCampaign(cid)     no such campaign in the ledger  (campaign.ledger; also a KeyError)
    │   └── FaultSpecError           a rehearsal's --faults cannot be met      (campaign.pipeline.faults)
    ├── RedisUnavailable             Redis cannot be reached or started                    (exit 1)
    ├── CardError                    a card cannot be made: a missing template or font, raqm missing,
    │   └── PhotoError               an impossible byte limit; a bad photo   (campaign.cards.photos)
    ├── CredentialError              a secret reference cannot be read                     (exit 1)
    ├── KitError                     a week or language no kit can be made for      (campaign.cards.kit)
    ├── SettingsError                a setting in the environment is unusable  (campaign.pipeline.settings)
    └── PublishError                 a post did not go out: the publishers' own tree, rooted here
        ├── RateLimited(reset_at)    (campaign.publishers.base, where the task decides retry / wait /
        ├── Transient                 stop from the type alone; a command that publishes, such as
        ├── AuthFailed                `accounts check`, says what each means)
        │   └── Unreadable           its credentials cannot be read where the worker runs: nothing sent
        ├── Rejected(reason)
        └── OutcomeUnknown

Classes defined elsewhere subclass the kind they are (so ``except CampaignError`` catches them all),
and stay where their owners raise them. This module is at the bottom of the layers: it imports
nothing from the project, so every module can raise these.

Pydantic validators keep raising ``ValueError``: pydantic locates those and :mod:`campaign.sources`
turns them into an :class:`InputError`. A bare ``ValueError`` (or ``KeyError``, ``RuntimeError``...)
that reaches the command is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class CampaignError(Exception):
    """Something a person can fix; the message says what and, where it can, how."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located for a person to fix."""

    file: str
    line: int | None
    field: str
    message: str
    aside: bool = False  # where other problems come from (a template named here): shown, not counted

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(CampaignError):
    """The folder is invalid: carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Refused(CampaignError):
    """An action that cannot be done as asked (the message says why and what would work)."""


class RedisUnavailable(CampaignError):
    """Redis cannot be reached or started; the message says which and what to do."""


class CardError(CampaignError):
    """A card cannot be made: a missing template or font, a bad photo, an impossible byte limit."""


class CredentialError(CampaignError):
    """A secret reference cannot be resolved (unset variable, unreadable file, empty value)."""


# --- what the kinds of error are called, for the people who read them --------------------------------

#: Each kind of error a post can stop with (the class name the ledger keeps as its ``error_class``, and
#: the ``LeaseExpired`` the reaper writes) in the words the dashboard and the alerts use: the one table.
KIND_WORDS: dict[str, str] = {
    "AuthFailed": "the platform refused the account's credentials",
    "CredentialError": "the account's credentials cannot be read",
    "Unreadable": "the account's credentials cannot be read where the workers run (nothing was sent)",
    "RateLimited": "the account's rate limit on the platform was reached",
    "Transient": "the platform or the network was not working",
    "Rejected": "the platform refused the post",
    "OutcomeUnknown": "no answer from the platform, so it may or may not be out",
    "LeaseExpired": "the worker stopped while sending it, so it may or may not be out",
    "PublishError": "it could not be sent",
    "CardError": "its card could not be made",
    "PhotoError": "a photo on its card could not be used",
    "KitError": "its card could not be made",
    "InputError": "the campaign folder has a problem",
}
#: Any other kind (an error the program did not expect: its log has the details).
UNEXPECTED = "an unexpected error in the program"
#: The outcome a recorded attempt names (the ``auth_failed: ...`` of an audit entry's detail) -> its kind.
OUTCOME_KINDS: dict[str, str] = {"auth_failed": "AuthFailed", "unreadable": "Unreadable", "rate_limited": "RateLimited",
                                 "retry": "Transient", "rejected": "Rejected", "in_doubt": "OutcomeUnknown",
                                 "lease_expired": "LeaseExpired"}


def kind_words(kind: str | None) -> str:
    """An error kind (a class name, or an outcome such as ``auth_failed``) in words; '' for none."""
    if not kind:
        return ""
    return KIND_WORDS.get(OUTCOME_KINDS.get(kind, kind), UNEXPECTED)


def split_kind(text: str) -> tuple[str | None, str]:
    """A recorded message (``auth_failed: b-km: ...``, ``AuthFailed: ...``) as the kind its head names
    (None: it names none) and the reason after it."""
    head, sep, rest = text.partition(": ")
    kind = OUTCOME_KINDS.get(head, head)
    return (kind, rest) if sep and kind in KIND_WORDS else (None, text)


def in_words(text: str) -> str:
    """A recorded message whose head names a kind of error with that head in words (unless the reason
    says it already: never twice); any other text as it is."""
    kind, reason = split_kind(text)
    if kind is None:
        return text
    said = KIND_WORDS[kind]
    return reason if said.lower() in reason.lower() else f"{said}: {reason}"
