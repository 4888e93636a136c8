"""`maque ledger template|import|export …`: ledger spreadsheets from the command line."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maque.exchange.exporter import (
    csv_category_message,
    csv_write,
    export_write,
    single_category,
    template_write,
)
from maque.exchange.importer import ledger_import
from maque.exchange.layout import STATE_SYNONYMS, normalise
from maque.exchange.queries import export_items, operator_items
from maque.ledger.models import Category, Light, State
from maque.ledger.queries import SORTS
from maque.organisation.access import actor_for
from maque.organisation.models import Town


class ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(30 * min(done, total) / total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        else:
            sys.stderr.write(f"\r{self.label} {done}")
        sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


class Command(BaseCommand):
    help = "Ledger spreadsheets (台账): an empty template, an import, an export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        template = sub.add_parser("template", help="write the empty .xlsx ledger of a category")
        template.add_argument("category", help="category code (e.g. farmland-outflow) or name")
        template.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        template.add_argument("--town", help="town code, when the deployment holds several towns")

        imp = sub.add_parser(
            "import", help="import a ledger (.xlsx, .xls or .csv) with a user's rights"
        )
        imp.add_argument("file")
        imp.add_argument("--user", required=True, help="username whose rights the import uses")
        imp.add_argument("--dry-run", action="store_true", help="preview only: change nothing")
        imp.add_argument(
            "--category", help="category code, when the sheet name and title do not say"
        )

        exp = sub.add_parser(
            "export",
            help="export a filtered ledger as .xlsx or .csv (by the file name), with the ledger list's filters",
        )
        exp.add_argument("--category", help="category code")
        exp.add_argument("--campaign", help="campaign code")
        exp.add_argument("--village", help="village name or id")
        exp.add_argument(
            "--state", help="state(s), comma-separated (found, rectifying, … or 待整改, 整改中, …)"
        )
        exp.add_argument("--owner", type=int, help="owner's person id")
        exp.add_argument(
            "--overdue", choices=["yes", "no"], help="only overdue items, or only the others"
        )
        exp.add_argument("--light", choices=list(Light.values), help="traffic light")
        exp.add_argument(
            "--due-after",
            type=date.fromisoformat,
            help="deadline on or after this day (YYYY-MM-DD)",
        )
        exp.add_argument(
            "--due-before",
            type=date.fromisoformat,
            help="deadline on or before this day (YYYY-MM-DD)",
        )
        exp.add_argument("--q", help="text in the code, title, subject or description")
        exp.add_argument(
            "--sort",
            choices=list(SORTS),
            help="order of the rows, as in the list (default: by code)",
        )
        exp.add_argument(
            "--user", help="export what this user sees (default: every item, personal data masked)"
        )
        exp.add_argument("--town", help="town code")
        exp.add_argument("-o", "--output", required=True)

        for each in (template, imp, exp):
            each.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _town(self, code: str | None) -> Town | None:
        if code:
            town = Town.objects.filter(code=code).first()
            if town is None:
                raise CommandError(f"no town with code {code!r}")
            return town
        return None

    def _template(self, options: dict[str, Any]) -> None:
        categories = Category.objects.select_related("campaign", "town").prefetch_related("fields")
        town = self._town(options["town"])
        if town is not None:
            categories = categories.filter(town=town)
        found = list(categories.filter(code=options["category"])) or list(
            categories.filter(name=options["category"])
        )
        if not found:
            raise CommandError(f"no category {options['category']!r}")
        if len(found) > 1:
            raise CommandError("several towns have this category: choose one with --town")
        output = Path(options["output"])
        template_write(category=found[0], out=str(output))
        self.stdout.write(f"{output}: {found[0].name}")

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def _import(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        bar = ProgressBar("导入", sys.stderr.isatty() and not options["no_progress"])
        result = ledger_import(
            by=user,
            path=path,
            name=path.name,
            category=options["category"],
            commit=not options["dry_run"],
            progress=bar,
        )
        bar.end()
        counts = result.counts()
        self.stdout.write(
            f"新增 new {counts['new']}  更新 updated {counts['updated']}  未变 unchanged {counts['unchanged']}  有误 invalid {counts['invalid']}"
        )
        for warning in result.warnings:
            self.stdout.write(_where(warning) + "提示: " + warning.message)
        for problem in result.problems:
            self.stdout.write(_where(problem) + problem.message)
        if result.problems:
            raise CommandError(f"{len(result.problems)} problems: nothing was imported")
        self.stdout.write(
            "已导入 imported" if result.committed else "预览，未导入 dry run: nothing changed"
        )

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        if output.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("the output file must end in .xlsx or .csv")
        states = None
        if options["state"]:
            states = [
                STATE_SYNONYMS.get(normalise(part), part.strip())
                for part in options["state"].split(",")
                if part.strip()
            ]
            unknown = [state for state in states if state not in State.values]
            if unknown:
                raise CommandError(
                    f"unknown state {unknown[0]}: one of {', '.join(State.values)} (or 待整改, 整改中, …)"
                )
        filters = {
            "category": options["category"],
            "campaign": options["campaign"],
            "village": options["village"],
            "state": states,
            "owner": options["owner"],
            "overdue": {"yes": True, "no": False}.get(options["overdue"] or ""),
            "light": options["light"],
            "due_after": options["due_after"],
            "due_before": options["due_before"],
            "q": options["q"],
            "sort": options["sort"],
        }
        if options["user"]:
            user = self._user(options["user"])
            items = export_items(user=user, **filters)
            masks = actor_for(user).masks_personal_data()
        else:
            # The server's operator: every item, with personal data masked.
            items = operator_items(
                **{key: value for key, value in filters.items() if value not in (None, "")}
            )
            masks = True
        town = self._town(options["town"])
        if town is not None:
            items = items.filter(town=town)
        bar = ProgressBar("导出", sys.stderr.isatty() and not options["no_progress"])
        keep_order = options["sort"] is not None
        if output.suffix.lower() == ".csv":
            category = single_category(items)
            if category is None:
                raise CommandError(csv_category_message(items))
            with output.open("wb") as out:
                rows = csv_write(
                    items=items, category=category, masks=masks, out=out, keep_order=keep_order
                )
        else:
            rows = export_write(
                items=items, out=str(output), masks=masks, progress=bar, keep_order=keep_order
            )
        bar.end()
        self.stdout.write(f"{output}: {rows} rows")


def _where(problem: Any) -> str:
    parts = [problem.sheet] if problem.sheet else []
    if problem.row:
        parts.append(f"第{problem.row}行")
    if problem.column:
        parts.append(f"“{problem.column}”")
    return (" ".join(parts) + ": ") if parts else ""
