"""The embedded production-grade WSGI server (used by `maque serve` and `maque demo`).

Gunicorn runs in-process through its application class: a master process and forked worker
processes (threads per worker), static files served by the app through whitenoise. The master
also keeps the rhythm: one thread started in its `when_ready` hook runs the `tick` management
command every MAQUE_TICK_SECONDS — from one process only, whatever the number of workers — and
no failure of `tick` can take the server down.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from io import StringIO
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands
from django.db import connections
from gunicorn.app.base import BaseApplication

from maque.core.env import Env

logger = logging.getLogger("maque.server")

TICK_COMMAND = "tick"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class ServerOptions:
    bind: str
    workers: int
    threads: int
    timeout: int
    tick_seconds: int
    access_log: bool


def options_from_env(env: Env | None = None, *, bind: str | None = None) -> ServerOptions:
    """Read the server's settings (strictly) from the environment; `bind` overrides MAQUE_BIND."""
    env = env or Env()
    port = env.int("MAQUE_PORT", DEFAULT_PORT, minimum=1)
    if port > 65535:
        raise ImproperlyConfigured(f"MAQUE_PORT={port} is not a port number")
    return ServerOptions(
        bind=bind or env.str("MAQUE_BIND") or f"127.0.0.1:{port}",
        workers=env.int("MAQUE_WORKERS", 2, minimum=1),
        threads=env.int("MAQUE_THREADS", 4, minimum=1),
        timeout=env.int("MAQUE_TIMEOUT", 60, minimum=1),
        tick_seconds=env.int("MAQUE_TICK_SECONDS", 60, minimum=0),
        access_log=env.bool("MAQUE_ACCESS_LOG", True),
    )


class Ticker:
    """Runs `maque tick` on a timer in a background thread; failures are logged, never raised."""

    def __init__(
        self, interval: int, *, first_delay: float = 5.0, log: logging.Logger = logger
    ) -> None:
        self.interval = interval
        self.first_delay = min(first_delay, interval) if interval else first_delay
        self.log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start the timer thread; False (with a log line) when there is nothing to run."""
        if self.interval <= 0:
            self.log.info("rhythm timer off (MAQUE_TICK_SECONDS=0)")
            return False
        if TICK_COMMAND not in get_commands():
            self.log.info("rhythm timer off: no `%s` command is installed", TICK_COMMAND)
            return False
        self._thread = threading.Thread(target=self._loop, name="maque-tick", daemon=True)
        self._thread.start()
        self.log.info("rhythm timer on: `maque %s` every %d s", TICK_COMMAND, self.interval)
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        delay = self.first_delay
        while not self._stop.wait(delay):
            self.run_once()
            delay = self.interval

    def run_once(self) -> bool:
        """Run one tick; True if it succeeded."""
        output = StringIO()
        try:
            call_command(TICK_COMMAND, stdout=output, stderr=output)
        except (Exception, SystemExit):  # noqa: BLE001 - the server outlives any failure of the rhythm
            self.log.exception("`maque %s` failed; the server keeps running", TICK_COMMAND)
            return False
        finally:
            # Connections are per thread: this thread's must not linger between ticks.
            connections.close_all()
        text = output.getvalue().strip()
        if text:
            self.log.info("tick: %s", text.replace("\n", " | ")[:500])
        return True


class MaqueServer(BaseApplication):
    """Gunicorn, configured from `ServerOptions`, serving Maque's WSGI application."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.ticker = Ticker(options.tick_seconds)
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        options = self.options
        settings: dict[str, Any] = {
            "bind": [options.bind],
            "workers": options.workers,
            "threads": options.threads,
            "worker_class": "gthread" if options.threads > 1 else "sync",
            "timeout": options.timeout,
            "graceful_timeout": 20,
            "proc_name": "maque",
            "accesslog": "-" if options.access_log else None,
            "errorlog": "-",
            "loglevel": "info",
            "when_ready": self._when_ready,
            "on_exit": self._on_exit,
        }
        if "control_socket_disable" in self.cfg.settings:
            # No runtime-control socket in the user's home: several instances may run side by side.
            settings["control_socket_disable"] = True
        for name, value in settings.items():
            self.cfg.set(name, value)

    def _when_ready(self, arbiter: Any) -> None:
        # The hook runs in the master, once: so does the rhythm, however many workers serve.
        self.ticker.log = arbiter.log if hasattr(arbiter, "log") else logger
        self.ticker.start()

    def _on_exit(self, arbiter: Any) -> None:
        self.ticker.stop()

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve(options: ServerOptions) -> None:
    """Run the server in the foreground until it is stopped (Ctrl-C, SIGTERM)."""
    # Workers are forked from this process: none may inherit an open database connection.
    connections.close_all()
    MaqueServer(options).run()
