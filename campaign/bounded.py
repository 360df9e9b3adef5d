"""Reading input files bounded, before anything parses them: no file can hang or crash the program.

:func:`read_at_most` reads any file up to a limit its caller names (photos, logos and template
images: ``cards.photos.MAX_PHOTO_BYTES``; secret files: ``credentials.MAX_SECRET_BYTES``). Every
YAML file the project reads (campaign.yaml, roster.yaml, template.yaml, the dashboard's users file)
comes through :func:`read_text` and :func:`compose`, called by :func:`campaign.sources.read_yaml`:

- the file is read up to :data:`MAX_YAML_BYTES` and refused above it, before it is parsed;
- a character YAML does not allow (a NUL byte, a control character) is refused at its line and
  column, before the parser sees it;
- it is parsed by libyaml's C parser when PyYAML has it (the pure-Python one otherwise), as a
  stream of events, and built into plain Python data here, without recursion: nesting deeper than
  :data:`MAX_DEPTH` is refused at the line where it goes too deep, and aliases (``*name``) may
  repeat at most :data:`MAX_ALIAS_VALUES` values in all, so a "billion laughs" file stops at once
  instead of expanding;
- a syntax error is explained in PyYAML's words (which ``sources`` adds a hint to) when the file is
  small enough to parse twice, else in libyaml's.

Every refusal is an :class:`~campaign.errors.InputError` of one located problem.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev

from .errors import InputError, Problem

try:
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

Loc = tuple[str | int, ...]

MAX_YAML_BYTES = 8 * 1024 * 1024  # a 20,000-person roster is about 2 MB
MAX_DEPTH = 64  # campaign files nest about 6 deep
MAX_ALIAS_VALUES = 100_000  # values that aliases may repeat, in all (a billion laughs needs 10^9)
PURE_ERROR_BYTES = 256 * 1024  # a broken file up to this size is parsed again for PyYAML's clearer message

_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_SCALARS = yaml.SafeLoader("")  # its resolver and stateless scalar constructors
_STR = "tag:yaml.org,2002:str"
_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")  # what an untagged mapping, list is
_TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep; a campaign file needs a few levels: check for unclosed "
             "brackets or runaway indentation")


def format_loc(loc: Loc) -> str:
    """``("accounts", 2, "credentials")`` -> ``accounts[2].credentials``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def megabytes(n: int) -> str:
    """``8 MB`` (a limit, as a person reads it)."""
    return f"{n / 1_048_576:g} MB"


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None if it holds more than ``limit`` (read no further than that,
    so a huge file or a device costs nothing). OSError (missing, a folder, unreadable, a pipe or socket,
    a device with nothing to read yet) propagates: opened without waiting, so a named pipe no one
    writes to, or a terminal, is an error instead of a hang."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        kind = os.fstat(fd).st_mode
        if stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind):
            raise OSError(errno.EINVAL, "it is a named pipe or socket, not a file", str(path))
        data = f.read(limit + 1)
    if data is None:  # a device with nothing to read yet (a terminal)
        raise OSError(errno.EAGAIN, "it is a device with nothing to read, not a file", str(path))
    return None if len(data) > limit else data


def resolved(path: Path) -> Path | None:
    """``path`` made absolute with its links followed, or None when no file can be there: a NUL byte
    in its name (written "\\0" in a quoted YAML string), or links that loop."""
    try:
        out = path.resolve()
        if out.is_symlink():  # a link resolve could not follow: Python 3.13 returns a loop as it is
            out.stat()  # OSError (ELOOP)
        return out
    except (ValueError, RuntimeError, OSError):  # RuntimeError: a symlink loop (Python before 3.13)
        return None


def read_text(path: Path, name: str, limit: int = MAX_YAML_BYTES) -> str:
    """The UTF-8 text of a YAML file, bounded in size and checked for characters YAML refuses."""
    try:
        data = read_at_most(path, limit)
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "file not found")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot be read ({exc.strerror or exc})")]) from None
    if data is None:
        raise InputError([Problem(name, None, "", f"the file is larger than {megabytes(limit)}, the limit for a "
                                  "YAML file; check it is the right file, or split it")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(name, line, "", f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                  "save the file as UTF-8")]) from None
    bad = _NON_PRINTABLE.search(text)
    if bad:
        pos = bad.start()
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = bad.group()
        what = unicodedata.name(char, "a control character")
        raise InputError([Problem(name, line, "", f"column {column}: the character U+{ord(char):04X} ({what}) is not "
                                  "allowed in YAML; delete it (it often comes with text copied from another program), "
                                  f"or if it is meant, write it as \"\\u{ord(char):04X}\" inside double quotes")])
    return text


