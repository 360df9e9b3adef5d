"""``campaign web``: the dashboard over the same Redis as every command; and how ``campaign run``
starts it beside its worker and beat (:func:`start_dashboard`)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import fail
from .store import DATA_DIR, check_redis, ops_errors

if TYPE_CHECKING:
    from workers.launch import Proc
    from workers.supervise import Supervisor

USERS = click.option("--users", "users_file", type=click.Path(path_type=Path), default=None,
                     help="YAML file of users (name, role: viewer|operator, token: env:VAR | file:PATH). Without it: "
                          "one operator with a random token, in the login link printed at start, on 127.0.0.1 only.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; other than loopback only with --users.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@USERS
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (serve behind HTTPS).")
@DATA_DIR
@ops_errors
def web(host: str, port: int, users_file: Path | None, secure_cookies: bool, data_dir: Path | None) -> None:
    """Serve the dashboard: campaigns, posts, actions, the JSON API and /metrics.

    It reads the same Redis as every command ($REDIS_URL, or the embedded server in
    --data-dir). Without --users it listens on 127.0.0.1 only and prints a login link
    with a random operator token, valid until it stops. With --users FILE each person
    logs in with their own token; viewers read, operators act.

    \b
    Examples:
      campaign web
      campaign web --data-dir .campaign/simulation/redis     # the campaign `make demo` replayed
      campaign web --host 0.0.0.0 --port 8080 --users users.yaml
    """
    from ..redis_server import connect
    from ..web import create_app, load_users, one_operator
    from ..web.serve import TOKEN_ENV, PortInUse, base_url, bind, is_loopback, login_link, serve

    if users_file is not None:
        users = load_users(users_file)  # a wrong file stops here: FILE:LINE: field: message, exit 2
        given = None
    else:
        if not is_loopback(host):
            fail(f"without --users the dashboard has one operator token and listens on 127.0.0.1 only; to listen on "
                 f"{host}, give each person a token of their own: campaign web --host {host} --users users.yaml "
                 "(README: For monitors)")
        given = os.environ.get(TOKEN_ENV) or None
        if given is not None and len(given) < 16:
            fail(f"{TOKEN_ENV} is shorter than 16 characters (its value is not shown); unset it for a random token")
        users = one_operator(given)
    try:
        sock = bind(host, port)
    except PortInUse as exc:
        fail(str(exc))
    port = sock.getsockname()[1]
    url, server = connect(data_dir)
    try:
        check_redis(url)
        app = create_app(url, users, secure_cookies=secure_cookies)
        if users_file is not None:
            click.echo(f"dashboard: {base_url(host, port)} ({len(users.users)} users from {users_file})")
        elif given is None:
            click.echo(f"dashboard: {login_link(host, port, users.users[0].token)}")
            click.echo("  (open this link to log in as operator; it works until the dashboard stops)")
        else:
            click.echo(f"dashboard: {base_url(host, port)} (log in with the token in {TOKEN_ENV})")
        sys.stdout.flush()
        serve(app, sock, [u.token for u in users.users] + [t for t in (users.metrics_token,) if t])
        click.echo("dashboard stopped")
    finally:
        if server is not None:
            server.stop()


def start_dashboard(procs: Supervisor, redis_url: str, log_dir: Path, *, port: int, users_file: Path | None,
                    timeout: float = 30.0) -> Proc | None:
    """For ``campaign run``: start ``campaign web`` on 127.0.0.1:``port`` as a supervised process on
    ``redis_url``, wait until it answers, and print its login link (without a users file) or address.
    A port already in use is a warning, not a stop: the scheduler matters more (None: not started)."""
    from ..web.serve import TOKEN_ENV, PortInUse, base_url, bind, login_link

    if users_file is not None:
        from ..web import load_users

        load_users(users_file)  # a wrong users file stops run here, before anything is posted
    try:
        bind("127.0.0.1", port).close()
    except PortInUse as exc:
        click.secho(f"warning: the dashboard is not served: {exc.args[0].replace('--port', '--web-port')}; the "
                    "scheduler runs on", fg="yellow", err=True)
        return None
    import secrets

    token = None if users_file else secrets.token_urlsafe(24)
    args = [sys.executable, "-c", "from campaign.cli import main; main()", "web", "--port", str(port)]
    if users_file is not None:
        args += ["--users", str(users_file.absolute())]
    proc = procs.process("web", args, log_dir, env={TOKEN_ENV: token} if token else {})
    _wait_healthy(proc, f"http://127.0.0.1:{port}/healthz", timeout)
    if token:
        click.echo(f"dashboard: {login_link('127.0.0.1', port, token)} (logs in {proc.log})")
    else:
        click.echo(f"dashboard: {base_url('127.0.0.1', port)} (users from {users_file}; logs in {proc.log})")
    return proc


def _wait_healthy(proc: Proc, url: str, timeout: float) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own loopback address
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if not proc.alive() or time.monotonic() > deadline:
            proc.kill()
            fail(f"the dashboard did not start; its log ends:\n{proc.tail(1500)}\n"
                 "(choose another port with --web-port, or run without the dashboard: --no-web)")
        time.sleep(0.1)


__all__ = ["USERS", "start_dashboard", "web"]
