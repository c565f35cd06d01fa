"""`reqless ui`: serve the web UI with uvicorn (docs/ui.md, Running it).

Start-up, in order: parse and check every option (`reqless.cli.ui_command`; a bad
value exits with status 2 and nothing starts); make one client per instance, with
a short retry window so a Redis that is down answers 503 quickly instead of
hanging a page; print the startup line; serve until Ctrl-C, which stops cleanly
with status 0.
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

import uvicorn
from redis.exceptions import RedisError

from reqless.cli.server_args import redact_url
from reqless.cli.ui_args import PROGRAM, UIOptions, usage_error
from reqless.client import Client
from reqless.logger import log_to_stderr
from reqless.server_access import explain
from reqless.ui import create_app
from reqless.ui.live import stream

__all__ = ["serve", "startup_line"]

#: Seconds a UI request keeps retrying a lost Redis connection before its 503.
RETRY_WINDOW = 1.0


def serve(options: UIOptions, *, prog: str = PROGRAM) -> int:
    """Serve the UI as `options` say until Ctrl-C or TERM; returns the exit status.

    A URL redis-py refuses is a usage error (click.UsageError, status 2).
    """
    settings = options.settings
    # Failed logins, refused changes and the audit trail are worth seeing.
    log_to_stderr(logging.INFO)
    clients: dict[str, Client] = {}
    for name, url in options.instances.items():
        try:
            namespace = options.namespaces.get(name)
            clients[name] = Client(url, retry_window=RETRY_WINDOW, namespace=namespace)
        except ValueError as exc:
            # redis-py refuses some URLs our checks let through (unknown query options).
            usage_error(f"argument --redis-url: {redact_url(url)!r}: {exc}")
    if settings.insecure_no_auth and not settings.auth_configured:
        print(
            f"{prog}: WARNING: --insecure-no-auth: anyone who can reach "
            f"{settings.host}:{settings.port} can change every queue and job",
            file=sys.stderr,
            flush=True,
        )
    for name, client in clients.items():
        _check_reachable(prog, name, options.instances[name], client)
    app = create_app(clients, settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        root_path=settings.root_path,
        # The UI decides itself which proxies to believe (--trusted-proxy).
        proxy_headers=False,
        server_header=False,
        log_level="warning",
        lifespan="on",
        # Event streams never end by themselves: cut them short on Ctrl-C.
        timeout_graceful_shutdown=stream.GRACEFUL_SHUTDOWN_S,
    )
    print(startup_line(options), flush=True)
    # uvicorn re-raises the signal it stopped on; TERM then reads as Ctrl-C: a clean exit 0.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully, then re-raises the Ctrl-C it caught.
        pass
    finally:
        for client in clients.values():
            client.database.close()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def startup_line(options: UIOptions) -> str:
    """What the operator sees first: where, which instances, auth mode, read-only."""
    settings = options.settings
    host = settings.host
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{settings.port}{settings.root_path}/"
    instances = ", ".join(
        f"{name} ({redact_url(address)}{_namespace_of(options, name)})"
        for name, address in options.instances.items()
    )
    if options.source:
        instances += f" [{options.source}]"  # which server, and why
    auth = settings.auth_mode
    if auth == "none":
        auth = "none (insecure, open to the network)" if settings.insecure_no_auth else "none"
    read_only = "on" if settings.read_only else "off"
    return (
        f"reqless ui serving {url} · instances: {instances} · auth: {auth} · read-only: {read_only}"
    )


def _namespace_of(options: UIOptions, name: str) -> str:
    namespace = options.namespaces.get(name)
    return "" if namespace is None else f", namespace {namespace}"


def _check_reachable(prog: str, name: str, url: str, client: Client) -> None:
    """Say so at start when an instance does not answer; the UI still starts (503s)."""
    try:
        client.database.ping()
    except (TypeError, ValueError) as exc:
        # An option in the URL's query that redis-py does not know shows up only here.
        usage_error(f"argument --redis-url: {redact_url(url)!r}: {exc}")
    except RedisError as exc:
        explained = explain(exc, url)  # a password or TLS problem, said plainly
        if explained is not None:
            print(f"{prog}: error: instance {name}: {explained}", file=sys.stderr, flush=True)
            raise SystemExit(1) from exc
        print(
            f"{prog}: warning: instance {name} at {redact_url(url)} does not answer ({exc}); "
            "its pages answer 503 until it does",
            file=sys.stderr,
            flush=True,
        )