class _Open:
    """A mapping or sequence being built."""

    __slots__ = ("value", "path", "line", "anchor", "weight", "key", "key_line", "has_key", "is_list")

    def __init__(self, value: dict[Any, Any] | list[Any], path: Loc | None, line: int, anchor: str | None):
        self.value, self.line, self.anchor = value, line, anchor
        self.path = path  # None: this collection is a mapping key (refused when it ends), or inside one
        self.weight = 1  # nodes in its expansion: what an alias to it repeats
        self.key: Any = None  # a mapping's key waiting for its value
        self.key_line, self.has_key, self.is_list = 0, False, isinstance(value, list)


class _Builder:
    """Plain data from parser events, the line of every value recorded by its path."""

    def __init__(self, name: str):
        self.name = name
        self.lines: dict[Loc, int] = {}
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.repeated = 0
        self.root: Any = None
        self.documents = 0
        self.known: dict[str, Any] = {}  # plain scalar -> its value (immutable: text, numbers, dates, None)

    def fail(self, line: int, message: str, loc: Loc = ()) -> InputError:
        return InputError([Problem(self.name, line, format_loc(loc), message)])

    def place(self, line: int) -> None:
        """Record the line of the node starting now, unless it is (inside) a mapping key."""
        if not self.stack:
            self.lines[()] = line
            return
        top = self.stack[-1]
        if top.path is not None:
            if top.is_list:
                self.lines[top.path + (len(top.value),)] = line
            elif top.has_key:
                self.lines[top.path + (top.key,)] = line

    def add(self, value: Any, weight: int, line: int, anchor: str | None) -> None:
        """A finished node: remembered under its anchor, then put in its parent."""
        if anchor is not None:
            self.anchors[anchor] = (value, weight)
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.weight += weight
        if top.is_list:
            top.value.append(value)  # type: ignore[union-attr]
        elif not top.has_key:
            if isinstance(value, (dict, list)):
                raise self.fail(line, "a key must be a plain value", top.path or ())
            top.key = value if isinstance(value, (str, int)) else str(value)
            top.key_line, top.has_key = line, True
        else:
            key, top.has_key = top.key, False
            if top.path is not None:
                if key in top.value:
                    raise self.fail(top.key_line, "this key appears twice; keep one", top.path + (key,))
                self.lines[top.path + (key,)] = top.key_line
            top.value[key] = value  # type: ignore[call-overload]

    def start(self, value: dict[Any, Any] | list[Any], line: int, anchor: str | None) -> None:
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            raise self.fail(line, _TOO_DEEP)
        self.place(line)
        stack.append(_Open(value, self.child_path(), line, anchor))

    def child_path(self) -> Loc | None:
        """The path of the node starting now (None: it is, or is inside, a mapping key)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.path is None:
            return None
        return top.path + (len(top.value),) if top.is_list else top.path + (top.key,) if top.has_key else None

    def alias(self, anchor: str, line: int) -> None:
        if anchor not in self.anchors:
            raise self.fail(line, f"*{anchor} refers to no anchor &{anchor} above it; "
                                  "define the anchor first (a collection cannot contain an alias to itself)")
        value, weight = self.anchors[anchor]
        self.repeated += weight
        if self.repeated > MAX_ALIAS_VALUES:
            raise self.fail(line, f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all (a "
                                  "\"billion laughs\"?); write the values out, or use fewer aliases",
                            self.child_path() or ())
        self.place(line)
        self.add(value, weight, line, None)


# The first characters of a plain scalar that may be something other than text (a number, a date,
# true, null...): any other plain scalar is text without asking the resolver.
_MAYBE_TYPED = frozenset(k for k in _SCALARS.yaml_implicit_resolvers if k)


def _scalar(event: ev.ScalarEvent, line: int, builder: _Builder) -> Any:
    tag, value = event.tag, event.value
    if tag is None or tag == "!":
        if not event.implicit[0] or (value and value[0] not in _MAYBE_TYPED):
            return value  # quoted, or plain text that cannot be read as anything else
        tag = _SCALARS.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == _STR:
        return value
    if tag.endswith((":int", ":float")) and ":" in value:
        return value  # YAML 1.1 reads 10:00 as sexagesimal 600; keep it as the time it means
    if tag.endswith((":merge", ":value")):
        return value  # `<<` and `=` are plain keys here (the model says they are unknown)
    construct = _SCALARS.yaml_constructors.get(tag)
    if construct is None or tag.endswith((":map", ":seq", ":omap", ":pairs", ":set")):
        raise builder.fail(line, f"not valid YAML: the tag {tag!r} is not allowed here; remove it")
    try:
        return construct(_SCALARS, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
    except ValueError:
        return value  # e.g. an impossible date 2021-02-30: let the model say what is wrong
    except yaml.YAMLError as exc:
        raise builder.fail(line, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


@contextmanager
def _no_gc() -> Iterator[None]:
    """The collector off while the data is built: it would walk the growing, acyclic heap again and
    again (a 20,000-person roster builds in a quarter of the time without it). The size is bounded."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def compose(text: str, name: str) -> tuple[Any, dict[Loc, int]]:
    """The data of a one-document YAML text and the line (1-based) of every value, by path.

    Raises :class:`yaml.MarkedYAMLError` for a syntax error (see :func:`explain`), InputError for
    a file too deep, an alias bomb, an undefined alias, several documents or a refused tag.
    """
    builder = _Builder(name)
    parser = _Parser(text)
    try:
        with _no_gc():
            _run(parser, builder)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1000) met while scanning ahead
            mark = exc.problem_mark or exc.context_mark
            raise builder.fail(mark.line + 1 if mark else 1, _TOO_DEEP) from None
        raise
    finally:
        parser.dispose()
    if not builder.documents:
        raise InputError([Problem(name, 1, "", "the file is empty")])
    return builder.root, builder.lines


