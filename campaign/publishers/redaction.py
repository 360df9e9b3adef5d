"""Secrets never in logs, exception messages or exception chains.

A publisher reveals a secret for a library call through ``BasePublisher.secret``, which hands it
to :func:`remember`. From then on :func:`redact` replaces it (and its URL-encoded forms) in the
publisher's error messages, :func:`safe_cause` drops an exception chain that would show it, and
the log filter rewrites any record that shows it on the loggers libraries print URLs, headers and
signed parameters on (:data:`LIBRARY_LOGGERS`).

The filter is attached by :func:`install`, called where a process starts that may publish: the
``campaign`` command's entry and a Celery worker's start (``workers/app.py``), and at the latest
by :func:`remember`, when the first secret is revealed. Importing this module changes no logger.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, quote_plus

REDACTED = "[secret]"
# Loggers that libraries use to print URLs, headers and signed parameters at DEBUG level.
LIBRARY_LOGGERS = (
    "urllib3.connectionpool", "requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature", "tweepy.client", "httpx", "httpcore.http11",
    "httpcore.connection",
    "apprise",  # the alert channels' library logs the URL it posts to (campaign.alerts)
)
_FILTERED = LIBRARY_LOGGERS + ("campaign.publishers",)  # and the publishers' own


def redact(text: str, secrets: set[str] | list[str] | tuple[str, ...]) -> str:
    """``text`` with every secret value (and its URL-encoded form) replaced."""
    for value in sorted(secrets, key=len, reverse=True):
        if len(value) >= 4:
            for form in (value, quote(value, safe=""), quote(value), quote_plus(value)):
                text = text.replace(form, REDACTED)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records that would show a secret the publishers have revealed."""

    def __init__(self) -> None:
        super().__init__("campaign-redactor")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                message = record.getMessage()
            except Exception:  # a broken record is the logging module's problem, not ours
                return True
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_REDACTOR = _Redactor()


def remember(secret: str) -> None:
    """Redact ``secret`` from log records from now on. Installs the filter too, so a process that
    publishes without calling :func:`install` at its start (a script, a new entry point) still
    never logs a secret it revealed."""
    _REDACTOR.secrets.add(secret)
    install()


def install() -> None:
    """Attach the redacting filter to the libraries' loggers and the publishers' own (idempotent)."""
    for name in _FILTERED:
        logging.getLogger(name).addFilter(_REDACTOR)


def installed() -> bool:
    """Whether :func:`install` has run in this process (the filter is on every logger it names)."""
    return all(_REDACTOR in logging.getLogger(name).filters for name in _FILTERED)


def safe_cause(exc: BaseException | None, secrets: set[str]) -> BaseException | None:
    """``exc`` if nothing in its chain shows a secret, else None (the chain is then dropped)."""
    from .base import exception_chain  # the error tree needs the definition models: not at every start

    if exc is None:
        return None
    for item in exception_chain(exc):
        try:
            text = f"{item!s} {item!r}"
        except Exception:
            return None
        if redact(text, secrets) != text:
            return None
    return exc


__all__ = ["LIBRARY_LOGGERS", "REDACTED", "install", "installed", "redact", "remember", "safe_cause"]
