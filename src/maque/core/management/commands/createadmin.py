"""`maque createadmin`: create (or promote) an administrator account.

Values come from the options, else MAQUE_ADMIN_USERNAME / MAQUE_ADMIN_PASSWORD / MAQUE_ADMIN_EMAIL,
else (on a terminal) a prompt. The password must pass the configured password validators.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.env import Env


class Command(BaseCommand):
    help = "Create an administrator (superuser) account, or make an existing account one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="default: MAQUE_ADMIN_USERNAME, else asked (admin)")
        parser.add_argument("--password", help="default: MAQUE_ADMIN_PASSWORD, else asked")
        parser.add_argument("--email", default=None, help="default: MAQUE_ADMIN_EMAIL")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="never prompt"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        env = Env()
        interactive = options["interactive"] and sys.stdin.isatty()
        username = options["username"] or env.str("MAQUE_ADMIN_USERNAME")
        password = options["password"] or env.str("MAQUE_ADMIN_PASSWORD")
        email = (
            options["email"]
            if options["email"] is not None
            else (env.str("MAQUE_ADMIN_EMAIL") or "")
        )
        if not username:
            if not interactive:
                raise CommandError(_("Give --username (or MAQUE_ADMIN_USERNAME)."))
            username = input(_("Username [admin]: ")).strip() or "admin"
        if not password:
            if not interactive:
                raise CommandError(_("Give --password (or MAQUE_ADMIN_PASSWORD)."))
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The passwords do not match."))
        user_model = get_user_model()
        existing = user_model.objects.filter(username=username).first()
        try:
            validate_password(password, user=existing or user_model(username=username, email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user = existing or user_model(username=username)
            user.email = email or user.email
            user.is_staff = True
            user.is_superuser = True
            user.is_active = True
            user.set_password(password)
            user.save()
        if existing is None:
            self.stdout.write(_("Administrator %(username)s created.") % {"username": username})
        else:
            self.stdout.write(_("Administrator %(username)s updated.") % {"username": username})
