"""Where a line of text may break. Pure.

Khmer, Thai, Lao and Burmese write no spaces between words, and a "letter" on screen is a
cluster: a consonant with its subscripts or medials, vowel signs and diacritics. A line may break

* between Khmer words (khmer-nltk's segmenter, results cached per string),
* at a zero-width space (U+200B) or a space in the data,
* and, only when one word is wider than the whole line, inside it (:func:`break_pieces`):
  between Khmer clusters, before Burmese syllables, roughly before Thai and Lao syllables,

but never inside a cluster. Other scripts break at spaces (and after hyphens); a word of theirs
wider than the line is left whole, for the fit to report.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from dataclasses import dataclass

from ..words import LANGUAGES, words

ZWSP = "\u200b"
_KHMER_RE = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
# A cluster: any base character, then everything that attaches to it. A coeng (U+17D2) takes
# the next character with it whatever that is, so a subscript is never separated from its sign.
_COMBINING = "\u17b4-\u17d1\u17d3\u17dd\u200c\u200d\u0300-\u036f"
_CLUSTER_RE = re.compile(rf"\u17d2.?|.(?:\u17d2.?|[{_COMBINING}])*", re.S)
# Khmer runs vs everything else, for segmenting mixed text.
_RUN_RE = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff\u200c\u200d]+|[^\u1780-\u17ff\u19e0-\u19ff\u200c\u200d]+")


def has_khmer(text: str) -> bool:
    return bool(_KHMER_RE.search(text))


def clusters(text: str) -> list[str]:
    """``text`` split into grapheme clusters (Khmer-aware); ``"".join(clusters(t)) == t``."""
    return _CLUSTER_RE.findall(text)


def _silence_nltk() -> None:
    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)


@functools.lru_cache(maxsize=4096)
def khmer_words(text: str) -> tuple[str, ...]:
    """A run of Khmer split into words (khmer-nltk), never inside a cluster.

    The segmenter is a statistical model: on odd input it may cut inside a cluster, so its cuts
    are kept only where they fall on a cluster boundary. If it is unavailable or fails, the
    whole run is one unit (cluster breaks still apply to over-long words).
    """
    try:
        from khmernltk import word_tokenize

        _silence_nltk()  # its logger is set to DEBUG at import; keep our CLI output clean

        words = [w for w in word_tokenize(text) if w]
    except Exception:  # noqa: BLE001 - a segmenter failure must not stop a card; clusters still work
        return (text,)
    if "".join(words) != text:
        return (text,)
    bounds, pos = set(), 0
    for c in clusters(text):
        pos += len(c)
        bounds.add(pos)
    out, start, pos = [], 0, 0
    for w in words:
        pos += len(w)
        if pos in bounds and pos > start:
            out.append(text[start:pos])
            start = pos
    if start < len(text):
        out.append(text[start:])
    return tuple(out)


@dataclass(frozen=True)
class Unit:
    """A piece of text between break opportunities; ``space`` units vanish at a line's end;
    ``unspaced``: in a script written without spaces between words, so that when it is wider
    than a whole line it may be broken inside (:func:`break_pieces`)."""

    text: str
    space: bool = False
    unspaced: bool = False


@functools.lru_cache(maxsize=4096)
def units(text: str, coarse: bool = False) -> tuple[Unit, ...]:
    """``text`` cut at every place a line may break, in order; ``coarse``: only at spaces and
    zero-width spaces (Khmer marks phrase and name boundaries with them: the best breaks)."""
    out: list[Unit] = []
    for piece in re.split(r"(\s+|\u200b)", text):
        if not piece:
            continue
        if piece == ZWSP:
            continue  # a break opportunity and nothing else
        if piece.isspace():
            out.append(Unit(" ", space=True))
            continue
        if coarse:
            out.append(Unit(piece))
            continue
        for run in _RUN_RE.findall(piece):
            if has_khmer(run):
                out.extend(Unit(w, unspaced=True) for w in khmer_words(run))
            else:
                # English: keep hyphenated words breakable after the hyphen
                out.extend(Unit(p, unspaced=unspaced(p)) for p in re.findall(r"[^-]+-?|-", run))
    return _numbers_kept_with_their_word(out)


@functools.lru_cache(maxsize=1)
def unit_words() -> frozenset[str]:
    """The words a number is said with in every language the project writes: year, month and day in
    each form, and the months' names ("9 November"), lower-cased."""
    every = [words(lang) for lang in LANGUAGES]
    return frozenset(form.lower() for w in every for form in (*w.year, *w.month, *w.day, *w.months))


