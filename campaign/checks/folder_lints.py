"""Folder lints: what is valid in campaign.yaml and roster.yaml but probably not meant, apart from
the plan (:mod:`.plan_lints`) and the captions (:mod:`.caption_lints`): roster texts in a language no
account posts in (``kh:`` for ``km:``), roster words missing a language an account posts in, an
account's API address that sends its token unencrypted or to this machine or a private network, a
hashtag Bluesky would not make a tag. ``campaign validate`` prints them as warnings; nothing is
refused."""

from __future__ import annotations

import difflib
import ipaddress
from urllib.parse import urlsplit

from ..definition import Campaign
from ..roster import Roster


def folder_warnings(campaign: Campaign, roster: Roster) -> list[str]:
    """The warnings of this module, in the order above."""
    return [*_foreign_texts(campaign, roster), *_untranslated(campaign, roster), *_inner_addresses(campaign),
            *_bluesky_tags(campaign)]


def _untranslated(campaign: Campaign, roster: Roster) -> list[str]:
    """Roster words (a group, role, charge or release note) with no text in a language an account posts
    in: those posts show them in another language (English first). Names are left out: a name in
    Latin letters is the same name in French."""
    out = []
    for lang in dict.fromkeys(a.language for a in campaign.accounts):
        lacking = []
        for person in roster.people:
            lacking += [f"{person.id}'s {field}" for field, text in person.texts() if field != "name" and not text.has(lang)]
        if lacking:
            named = ", ".join(dict.fromkeys(lacking[:5])) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
            out.append(f"roster.yaml: {len(lacking)} text{'s' if len(lacking) != 1 else ''} with no '{lang}' ({named}): "
                       f"the '{lang}' accounts' posts show {'them' if len(lacking) != 1 else 'it'} in another language "
                       f"(English first); add {lang}: where it matters, or keep it so knowingly")
    return out


def _bluesky_tags(campaign: Campaign) -> list[str]:
    """Hashtags Bluesky would not make tags (only digits, over 64 graphemes, a zero-width space inside),
    by its own rule (:mod:`campaign.skytext`, as the publisher applies it: loaded only for a Bluesky campaign)."""
    if not campaign.hashtags or not any(a.platform == "bluesky" for a in campaign.accounts):
        return []
    from ..skytext import tags_in

    out = []
    for tag in campaign.hashtags:
        found = tags_in(tag)
        if not found or found[0][:2] != (0, len(tag)):
            out.append(f"hashtags: {tag!r} is no tag on Bluesky, which goes out as plain text there (a tag is at "
                       "most 64 characters, not only digits, and ends at a space, zero-width ones included); shorten or "
                       "reword it")
    return out


def _inner_addresses(campaign: Campaign) -> list[str]:
    """Accounts whose ``base_url`` sends their token unencrypted (http://) or to this machine or a private
    network (a test server is the only good reason for either)."""
    out = []
    for account in campaign.accounts:
        url = account.base_url
        if not url:
            continue
        host = (urlsplit(url).hostname or "").lower()
        try:
            ip = ipaddress.ip_address(host)
            inner = ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified
        except ValueError:
            inner = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        why = [w for w, bad in (("http:// sends its token unencrypted", url.lower().startswith("http://")),
                                ("it is this machine or a private network", inner)) if bad]
        if why:
            out.append(f"account {account.id}: base_url {url}: {' and '.join(why)}; use the platform's public "
                       "https:// address (anything else is only for a test server)")
    return out


def _foreign_texts(campaign: Campaign, roster: Roster) -> list[str]:
    """Roster texts in a language no account posts in and ``languages:`` does not list (``kh:`` for
    ``km:``): shown only on a card or caption with no text in its own language, in that language."""
    known = set(campaign.language_order) | {a.language for a in campaign.accounts}
    found: dict[str, list[str]] = {}
    for person in roster.people:
        for field, text in person.texts():
            for lang in text.root:
                if lang != "*" and lang not in known:
                    found.setdefault(lang, []).append(f"{person.id}'s {field}")
    out = []
    for lang, where in found.items():
        close = difflib.get_close_matches(lang, sorted(known), n=1, cutoff=0.5)
        named = ", ".join(where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
        out.append(f"roster.yaml has texts in '{lang}' ({named}), a language no account posts in and languages: does "
                   f"not list: they show only where a card or caption has no text in its own language"
                   + (f" (did you mean '{close[0]}'?)" if close else "; check the language code"))
    return out


__all__ = ["folder_warnings"]
