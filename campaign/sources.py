"""Read YAML files into typed models, with every problem located as ``file:line: field: message``.

Everything the project reads from disk (campaign.yaml, roster.yaml, template.yaml, the users file)
goes through :func:`load_model`, so organisers and designers get the same kind of error everywhere:

    config/campaigns/x/campaign.yaml:14: accounts[2].credentials: a literal secret is not allowed; ...

The YAML is read by :mod:`campaign.bounded` (bounded in size, depth and alias expansion, with
libyaml's C parser) so that each value keeps the line it came from; pydantic's error locations are
then mapped back onto those lines.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem
from .bounded import Loc, compose, explain, format_loc, read_text

M = TypeVar("M", bound=BaseModel)


@dataclass
class Located:
    """Parsed YAML data plus the line of every value, keyed by its path."""

    data: Any
    file: str
    lines: dict[Loc, int] = field(default_factory=dict)
    text: str = field(default="", repr=False)  # the file as read (`campaign apply` stores it: not read again)

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest located parent."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line_of(loc), format_loc(loc), message)


def read_yaml(path: Path, display: str | None = None) -> Located:
    """Parse one YAML file, keeping the line of every value. Raises InputError on bad YAML, and on
    a file too big, too deep or expanding too far (:mod:`campaign.bounded` says the limits)."""
    name = display or str(path)
    text = read_text(path, name)
    try:
        data, lines = compose(text, name)
    except yaml.MarkedYAMLError as exc:
        exc = explain(text, exc)
        message = f"not valid YAML: {exc.problem or exc}; {_yaml_hint(exc)}"
        raise InputError([Problem(name, _mistake_line(text, exc), "", message)]) from None
    return Located(data, name, lines, text)


_YAML_HINT = "check the indentation, a space after each colon, and quotes around text containing ': ' or '#'"


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    if "'\\t'" in str(exc.problem):
        return "indent with spaces, not tabs; " + _YAML_HINT
    return _YAML_HINT


def _mistake_line(text: str, exc: yaml.MarkedYAMLError) -> int | None:
    """The line a person should look at for a YAML error, which is not always where PyYAML stopped.

    An unclosed quote or bracket, or a key without its colon, is reported where PyYAML gave up
    (often the next line, or the end of the file); its context mark is where it began. A line
    that breaks the indentation is itself the mistake: there the context is only the enclosing
    mapping, possibly far above.
    """
    problem, context = exc.problem_mark, exc.context_mark
    if problem and context and context.line != problem.line and str(exc.context).startswith(
            ("while scanning a simple key", "while scanning a quoted scalar", "while parsing a flow")):
        return context.line + 1
    if problem and exc.problem == "mapping values are not allowed here":
        # `key value` without its colon runs on into the next line's `key: value`; the text
        # before this colon started where the colon is missing
        start = _last_scalar_start(text)
        if start is not None and start < problem.line:
            return start + 1
    mark = problem or context
    return mark.line + 1 if mark else None


def _last_scalar_start(text: str) -> int | None:
    """The line (0-based) where the last scalar before a scanner error began."""
    scanner = yaml.SafeLoader(text)
    last = None
    try:
        while scanner.check_token():
            last = scanner.get_token()
    except yaml.YAMLError:
        pass
    return last.start_mark.line if isinstance(last, yaml.ScalarToken) else None


def did_you_mean(word: str, choices: typing.Iterable[str], cutoff: float = 0.6,
                 show: typing.Callable[[str], str] = repr) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a misspelt ``word``, else ``""``
    (``show`` writes the suggestion: ``repr`` quotes it; placeholders use ``{x}``)."""
    hint = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {show(hint[0])}?)" if hint else ""


def braced(name: str) -> str:
    """``{name}``: how a format-string field is written (for :func:`did_you_mean`)."""
    return "{" + name + "}"