def _numbers_kept_with_their_word(out: list[Unit]) -> tuple[Unit, ...]:
    """The units, with a number and the unit word after it one unit: a line never ends between "6"
    and "months" ("1 год, 6 / месяцаў" reads as two facts) or "9" and "November", as a typesetter's
    no-break space keeps them (a year before the next clause may still end a line)."""
    units_ = unit_words()
    kept: list[Unit] = []
    i = 0
    while i < len(out):
        u = out[i]
        if (i + 2 < len(out) and not u.space and u.text[-1:].isdigit() and out[i + 1].space
                and out[i + 2].text.rstrip(",.;:)").lower() in units_):
            after = out[i + 2]
            kept.append(Unit(f"{u.text} {after.text}", unspaced=u.unspaced or after.unspaced))
            i += 3
            continue
        kept.append(u)
        i += 1
    return tuple(kept)


# Scripts written without spaces between words: a word of theirs wider than a line may be broken inside.
_UNSPACED_RE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f]")
# Burmese: a syllable starts at a consonant that is not stacked under the one before (virama U+1039)
# and not silenced (asat U+103A) or stacking (virama) itself, or at an independent vowel, a digit or a sign.
_MY_ONSET = re.compile(r"(?<!\u1039)[\u1000-\u1021](?![\u103a\u1039])|[\u1023-\u102a\u103f\u1040-\u104f]")
# Thai and Lao, roughly by syllable (a dictionary would find words): a piece starts at a leading vowel
# (written before its consonant) or at a consonant that carries a vowel sign or tone mark (a
# syllable's first), unless it follows a leading vowel, mai han-akat or mai taikhu (then it ends
# the syllable before); never at a vowel sign, tone mark, silenced or unmarked consonant.
_TH_ONSET = re.compile(r"(?<![\u0e40-\u0e44\u0ec0-\u0ec4])[\u0e40-\u0e44\u0ec0-\u0ec4]"
                       r"|(?<![\u0e40-\u0e44\u0e31\u0e47\u0ec0-\u0ec4\u0eb1])[\u0e01-\u0e2e\u0e81-\u0eae]"
                       r"(?=[\u0e30-\u0e39\u0e47-\u0e4b\u0e4d\u0eb0-\u0ebc\u0ec8-\u0ecb\u0ecd])")


def unspaced(text: str) -> bool:
    """Whether ``text`` has letters of a script written without spaces between words."""
    return bool(_UNSPACED_RE.search(text))


def break_pieces(word: str) -> list[str]:
    """``word`` cut where it may break when it is wider than a whole line (``"".join`` gives it
    back): between Khmer clusters, before each Burmese syllable, before what starts a Thai or Lao
    syllable; never elsewhere. A last resort: mid-word, but on the card, not off it."""
    cuts = {0, len(word)}
    pos = 0
    for c in _CLUSTER_RE.findall(word):  # Khmer clusters (and any other character alone)
        if has_khmer(c):
            cuts.update((pos, pos + len(c)))
        pos += len(c)
    cuts.update(m.start() for m in _MY_ONSET.finditer(word))
    cuts.update(m.start() for m in _TH_ONSET.finditer(word))
    ordered = sorted(cuts)
    return [word[a:b] for a, b in itertools.pairwise(ordered) if b > a]


__all__ = ["ZWSP", "Unit", "break_pieces", "clusters", "has_khmer", "khmer_words", "units", "unspaced"]
