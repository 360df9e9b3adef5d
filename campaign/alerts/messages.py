"""The words of an alert: what happened, to which post and person, and what to do about it.

Pure: incidents in, messages out. One problem is one message; several taken at once are one
digest; each summary (``daily``, ``campaign_finished``) is a message of its own. Every problem
names the command a person runs (``campaign retry ID``, ``campaign resolve ID --posted URL``...)
and, when the dashboard's public address is known, links the post's page (``/posts/{post_id}``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from ..clock import readable, readable_times
from ..credentials import RUN_UNREADABLE
from ..definition import Campaign
from ..errors import in_words, split_kind
from ..ledger.scripts import LATE_WHEN_PLANNED
from ..platforms import TABLE
from ..types import format_duration
from .incidents import Incident

#: Problems listed in full in one digest; the rest are counted.
DIGEST_SHOWN = 25
SUMMARIES = ("daily", "campaign_finished")
_HEADINGS = {"account_blocked": "account blocked", "failed": "failed", "in_doubt": "in doubt", "missed": "missed",
             "review_waiting": "awaiting approval"}  # in the order a digest lists them


@dataclass(frozen=True)
class Message:
    """One alert to send: ``level`` is ``failure``, ``warning`` or ``info`` (apprise's notify types)."""

    title: str
    body: str
    level: str
    events: tuple[str, ...]
    keys: tuple[str, ...]  # the incidents it tells of


def post_link(dashboard: str | None, post_id: str) -> str:
    """The post's page on the dashboard ('' when its address is not configured)."""
    return f"{dashboard}/posts/{quote(post_id, safe=':')}" if dashboard else ""


def _when(iso: str, campaign: Campaign) -> str:
    return readable(iso, campaign.tz) or "?"


def _detail(i: Incident, campaign: Campaign) -> str:
    """The incident's recorded reason as a person reads it: its kind of error in words, its times readable."""
    return readable_times(in_words(i.detail), campaign.tz)


def _reason(i: Incident, campaign: Campaign) -> str:
    """The incident's recorded reason without the kind of error it starts with (``in_doubt: ...``)."""
    return readable_times(split_kind(i.detail)[1], campaign.tz)


def _who(i: Incident) -> str:
    return ", ".join(i.people) or "nobody on the roster"


def what_happened(i: Incident, campaign: Campaign) -> str:
    """One sentence: what happened, to which post and person."""
    if i.event == "account_blocked":
        return f"The account {i.account} ({i.platform}) is blocked: its posts fail until it is unblocked. {_detail(i, campaign)}"
    post = f"The post {i.post} ({i.account} on {i.platform}, featuring {_who(i)}, due {_when(i.due, campaign)})"
    if i.event == "failed":
        return f"{post} failed: {_detail(i, campaign)}"
    if i.event == "in_doubt":  # (the sentence says what the kind is; only the reason follows)
        reason = _reason(i, campaign)
        return f"{post} is in doubt: it may or may not be on {i.platform}" + (f" ({reason})" if reason else "")
    if i.event == "missed":
        reason = _reason(i, campaign)
        said = "" if not reason or "max_lateness" in reason else f" ({reason})"
        return f"{post} was missed: it did not go out by its time plus max_lateness{said}"
    return f"{post} is still waiting for approval"


def what_to_do(i: Incident, campaign: Campaign, folder: str) -> str:
    """The command(s) a person runs about it."""
    cid, folder = campaign.id, folder or "FOLDER"
    if RUN_UNREADABLE in i.detail:  # `campaign run` blocked it: its workers have run's environment
        fix_account = (f"make its {i.platform} credentials readable where `campaign run` runs (test them: campaign "
                       f"accounts check {folder}), then stop `campaign run` and start it again: the block lifts "
                       f"itself (unblocking it while `campaign run` goes on does not help: its workers still cannot "
                       f"read them)")
    else:
        fix_account = (f"fix its {i.platform} credentials where the workers run (test them: campaign accounts check "
                       f"{folder}), then run: campaign accounts unblock {i.account} {cid}")
    if i.event == "account_blocked":
        return fix_account + "; then send its failed posts again: campaign retry POST_ID"
    if i.event == "failed":
        until = f"until {_when(_plus(i.due, campaign), campaign)}"
        if i.detail.startswith(("account blocked", "auth_failed", "unreadable")):
            return f"{fix_account}; then: campaign retry {i.post} (possible {until})"
        if i.detail.startswith("render failed"):
            return (f"fix what the error names in the campaign folder, apply it again (campaign apply {folder}), "
                    f"then: campaign retry {i.post} (possible {until})")
        return f"once the cause is fixed, send it again: campaign retry {i.post} (possible {until})"
    if i.event == "in_doubt":
        row = TABLE.get(i.platform)
        auto = (f" The workers look it up on {i.platform} on their own; act if it stays in doubt."
                if row is not None and row.lookup else "")
        return (f"look at {i.account} on {i.platform}: if the post is there, run: campaign resolve {i.post} "
                f"--posted URL; if it is not: campaign resolve {i.post} --not-posted.{auto}")
    if i.event == "missed" and LATE_WHEN_PLANNED in i.detail:
        return ("nothing: the campaign was applied after this post's time plus max_lateness, so it was never "
                "going to go out and nothing is wrong with the workers; only posts due from now on go out")
    if i.event == "missed":
        return ("a late post is never sent, so nothing more goes out for this one; check that the workers run "
                f"(campaign status {cid}), that the campaign is not paused and that cards are approved in time")
    return (f"approve it before its time: campaign approve {i.post} (or its whole week: campaign approve {cid} "
            f"--week {i.week}); unapproved, it is missed")


def _plus(due: str, campaign: Campaign) -> str:
    return (datetime.fromisoformat(due) + campaign.max_lateness).isoformat() if due else ""


def _block(i: Incident, campaign: Campaign, folder: str, dashboard: str | None) -> list[str]:
    lines = [what_happened(i, campaign), f"What to do: {what_to_do(i, campaign, folder)}"]
    if i.post and dashboard:
        lines.append(f"Post page: {post_link(dashboard, i.post)}")
    return lines


def _plural(heading: str) -> str:
    """``account blocked`` -> ``accounts blocked`` (the other headings say a state: ``3 failed``)."""
    return heading.replace("account ", "accounts ", 1) if heading.startswith("account ") else heading


def _title_of(i: Incident) -> str:
    if i.event == "account_blocked":
        return f"account {i.account} blocked"
    return f"{_HEADINGS[i.event]}: {_who(i)} on {i.account} ({i.due[:10]})"


def problem_message(incidents: list[Incident], campaign: Campaign, folder: str, dashboard: str | None) -> Message:
    """One message for one problem; a digest for several."""
    level = "failure" if any(i.event in ("failed", "account_blocked", "missed") for i in incidents) else "warning"
    events = tuple(dict.fromkeys(i.event for i in incidents))
    if len(incidents) == 1:
        i = incidents[0]
        return Message(f"[{campaign.id}] {_title_of(i)}", "\n".join(_block(i, campaign, folder, dashboard)), level,
                       events, (i.key,))
    count = Counter(i.event for i in incidents)
    summary = ", ".join(f"{count[e]} {_plural(heading) if count[e] > 1 else heading}"
                        for e, heading in _HEADINGS.items() if count[e])
    lines = [f"{len(incidents)} problems in {campaign.name} ({campaign.id}): {summary}.", ""]
    ordered = sorted(incidents, key=lambda i: (list(_HEADINGS).index(i.event), i.due, i.post, i.account))
    for n, i in enumerate(ordered[:DIGEST_SHOWN], 1):
        lines += [f"{n}. " + _block(i, campaign, folder, dashboard)[0]]
        lines += ["   " + line for line in _block(i, campaign, folder, dashboard)[1:]]
    if len(ordered) > DIGEST_SHOWN:
        lines.append(f"... and {len(ordered) - DIGEST_SHOWN} more: campaign status {campaign.id}")
    if dashboard:
        lines.append(f"Dashboard: {dashboard}")
    return Message(f"[{campaign.id}] {summary}", "\n".join(lines), level, events, tuple(i.key for i in incidents))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no posts"


def _open_lines(open_: dict[str, list[str]], campaign: Campaign) -> list[str]:
    cid, lines = campaign.id, []
    for state, ids in open_.items():
        if not ids:
            continue
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        what = {"failed": f"failed ({len(ids)}): {shown}; campaign retry ID once the cause is fixed",
                "in_doubt": f"in doubt ({len(ids)}): {shown}; campaign resolve ID --posted URL (or --not-posted)",
                "awaiting_review": f"awaiting approval ({len(ids)}): {shown}; campaign approve ID",
                "blocked": f"blocked accounts: {shown}; campaign accounts unblock ACCOUNT {cid} once fixed"}
        lines.append("- " + what[state])
    return lines or ["- nothing waits for a person"]


def summary_message(i: Incident, campaign: Campaign, dashboard: str | None) -> Message:
    """The daily digest or the closing summary."""
    f = i.facts
    tail = [f"Dashboard: {dashboard}"] if dashboard else []
    if i.event == "daily":
        moved = {s: n for s, n in f.get("moved", {}).items() if s in ("posted", "failed", "in_doubt", "missed")}
        lines = [f"{campaign.name} ({campaign.id}), {f.get('day')}.",
                 f"Last 24 hours: {_counts(moved) if moved else 'nothing posted, failed or missed'}.",
                 f"All posts: {_counts(f.get('counts', {}))}.", "Waiting for a person:",
                 *_open_lines(f.get("open", {}), campaign)]
        if f.get("next"):
            lines.append("Next: " + "; ".join(f"{n['post']} at {_when(n['due'], campaign)} ({n['state']})"
                                              for n in f["next"]))
        return Message(f"[{campaign.id}] daily digest {f.get('day')}", "\n".join(lines + tail), "info", ("daily",), (i.key,))
    total = sum(f.get("counts", {}).values())
    lines = [f"{campaign.name} ({campaign.id}) has ended ({campaign.start} to {campaign.end}, max_lateness "
             f"{format_duration(campaign.max_lateness)}).",
             f"{f.get('posted', 0)} of {total} posts went out. By state: {_counts(f.get('counts', {}))}.",
             "By account:", *[f"- {a}: {_counts(c)}" for a, c in f.get("accounts", {}).items()],
             "Still open:", *_open_lines(f.get("open", {}), campaign),
             f"The full record: campaign status {campaign.id} (and the report of campaign simulate or the dashboard)."]
    return Message(f"[{campaign.id}] campaign finished: {f.get('posted', 0)} of {total} posts out",
                   "\n".join(lines + tail), "info", ("campaign_finished",), (i.key,))


def messages(incidents: list[Incident], campaign: Campaign, folder: str, dashboard: str | None) -> list[Message]:
    """The messages for incidents taken at once for one channel: the problems together, each summary alone."""
    problems = [i for i in incidents if i.event not in SUMMARIES]
    out = [problem_message(problems, campaign, folder, dashboard)] if problems else []
    return out + [summary_message(i, campaign, dashboard) for i in incidents if i.event in SUMMARIES]


__all__ = ["DIGEST_SHOWN", "Message", "messages", "post_link", "problem_message", "summary_message", "what_happened",
           "what_to_do"]
