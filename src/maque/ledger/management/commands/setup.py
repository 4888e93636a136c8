"""`maque setup`: create or upgrade the database, collect static files, install the catalogue.

Idempotent: run it after every upgrade; it changes only what is missing or out of date.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maque.ledger.catalogue import catalogue_install
from maque.organisation.models import Town


class Command(BaseCommand):
    help = "Create or upgrade the database, collect static files and install the catalogue in every town."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("collectstatic", interactive=False, verbosity=0)
        towns = list(Town.objects.order_by("name"))
        for town in towns:
            catalogue_install(town=town)
        if verbosity:
            self.stdout.write(
                _(
                    "Database ready; static files collected; catalogue installed in %(count)d town(s)."
                )
                % {"count": len(towns)}
            )