def _run(parser: Any, b: _Builder) -> None:
    get, place, add = parser.get_event, b.place, b.add
    scalar, mapping, sequence = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
    ends = (ev.MappingEndEvent, ev.SequenceEndEvent)
    stack, lines, known = b.stack, b.lines, b.known
    while (event := get()) is not None:
        kind = type(event)
        if kind is scalar:
            line = event.start_mark.line + 1
            text = event.value
            if event.tag is None and event.implicit[0] and text in known:
                value = known[text]  # plain scalars repeat (types, dates, true): resolved once
            else:
                value = _scalar(event, line, b)
                if event.tag is None and event.implicit[0]:
                    known[text] = value
            top = stack[-1] if stack else None
            if top is not None and top.path is not None and event.anchor is None and (top.is_list or top.has_key):
                # the common case, inline: a value in a list or under its key
                top.weight += 1
                if top.is_list:
                    lines[top.path + (len(top.value),)] = line
                    top.value.append(value)  # type: ignore[union-attr]
                    continue
                key, top.has_key = top.key, False
                if key in top.value:
                    raise b.fail(top.key_line, "this key appears twice; keep one", top.path + (key,))
                lines[top.path + (key,)] = top.key_line
                top.value[key] = value  # type: ignore[call-overload]
                continue
            place(line)
            add(value, 1, line, event.anchor)
        elif kind in ends:
            done = b.stack.pop()
            add(done.value, done.weight, done.line, done.anchor)
        elif kind is mapping or kind is sequence:
            if event.tag is not None and event.tag not in _PLAIN_COLLECTIONS:
                raise b.fail(event.start_mark.line + 1, f"not valid YAML: the tag {event.tag!r} is not allowed here; remove it")
            b.start({} if kind is mapping else [], event.start_mark.line + 1, event.anchor)
        elif kind is ev.AliasEvent:
            b.alias(event.anchor, event.start_mark.line + 1)
        elif kind is ev.DocumentStartEvent:
            b.documents += 1
            if b.documents > 1:
                raise b.fail(event.start_mark.line + 1,
                             "a second YAML document starts here (a line '---'); keep one document per file")


def explain(text: str, exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The syntax error as PyYAML's own parser words it (libyaml's words differ, and the hints in
    ``sources`` read PyYAML's), when the file is small enough to parse again; else ``exc``."""
    if _Parser is yaml.SafeLoader or len(text) > PURE_ERROR_BYTES:
        return exc
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):  # events only: no recursion
            if isinstance(event, ev.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:  # the pure scanner slows with depth: keep libyaml's words
                    return exc
            elif isinstance(event, ev.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as pure:
        return pure
    return exc


__all__ = ["MAX_ALIAS_VALUES", "MAX_DEPTH", "MAX_YAML_BYTES", "Loc", "compose", "explain", "format_loc", "megabytes",
           "read_at_most", "read_text"]
