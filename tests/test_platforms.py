"""The platform table (campaign/platforms.py): every row has a publisher module that does what the
row says, the table is the only place a platform fact is stated, and what derives from it follows it.
Also: the secrets' log filter is installed where a process may publish, and not by an import."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign import credentials, definition
from campaign.captions import caption_length, limit_of
from campaign.definition import Account
from campaign.platforms import NAMES, TABLE, PlatformSpec
from campaign.publishers import Context, Post, base, get_publisher
from campaign.publishers.common import BasePublisher

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGN = ROOT / "campaign"
FIELD_VALUES = {"base_url": "https://social.example", "channel": "@freethemall_kh", "page_id": "104000000000001"}


def _account(row: PlatformSpec, **overrides: object) -> Account:
    """A valid account of ``row``'s platform: its credentials and the fields it needs."""
    fields: dict[str, object] = {"id": f"partner-{row.name}", "organisation": "LICADHO", "platform": row.name,
                                 "language": "en", **{name: FIELD_VALUES[name] for name in row.account_fields}}
    if row.credentials:
        fields["credentials"] = {name: f"env:UNSET_{name.upper()}" for name in row.credentials}
    return Account(**{**fields, **overrides})


def _calls(source: str, method: str) -> set[str]:
    """The string arguments of every ``self.<method>("...")`` call in ``source``."""
    return {node.args[0].value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


@pytest.mark.parametrize("name", NAMES)
def test_every_row_has_a_publisher_module_that_does_what_the_row_says(name: str) -> None:
    row = TABLE[name]
    module = importlib.import_module(row.module)
    assert name in base._REGISTRY, f"{row.module} registers no publisher under {name!r}"
    publisher = get_publisher(_account(row), Context())  # builds without reading a secret
    assert publisher.platform == name
    source = inspect.getsource(module)
    # The credentials it reads are the row's (what `accounts check` looks for, and apply warns about).
    assert _calls(source, "secret") == set(row.credentials)
    # Looked up exactly where the row says: a platform that cannot tell says so without a request.
    cls = type(publisher)
    says_cannot = "raise NotImplementedError" in inspect.getsource(cls.lookup)
    assert says_cannot is not row.lookup
    if not row.lookup:
        with pytest.raises(NotImplementedError):
            publisher.lookup(Post(id="c:2021-09-15:a", account=publisher.account, text="t", image=b"i", alt="a",  # type: ignore[attr-defined]
                                  language="en"))
    if isinstance(publisher, BasePublisher):
        # Card bytes and alt text come from the row, and alt text goes out only through alt_text().
        assert publisher.max_image_bytes == row.max_image_bytes
        sends_alt = "self.alt_text(post)" in source
        assert sends_alt is (row.alt_text_max != 0)
        post = Post(id="c:2021-09-15:a", account=publisher.account, text="t", image=b"i", alt="word " * 1000,
                    language="en")
        assert row.alt_text_max is None or len(publisher.alt_text(post)) <= row.alt_text_max


FACT_NAMES = {"ALT_TEXT_MAX", "max_image_bytes", "LIMITS", "NEEDED", "PLATFORMS", "Platform", "DEFAULT_MAX_BYTES"}


def _literal(node: ast.AST) -> bool:
    """Whether ``node`` states values (a constant, or a collection / call of constants) rather than deriving them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(v is None or _literal(v) for v in node.values)
    if isinstance(node, ast.Call):
        return all(_literal(a) for a in node.args) and all(_literal(k.value) for k in node.keywords)
    if isinstance(node, ast.Subscript):  # Literal["x", ...]
        return _literal(node.slice)
    return False


def _platform_lists(tree: ast.AST) -> list[int]:
    """Lines of collection literals naming two platforms or more (a list of platforms, or a fact per platform)."""
    lines = []
    for node in ast.walk(tree):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Set)) and items:
            named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in NAMES}
            if len(named) >= 2:
                lines.append(node.lineno)
    return lines


def test_platform_facts_are_stated_only_in_the_table() -> None:
    found = []
    for path in sorted(CAMPAIGN.rglob("*.py")):
        if path == CAMPAIGN / "platforms.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            value = getattr(node, "value", None)
            for target in targets:
                if isinstance(target, ast.Name) and target.id in FACT_NAMES and value is not None and _literal(value):
                    found.append(f"{where}:{node.lineno}: {target.id} states what campaign/platforms.py says")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "model_construct" and ast.unparse(node.func.value) == "Account"):
                found.append(f"{where}:{node.lineno}: a probe Account to read a platform fact; read the table")
        found += [f"{where}:{line}: a list of platforms; derive it from the table" for line in _platform_lists(tree)]
    assert found == []


def test_what_derives_from_the_table_follows_it() -> None:
    assert definition.PLATFORMS == NAMES
    assert typing.get_args(Account.model_fields["platform"].annotation) == NAMES
    assert credentials.NEEDED == {name: row.credentials for name, row in TABLE.items()}
    with pytest.raises(ValidationError, match="platform"):
        Account(id="a", organisation="A", platform="myspace", language="en")
    for name, row in TABLE.items():
        assert limit_of(name) is row.caption
        text = "ស្តី https://licadho-cambodia.org/reports 👩🏽\u200d⚖\ufe0f #FreeThemAll"
        assert caption_length(text, name) == (row.caption.count(text) if row.caption else len(text))


@pytest.mark.parametrize("name", NAMES)
def test_an_account_without_what_its_row_needs_is_refused(name: str) -> None:
    row = TABLE[name]
    _account(row)
    for field in row.account_fields:
        with pytest.raises(ValidationError, match=f"a {name} account needs '{field}'"):
            _account(row, **{field: None})
    if row.credentials:
        with pytest.raises(ValidationError, match=f"a {name} account needs credentials"):
            _account(row, credentials=None)
    else:
        _account(row, credentials=None)


def test_cards_fit_every_platform_the_strictest_first() -> None:
    """The card is encoded to the platform's own limit; none takes less than a megabyte (Bluesky)."""
    assert min(row.max_image_bytes for row in TABLE.values()) == TABLE["bluesky"].max_image_bytes == 1_000_000
    assert all(row.card_formats and set(row.card_formats) <= {"jpeg", "png"} for row in TABLE.values())


# ---- the secrets' log filter: installed by the entry points, never by an import ---------------------

def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


IMPORT_ALL = "import importlib; from campaign.platforms import TABLE; [importlib.import_module(r.module) for r in TABLE.values()]; "


def test_importing_the_publishers_attaches_no_log_filter() -> None:
    assert _python(IMPORT_ALL + "from campaign.publishers import redaction; print(redaction.installed())") == "False"


def test_the_campaign_command_installs_the_log_filter(example_folder: Path) -> None:
    code = (IMPORT_ALL + "import sys; from campaign.cli import main; from campaign.publishers import redaction; "
            f"sys.argv = ['campaign', 'validate', {str(example_folder)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint(redaction.installed())")
    assert _python(code).splitlines()[-1] == "True"


@pytest.mark.parametrize("signal", ["worker_init", "worker_process_init"])
def test_a_worker_start_installs_the_log_filter(signal: str) -> None:
    code = ("from celery import signals; import workers.app; from campaign.publishers import redaction; "
            f"before = redaction.installed(); signals.{signal}.send(sender=None); print(before, redaction.installed())")
    assert _python(code) == "False True"


def test_revealing_a_secret_installs_the_log_filter_wherever_the_process_started() -> None:
    code = (IMPORT_ALL + "from campaign.publishers import redaction; before = redaction.installed(); "
            "redaction.remember('s3cr3t-token'); import logging; "
            "rec = logging.LogRecord('urllib3.connectionpool', 10, 'f', 1, 'GET /?t=s3cr3t-token', (), None); "
            "logging.getLogger('urllib3.connectionpool').filter(rec); print(before, redaction.installed(), rec.getMessage())")
    assert _python(code) == "False True GET /?t=[secret]"


# --- the table's own rules, stated on the table (make mutate holds them) --------------------------

def test_a_card_is_refused_exactly_past_a_platforms_side_sum_and_ratio() -> None:
    from campaign.platforms import TABLE

    bounded = [s for s in TABLE.values() if s.max_side_sum is not None and s.max_ratio is not None]
    assert bounded  # Telegram
    for s in bounded:
        total, ratio = s.max_side_sum, s.max_ratio
        assert total is not None and ratio is not None
        assert s.dimension_problem(total // 2, total - total // 2) is None  # at the sum: taken
        assert s.dimension_problem(total // 2, total - total // 2 + 1) == (
            f"width + height is {total + 1}; {s.name} takes at most {total}")
        short = 100
        assert s.dimension_problem(int(short * ratio), short) is None  # at the ratio, either way round
        assert s.dimension_problem(short, int(short * ratio)) is None
        assert s.dimension_problem(int(short * ratio) + 1, short) == (
            f"the sides' ratio is {(int(short * ratio) + 1) / short:.1f}; {s.name} takes at most {ratio:g}")
        assert s.dimension_problem(short, int(short * ratio) + 1) is not None
        assert s.dimension_problem(int(ratio) + 1, 0) == (  # a side of 0 counts as 1, never a division by 0
            f"the sides' ratio is {int(ratio) + 1:.1f}; {s.name} takes at most {ratio:g}")
    unbounded = [s for s in TABLE.values() if s.max_side_sum is None and s.max_ratio is None]
    assert unbounded and all(s.dimension_problem(100_000, 1) is None for s in unbounded)


@pytest.mark.parametrize(("value", "problem"), [
    ("https://mastodon.social", None), ("http://localhost:3000", None), ("https://pds.example.org/x", None),
    ("mastodon social", "is not a web address"), ("ftp://mastodon.social", "is not a web address"),
    ("https://", "is not a web address"), ("https://a b.org", "is not a web address"),
    ("https://host:99999", "is not a web address"), ("https://host:port", "is not a web address"),
    ("https://me:pw@mastodon.social", "may not carry a user, password, query or fragment (its value is not shown)"),
    ("https://me@mastodon.social", "may not carry a user, password, query or fragment (its value is not shown)"),
    ("https://mastodon.social/?token=x", "may not carry a user, password, query or fragment (its value is not shown)"),
    ("https://mastodon.social/#x", "may not carry a user, password, query or fragment (its value is not shown)"),
])
def test_a_web_address_field_is_exactly_an_http_address_with_nothing_secret_in_it(value: str, problem: str | None) -> None:
    from campaign.platforms import ACCOUNT_FIELDS, check_account_field

    assert ACCOUNT_FIELDS["base_url"].wrong(value) == problem
    if problem is None:
        assert check_account_field("base_url", value + "/") == value.rstrip("/")  # a trailing / is dropped
    else:
        with pytest.raises(ValueError) as caught:
            check_account_field("base_url", value)
        assert str(caught.value) == f"{problem}; write it like {ACCOUNT_FIELDS['base_url'].example}"
        assert value not in str(caught.value).removesuffix(ACCOUNT_FIELDS["base_url"].example)


def test_an_account_field_is_text_or_a_number_stripped_never_echoed_and_only_a_base_url_loses_its_slash() -> None:
    from campaign.platforms import ACCOUNT_FIELDS, check_account_field

    assert check_account_field("page_id", 104000000000001) == "104000000000001"  # YAML reads a bare id as a number
    assert check_account_field("page_id", " 104000000000001 ") == "104000000000001"
    assert check_account_field("channel", "@chan_1") == "@chan_1" and check_account_field("channel", -1001234) == "-1001234"
    assert check_account_field("handle", "@licadho.bsky.social") == "@licadho.bsky.social"
    assert check_account_field("base_url", "https://pds.example.X/") == "https://pds.example.X"  # only slashes go
    for name, value, problem in [("page_id", "", "is empty"), ("page_id", "  ", "is empty"), ("page_id", True, "is not text"),
                                 ("page_id", 1.5, "is not text"), ("page_id", None, "is not text"),
                                 ("page_id", "12a", "is not a Facebook Page id"), ("channel", "chan", "is not a Telegram chat"),
                                 ("handle", "no handle", "is not a Bluesky handle")]:
        with pytest.raises(ValueError) as caught:
            check_account_field(name, value)
        assert str(caught.value) == f"{problem}; write it like {ACCOUNT_FIELDS[name].example}"


def test_a_post_costs_its_link_price_only_with_a_link_and_one_is_set() -> None:
    from campaign.platforms import Costs

    assert Costs(post=0.01, post_with_link=0.2).of_post(True) == 0.2
    assert Costs(post=0.01, post_with_link=0.2).of_post(False) == 0.01
    assert Costs(post=0.01).of_post(True) == 0.01 and Costs(post=0.01).of_post(False) == 0.01
