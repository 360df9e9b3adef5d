"""The shared base of the fake platform servers: real HTTP on 127.0.0.1 (ephemeral port, one
thread per connection, keep-alive), routes, request parsing, posted-item records and a queue of
faults per endpoint.

A platform fake subclasses :class:`FakeServer`, lists its ``routes`` and says how each fault
looks on its API (:meth:`FakeServer.fault`). Faults are injected with
``fake.fail("endpoint", "429", "hang")``: each request to that endpoint takes the next one.

Fault kinds every fake understands:

* ``429``, ``500``, ``503``, ``401`` and ``duplicate``: answered in the platform's own shape
  instead of doing the work;
* ``hang``: the work is done (the post exists) but the answer comes only after
  :attr:`FakeServer.hang_seconds`, past the client's timeout, like a lost answer;
* ``drop``: the connection is closed without an answer, before doing anything.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)  # repeated form fields (media_ids[])
    files: dict[str, tuple[str | None, str, bytes]] = field(default_factory=dict)  # name -> (filename, type, data)
    match: re.Match[str] | None = None
    raw_query: str = ""

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


@dataclass
class Response:
    """What a route answers."""

    status: int
    body: Any = None  # dict/list -> JSON, bytes as is
    headers: dict[str, str] = field(default_factory=dict)


class Problem(Exception):
    """Raised by a route to answer with an error response (validation failures)."""

    def __init__(self, response: Response):
        self.response = response


Route = tuple[str, str, str, Callable[..., Response]]  # method, path regex, endpoint name, handler


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, list[str]], dict[str, tuple[str | None, str, bytes]]]:
    """Fields and files of a urlencoded or multipart/form-data body."""
    fields: dict[str, str] = {}
    multi: dict[str, list[str]] = defaultdict(list)
    files: dict[str, tuple[str | None, str, bytes]] = {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
            fields[key] = values[-1]
            multi[key].extend(values)
    elif content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            data = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, part.get_content_type(), data)
            else:
                value = data.decode(part.get_content_charset() or "utf-8")
                fields[name] = value
                multi[name].append(value)
    return fields, dict(multi), files


class FakeServer:
    """A platform's API on loopback, recording what it was sent, failing on demand."""

    routes: list[Route] = []
    hang_seconds: float = 2.0
    rate_reset_seconds: float | None = None  # a "429" fault's reset this far ahead (None: the platform's usual)

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []  # what the platform now shows
        self.requests: list[Request] = []  # every request, in order
        self.faults: dict[str, deque[str]] = defaultdict(deque)
        self.rules: list[tuple[str, Callable[[Request], bool], str]] = []  # lasting faults (fail_when)
        self.lock = threading.RLock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # ---- life cycle ------------------------------------------------------------------------

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connections
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the fake first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # ---- test controls ---------------------------------------------------------------------

    def fail(self, endpoint: str, *kinds: str) -> None:
        """Queue faults for ``endpoint``: each next request to it takes one."""
        with self.lock:
            self.faults[endpoint].extend(kinds)

    def fail_when(self, endpoint: str, predicate: Callable[[Request], bool], kind: str) -> None:
        """A lasting fault: every request to ``endpoint`` for which ``predicate`` holds gets ``kind``
        (e.g. a 429 storm on one account among several sharing this fake)."""
        with self.lock:
            self.rules.append((endpoint, predicate, kind))

    def next_id(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        """How ``kind`` looks on this platform (subclasses override for their error shapes)."""
        return Response(int(kind) if kind.isdigit() else 400, {"error": kind})

    def alt_of(self, item: dict[str, Any]) -> str | None:
        """The alt text recorded with a posted ``item`` (None: the platform takes none)."""
        return None

    def requests_to(self, endpoint_path: str) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(endpoint_path)]

    # ---- dispatch --------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Request(handler.command, split.path, {k: v[-1] for k, v in parse_qs(split.query).items()}, headers, body,
                          raw_query=split.query)
        try:
            request.form, request.multi, request.files = parse_form(headers.get("content-type", ""), body)
        except Exception:
            pass
        with self.lock:
            self.requests.append(request)
        route = self._route(request)
        if route is None:
            self._send(handler, Response(404, {"error": f"no route for {request.method} {request.path}"}))
            return
        endpoint, call = route
        with self.lock:
            fault = self.faults[endpoint].popleft() if self.faults[endpoint] else None
            rules = list(self.rules)
        if fault is None:
            fault = next((kind for ep, pred, kind in rules if ep == endpoint and pred(request)), None)
        if fault == "drop":
            handler.close_connection = True
            handler.connection.shutdown(2)  # the answer never comes
            return
        if fault is not None and fault != "hang":
            self._send(handler, self.fault(fault, request, endpoint))
            return
        try:
            response = call(request)
        except Problem as problem:
            response = problem.response
        if fault == "hang":
            self._stopping.wait(self.hang_seconds)  # the work is done; the answer is late
            handler.close_connection = True
        self._send(handler, response)

    def _route(self, request: Request) -> tuple[str, Callable[[Request], Response]] | None:
        for method, pattern, endpoint, call in self.routes:
            if method == request.method:
                match = re.fullmatch(pattern, request.path)
                if match:
                    request.match = match
                    return endpoint, getattr(self, call.__name__)
        return None

    def _send(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        body = response.body
        content_type = response.headers.get("Content-Type")
        if not isinstance(body, bytes):
            body = json.dumps(body).encode() if body is not None else b""
            content_type = content_type or "application/json; charset=utf-8"
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", content_type or "application/octet-stream")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                if name.lower() != "content-type":
                    handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): what a real server would see


def problem(status: int, body: Any, headers: dict[str, str] | None = None) -> Problem:
    return Problem(Response(status, body, headers or {}))


def epoch_in(seconds: float) -> int:
    return int(time.time() + seconds)
