"""The `maque` command.

`maque X …` runs the Django management command `X` of the same name (each app ships its own:
`demo`, `serve`, `setup`, `createadmin`, `generate`, `ledger`, `tick`, `bulletin`, …);
`maque manage …` passes anything to Django's own command line.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
maque — 麻雀 township key-work system

usage: maque COMMAND [options]

  demo          prepare the demo town and serve it (MAQUE_PORT, MAQUE_DEMO_PASSWORD)
  serve         serve with a production-grade WSGI server (and run tick on a timer)
  setup         create or upgrade the database and install the catalogue
  createadmin   create an administrator account
  tick          run the rhythm once: resume, escalate, bulletins, meetings, rounds, notifications
  bulletin      issue a bulletin by hand (bulletin issue [--date D] [--special | --corrects CODE])
  ledger        import and export ledger spreadsheets (ledger import|export|template …)
  calendar      import or show a town's working calendar (calendar import|show …)
  backup        write one consistent archive of the database and uploads (-o FILE)
  restore       restore such an archive into a new, empty installation
  generate      generate a synthetic data set of any size
  manage …      any Django management command

Run `maque COMMAND --help` for a command's options.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0
    from django.core.management import execute_from_command_line

    if argv[0] == "manage":
        argv = argv[1:]
    try:
        execute_from_command_line(["maque", *argv])
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
