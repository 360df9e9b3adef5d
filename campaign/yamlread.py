"""Reading a YAML file without letting it hang or crash the program: bounded before it is parsed.

Every YAML file the project reads (campaign.yaml, roster.yaml, template.yaml, the dashboard's users
file) comes through :func:`read_text` and :func:`compose`, called by :func:`campaign.sources.read_yaml`:

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

import gc
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    so a huge file or a device costs nothing). OSError (missing, a folder, unreadable) propagates."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    return None if len(data) > limit else data


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
                                  "allowed in YAML; delete it (it often comes with text copied from another "
                                  "program) or write it as \\u escape inside double quotes")])
    return text


@dataclass
class _Open:
    """A mapping or sequence being built."""

    value: dict[Any, Any] | list[Any]
    path: Loc | None  # None: this collection is a mapping key (refused when it ends)
    line: int
    anchor: str | None
    weight: int = 1  # nodes in its expansion: what an alias to it repeats
    key: Any = None  # a mapping's key waiting for its value
    key_line: int = 0
    has_key: bool = False


@dataclass
class _Builder:
    """Plain data from parser events, the line of every value recorded by its path."""

    name: str
    lines: dict[Loc, int] = field(default_factory=dict)
    stack: list[_Open] = field(default_factory=list)
    anchors: dict[str, tuple[Any, int]] = field(default_factory=dict)
    repeated: int = 0
    root: Any = None
    documents: int = 0

    def fail(self, line: int, message: str, loc: Loc = ()) -> InputError:
        return InputError([Problem(self.name, line, format_loc(loc), message)])

    def child_path(self) -> Loc | None:
        """The path of the node starting now (None: it is a mapping key)."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.path is None:
            return None
        if isinstance(top.value, list):
            return top.path + (len(top.value),)
        return top.path + (top.key,) if top.has_key else None

    def add(self, value: Any, weight: int, line: int, anchor: str | None) -> None:
        """A finished node: remembered under its anchor, then put in its parent."""
        if anchor is not None:
            self.anchors[anchor] = (value, weight)
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.weight += weight
        if isinstance(top.value, list):
            top.value.append(value)
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
            top.value[key] = value  # type: ignore[index]

    def start(self, value: dict[Any, Any] | list[Any], line: int, anchor: str | None) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(line, _TOO_DEEP)
        path = self.child_path()
        if path is not None:
            self.lines[path] = line
        self.stack.append(_Open(value, path, line, anchor))

    def end(self) -> None:
        done = self.stack.pop()
        self.add(done.value, done.weight, done.line, done.anchor)

    def scalar(self, event: ev.ScalarEvent, line: int) -> None:
        path = self.child_path()
        if path is not None:
            self.lines[path] = line
        self.add(_scalar(event, line, self), 1, line, event.anchor)

    def alias(self, event: ev.AliasEvent, line: int) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(line, f"*{event.anchor} refers to no anchor &{event.anchor} above it; "
                                  "define the anchor first (a collection cannot contain an alias to itself)")
        value, weight = self.anchors[event.anchor]
        self.repeated += weight
        if self.repeated > MAX_ALIAS_VALUES:
            raise self.fail(line, f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all (a "
                                  "\"billion laughs\"?); write the values out, or use fewer aliases")
        path = self.child_path()
        if path is not None:
            self.lines[path] = line
        self.add(value, weight, line, None)


def _scalar(event: ev.ScalarEvent, line: int, builder: _Builder) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _SCALARS.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    if tag.endswith((":int", ":float")) and ":" in event.value:
        return event.value  # YAML 1.1 reads 10:00 as sexagesimal 600; keep it as the time it means
    if tag.endswith((":merge", ":value")):
        return event.value  # `<<` and `=` are plain keys here (the model says they are unknown)
    construct = _SCALARS.yaml_constructors.get(tag)
    if construct is None or tag.endswith((":map", ":seq", ":omap", ":pairs", ":set")):
        raise builder.fail(line, f"not valid YAML: the tag {tag!r} is not allowed here; remove it")
    try:
        return construct(_SCALARS, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))
    except ValueError:
        return event.value  # e.g. an impossible date 2021-02-30: let the model say what is wrong
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
    get = parser.get_event
    while (event := get()) is not None:
        kind = type(event)
        line = event.start_mark.line + 1
        if kind is ev.ScalarEvent:
            b.scalar(event, line)
        elif kind is ev.MappingStartEvent:
            b.start({}, line, event.anchor)
        elif kind is ev.SequenceStartEvent:
            b.start([], line, event.anchor)
        elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            b.end()
        elif kind is ev.AliasEvent:
            b.alias(event, line)
        elif kind is ev.DocumentStartEvent:
            b.documents += 1
            if b.documents > 1:
                raise b.fail(line, "a second YAML document starts here (a line '---'); keep one document per file")


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


__all__ = ["MAX_ALIAS_VALUES", "MAX_DEPTH", "MAX_YAML_BYTES", "Loc", "compose", "explain", "format_loc", "megabytes", "read_at_most",
           "read_text"]
