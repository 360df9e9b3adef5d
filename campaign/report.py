"""``report.html``: a timeline of every post of a campaign with its card, state and caption.

Read from the ledger only (the truth), so the same report describes a simulation or a real run.
Cards are written beside it as small thumbnails and the project's fonts in ``fonts/``; every link is
relative (an outbox post's ``file:`` address becomes a link into the folder, or none if it lies
outside), so the folder, copied or zipped, opens anywhere. The page needs no server and no script. A
rehearsal (``campaign simulate --faults``) adds a table of the faults injected: where each post
ended and what a monitor would run next; its posts are marked in the timeline.
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote, unquote, urlsplit
from collections import Counter
from datetime import datetime
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from .ledger import Ledger
from .ledger.states import STATES

if TYPE_CHECKING:
    from .pipeline.rehearsal import FaultOutcome

THUMB_SIDE = 320


def _thumbnail(data: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (THUMB_SIDE, THUMB_SIDE))  # a JPEG card decodes at the smallest scale still above it
        im = im.convert("RGB")
        im.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=80)
        return out.getvalue()


def _thumbnail_file(cards: Path, digest: str) -> Path:
    """Where a card's thumbnail goes: named by its digest's first 16 characters."""
    return cards / f"{digest[:16]}.jpg"


def _write_thumbnails(ledger: Ledger, cards: Path, digests: list[str]) -> None:
    """``cards/<digest[:16]>.jpg`` for each card not there yet, drawn on every core (threads: Pillow lets
    go of the interpreter while it decodes, scales and encodes), the cards read in one round trip."""
    wanted = {d[:16]: d for d in digests if not _thumbnail_file(cards, d).exists()}
    if not wanted:
        return
    pipe = ledger.r.pipeline(transaction=False)
    for digest in wanted.values():
        pipe.get(ledger.key("blob", digest))
    blobs = dict(zip(wanted, pipe.execute()))
    missing = [wanted[name] for name, data in blobs.items() if data is None]
    if missing:
        raise KeyError(f"blob {missing[0]} is not in Redis; apply the campaign again")

    def one(name: str) -> None:
        _thumbnail_file(cards, name).write_bytes(_thumbnail(blobs[name]))

    with ThreadPoolExecutor(max_workers=min(len(blobs), os.cpu_count() or 1)) as pool:
        list(pool.map(one, blobs))


class Thumbnails:
    """The report's thumbnails, made while a replay goes on (``campaign simulate``): each card handed to
    :meth:`add` is thumbnailed in one background thread (Pillow lets go of the interpreter while it
    decodes, scales and encodes, so the replay's own loop hardly waits for it), and :func:`write_report`
    given this object makes only those still missing. Thumbnails of cards no post shows in the end (a
    card drawn again after news) are removed then."""

    def __init__(self, ledger: Ledger, cards: Path):
        self.ledger, self.cards = ledger, cards
        self.made: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Future[None]] = []
        cards.mkdir(parents=True, exist_ok=True)

    def add(self, digests: Iterable[str]) -> None:
        for digest in digests:
            if digest[:16] not in self.made:
                self.made.add(digest[:16])
                self._pending.append(self._pool.submit(self._one, digest))

    def _one(self, digest: str) -> None:
        _thumbnail_file(self.cards, digest).write_bytes(_thumbnail(self.ledger.get_blob(digest)))

    def finish(self, shown: set[str]) -> None:
        """Wait for the thumbnails under way; remove those of cards not in ``shown`` (their names)."""
        self._pool.shutdown(wait=True)
        for future in self._pending:
            future.result()  # a card gone from Redis says so here, as the report would
        for name in self.made - shown:
            _thumbnail_file(self.cards, name).unlink(missing_ok=True)


def page_link(url: str, out_dir: Path) -> str | None:
    """``url`` as the page links to it: a web address as it is; a ``file:`` address as a path
    relative to ``out_dir`` when it lies inside it (an outbox post), else None (no link: an
    absolute path breaks once the folder is copied)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return url
    try:
        inside = Path(unquote(parts.path)).resolve().relative_to(out_dir.resolve())
    except ValueError:
        return None
    return quote(inside.as_posix())


def summary_line(cid: str, counts: dict[str, int]) -> str:
    """``release-hrds-2021: 96 posts: 92 posted, 4 expired``."""
    total = sum(counts.get(s, 0) for s in STATES)
    parts = [f"{counts[s]} {s}" for s in STATES if counts.get(s)]
    return f"{cid}: {total} posts: " + (", ".join(parts) if parts else "none")


def _faults_html(found: list[FaultOutcome], seed: int | None, spec: str) -> str:
    """The rehearsal's table (empty without faults)."""
    if not found:
        return ""
    rows = "\n".join(
        f'<tr><td>{html.escape(o.kind)}</td><td><a href="#{html.escape(o.post)}">{html.escape(o.post)}</a></td>'
        f'<td><span class="state {html.escape(o.state)}">{html.escape(o.label)}</span> {html.escape(o.ended)}</td>'
        f'<td><code>{html.escape(o.next)}</code></td></tr>' for o in found)
    return (f'<h2>Rehearsal: faults injected</h2><p>{html.escape(spec)}, seed {seed}: each post below met its '
            'fault in the replay and the real pipeline handled it.</p>'
            '<table class="faults"><thead><tr><th>fault</th><th>post</th><th>where it ended</th>'
            f'<th>what a monitor runs next</th></tr></thead><tbody>\n{rows}\n</tbody></table>')


def write_report(ledger: Ledger, cid: str, out_dir: Path, *, subtitle: str = "",
                 thumbnails: Thumbnails | None = None) -> Path:
    """Write ``out_dir/report.html`` (and ``out_dir/cards/``) for campaign ``cid``; returns the page's path.
    ``thumbnails``: those made while a replay went on (into ``out_dir/cards``)."""
    from .cards.webfonts import ship_fonts
    from .pipeline import load_applied
    from .pipeline.faults import load_plan, spec_text
    from .pipeline.rehearsal import outcomes

    applied = load_applied(ledger, cid)
    plan = load_plan(ledger, cid)
    found = outcomes(ledger, applied)
    fault_of = {o.post: o.kind for o in found}
    names = {p.id: p.name.get("en") for p in applied.roster.people}
    tz = applied.campaign.tz
    cards = out_dir / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    posts = ledger.posts(cid)
    if thumbnails is not None:
        thumbnails.finish({post.card[:16] for post in posts if post.card})
    _write_thumbnails(ledger, cards, [post.card for post in posts if post.card])
    rows = []
    for post in posts:
        slot = post.slot
        due = datetime.fromtimestamp(post.due, tz)
        img = ""
        if post.card:
            text = post.alt_text(slot.language)
            img = f'<img src="cards/{post.card[:16]}.jpg" alt="{html.escape(text)}" loading="lazy">'
        people = ", ".join(names.get(p, p) for p in slot.people)
        state = post.state
        link = page_link(post.url, out_dir) if post.url else None
        state_html = f'<span class="state {state}">{state}</span>'
        if link and state == "posted":
            state_html = f'<a href="{html.escape(link)}">{state_html}</a>'
        error = f'<div class="error">{html.escape(post.error)}</div>' if post.error else ""
        # what a person should look at on the card: text that did not fit, a blurry photo, English on a Khmer card
        error += "".join(f'<div class="warning">{html.escape(w)}</div>' for w in post.warnings or ())
        if post.id in fault_of:
            error += f'<div class="fault">rehearsal fault: {html.escape(fault_of[post.id])}</div>'
        anchor = f' id="{html.escape(post.id)}"' if post.id in fault_of else ""
        rows.append(
            f"<tr{anchor}><td>{due:%a %Y-%m-%d %H:%M}<div class=\"week\">week {slot.week}</div></td>"
            f"<td>{html.escape(slot.account)}<div class=\"week\">{html.escape(slot.language)}</div></td>"
            f"<td>{html.escape(slot.kind)}</td><td>{html.escape(people)}</td>"
            f"<td>{state_html}{error}</td><td class=\"card\">{img}</td>"
            f"<td class=\"caption\">{html.escape(post.caption or '')}</td></tr>")
    counts = Counter(p.state for p in posts)
    summary = "".join(f'<span class="{s}">{counts[s]} {s}</span>' for s in STATES if counts.get(s))
    page = Template((Path(__file__).parent / "templates" / "report.html").read_text(encoding="utf-8"))
    path = out_dir / "report.html"
    faces, families = ship_fonts(out_dir)
    path.write_text(page.substitute(
        font_faces=faces, font_families=families,
        title=html.escape(f"{applied.campaign.name} ({cid})"),
        subtitle=html.escape(subtitle or summary_line(cid, dict(counts))),
        summary=summary, rows="\n".join(rows),
        faults=_faults_html(found, plan.seed if plan else None, spec_text(plan.spec) if plan else "")), encoding="utf-8")
    return path
