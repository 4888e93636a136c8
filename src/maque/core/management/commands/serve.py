"""`maque serve`: run Maque with the embedded production-grade WSGI server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maque.core.env import Env
from maque.core.server import ServerOptions, options_from_env, serve


class Command(BaseCommand):
    help = "Serve Maque with a production-grade WSGI server (multi-process, static files included)."
    requires_migrations_checks = True  # a notice, not a refusal: `maque setup` applies them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            help="host:port or unix:/path (default: MAQUE_BIND, else 127.0.0.1:MAQUE_PORT)",
        )
        parser.add_argument(
            "--workers", type=int, help="worker processes (default: MAQUE_WORKERS or 2)"
        )
        parser.add_argument(
            "--threads", type=int, help="threads per worker (default: MAQUE_THREADS or 4)"
        )
        parser.add_argument(
            "--timeout",
            type=int,
            help="seconds before a stuck worker is restarted (MAQUE_TIMEOUT, 60)",
        )
        parser.add_argument(
            "--tick-seconds",
            type=int,
            help="run `maque tick` this often; 0 turns it off (MAQUE_TICK_SECONDS, 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = server_options(options)
        if not Path(settings.STATIC_ROOT).is_dir():
            self.stderr.write(
                _("Static files have not been collected yet: run `maque setup` first.")
            )
        serve(chosen)


def server_options(options: dict[str, Any], *, bind: str | None = None) -> ServerOptions:
    """Environment first, then command-line options over it; bad values are a clear error."""
    try:
        base = options_from_env(Env(), bind=bind or options.get("bind"))
    except ImproperlyConfigured as error:
        raise CommandError(str(error)) from None
    values = {
        "workers": options.get("workers"),
        "threads": options.get("threads"),
        "timeout": options.get("timeout"),
        "tick_seconds": options.get("tick_seconds"),
    }
    for name, value in values.items():
        minimum = 0 if name == "tick_seconds" else 1
        if value is not None and value < minimum:
            raise CommandError(
                _("--%(name)s must be at least %(min)d.")
                % {"name": name.replace("_", "-"), "min": minimum}
            )
    return ServerOptions(
        bind=base.bind,
        workers=values["workers"] or base.workers,
        threads=values["threads"] or base.threads,
        timeout=values["timeout"] or base.timeout,
        tick_seconds=base.tick_seconds
        if values["tick_seconds"] is None
        else values["tick_seconds"],
        access_log=base.access_log,
    )