_NOT_A_DATE = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_WHY_NOT_A_DATE = {"day value is outside expected range": "that month has no such day",
                   "month value is outside expected range": "there is no such month"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_a_group(v: Any, c: dict[str, Any]) -> str:
    return ("should be a group of `key: value` lines indented under it, not "
            + ("a list (lines starting with '- ')" if isinstance(v, list) else _shown(v)))


def _not_text(v: Any, c: dict[str, Any]) -> str:
    quote = isinstance(v, (int, float)) and not isinstance(v, bool)
    return f"should be text, not {_shown(v)}" + (f'; put it in quotes: "{v}"' if quote else "")


def _not_one_of(v: Any, c: dict[str, Any]) -> str:
    expected = str(c.get("expected", ""))
    return f"is {_shown(v)}; write one of {expected}" + did_you_mean(
        str(v), [e.strip(" '") for e in expected.replace(" or ", ", ").split(", ")])


#: pydantic's errors of kind, in the words of someone editing the YAML: what was found, what to write.
_PLAIN: dict[str, Any] = {
    "dict_type": _not_a_group, "model_type": _not_a_group,
    "list_type": lambda v, c: f"should be a list (one line per item, each starting with '- '), not {_shown(v)}",
    "string_type": _not_text,
    "int_type": lambda v, c: f"should be a whole number, not {_shown(v)}",
    "bool_type": lambda v, c: f"should be true or false, not {_shown(v)}",
    "less_than_equal": lambda v, c: f"is {_shown(v)}; it can be at most {c.get('le')}",
    "greater_than_equal": lambda v, c: f"is {_shown(v)}; it must be at least {c.get('ge')}",
    "less_than": lambda v, c: f"is {_shown(v)}; it must be less than {c.get('lt')}",
    "greater_than": lambda v, c: f"is {_shown(v)}; it must be more than {c.get('gt')}",
    "literal_error": _not_one_of, "enum": _not_one_of,
}
_PLAIN |= {"int_parsing": _PLAIN["int_type"], "bool_parsing": _PLAIN["bool_type"]}  # (a text that is no number)


def plain_message(err: Mapping[str, Any]) -> str:
    """A pydantic error's message in the words of someone filling a file or a form (:data:`_PLAIN`), or
    pydantic's own when it has none."""
    kind = err.get("type", "")
    if kind in _PLAIN:
        return str(_PLAIN[kind](err.get("input"), err.get("ctx") or {}))
    msg = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):  # pydantic's wording around our own messages
        msg = msg.removeprefix(prefix)
    return msg


def _message(err: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        allowed = _fields_at(model, loc[:-1])
        known = f"; known keys: {', '.join(sorted(allowed))}" if allowed else ""
        return f"unknown key{did_you_mean(key, allowed)}{known}"
    if kind == "missing":
        return "required, but missing"
    if kind in _NOT_A_DATE:  # pydantic's "Input should be a valid date or datetime" neither quotes nor shows the form
        why = (err.get("ctx") or {}).get("error")
        why = _WHY_NOT_A_DATE.get(why, why)
        return (f"{err.get('input')!r} is not a date{f' ({why})' if why else ''}; "
                "write a day that exists as YYYY-MM-DD, e.g. 2021-11-12")
    return plain_message(err)  # pydantic's "Input should be a valid dictionary or instance of Cadence" in plain words


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names the model accepts at ``loc`` (best effort, for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            # dict[str, Model] or unknown: keep walking into the value type
            return []
        current = _unwrap(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _unwrap(tp: Any) -> Any:
    """The model inside an annotation such as ``list[Model] | None``, else the annotation."""
    for _ in range(4):
        args = typing.get_args(tp)
        if not args:
            return tp
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        tp = args[-1]
    return tp


_REL_PATH = re.compile(r"^((?:[A-Za-z_]+|\[\d+\])(?:\[\d+\])*(?:\.[A-Za-z_]+(?:\[\d+\])*)*): ")


def _refine(loc: Loc, msg: str) -> tuple[Loc, str]:
    """A model-level check names the exact item at the start of its message ("events[2]: ...", or
    "[2].text: ..." inside a list field); move that into the location so the line number points at
    the item itself."""
    m = _REL_PATH.match(msg)
    if not m:
        return loc, msg
    extra: list[str | int] = []
    for part in m.group(1).split("."):
        name, *indexes = re.split(r"\[|\]", part)
        if name:
            extra.append(name)
        extra.extend(int(i) for i in indexes if i)
    return loc + tuple(extra), msg[m.end():]


def validate(located: Located, model: type[M]) -> M:
    """Validate located YAML data into ``model``; every error becomes a located Problem."""
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        problems = []
        seen = set()
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
            msg = _message(err, model, loc)
            loc, msg = _refine(loc, msg)
            key = (loc, msg)
            if key in seen:
                continue
            seen.add(key)
            problems.append(located.problem(loc, msg))
        raise InputError(problems) from None


def load_model(path: Path, model: type[M], display: str | None = None) -> tuple[M, Located]:
    """Read and validate one YAML file; returns the model and the located source for later checks."""
    located = read_yaml(path, display)
    return validate(located, model), located
