"""`maque demo`: prepare the demo town and serve it.

Runs `setup`, builds 蒿坪镇 if it is absent, gives every demo log-in the password
MAQUE_DEMO_PASSWORD (or a random one, printed), prints where to go and who to be, then serves on
127.0.0.1:MAQUE_PORT with the same server as `maque serve`.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.core.env import Env
from maque.core.management.commands.serve import server_options
from maque.core.server import DEFAULT_PORT, serve
from maque.demo.logins import demo_logins, demo_passwords_set
from maque.demo.town import DEFAULT_SEED, DemoError, demo_build


class Command(BaseCommand):
    help = "Prepare the demo town 蒿坪镇 (sample data) and serve it on 127.0.0.1:MAQUE_PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare only; do not start the server"
        )
        parser.add_argument("--port", type=int, help="default: MAQUE_PORT or 8000")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="seed of the sample data"
        )

    def _progress(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _(
                    "The demo does not run with MAQUE_MODE=production; use `maque setup` and `maque serve`."
                )
            )
        env = Env()
        port = options["port"] or env.int("MAQUE_PORT", DEFAULT_PORT, minimum=1)
        if not 0 < port < 65536:
            raise CommandError(_("%(port)d is not a port number.") % {"port": port})
        call_command("setup", verbosity=0)
        try:
            built = demo_build(seed=options["seed"], progress=self._progress)
        except DemoError as error:
            raise CommandError(str(error)) from None
        if built.created:
            self.stdout.write(
                _("Built the demo town %(town)s: %(items)d items in %(seconds).1f s.")
                % {"town": built.town.name, "items": built.items, "seconds": built.seconds}
            )
        else:
            self.stdout.write(
                _("The demo town %(town)s is already there.") % {"town": built.town.name}
            )
        password = env.str("MAQUE_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        demo_passwords_set(password=password)
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Maque demo: %(url)s") % {"url": url}))
        self.stdout.write(
            _("  administration: %(url)sadmin/   API documentation: %(url)sapi/v1/docs")
            % {"url": url}
        )
        self.stdout.write(
            _("  password of every log-in below: %(password)s") % {"password": password}
        )
        self.stdout.write("")
        rows = [
            (
                pgettext("demo log-ins table", "log-in"),
                pgettext("demo log-ins table", "name"),
                pgettext("demo log-ins table", "role"),
            )
        ] + [(login.username, login.name, login.role) for login in demo_logins()]
        widths = [max(_width(row[column]) for row in rows) for column in range(2)]
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(_pad(row[column], widths[column]) for column in range(2))
                + "  "
                + row[2]
            )
        self.stdout.write("")
        if options["no_serve"]:
            return
        self.stdout.write(_("Serving; stop with Ctrl-C."))
        self.stdout.flush()
        serve(server_options({}, bind=f"127.0.0.1:{port}"))


def _width(text: str) -> int:
    """Display width on a terminal: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
