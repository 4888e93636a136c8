"""Benchmark of the sheets beside the ledger: exporting N petitions (default 50,000) and N
household visits to .xlsx and CSV.

Each export is measured against a baseline in the same run: the same cells (read once into a
list) written with the raw write-only writer. Peak memory is traced (tracemalloc) at N/5 and N
rows: the exports read the database in chunks and write row by row, so the peak stays flat.
The records are bulk-inserted (the bench measures the export, not the services).

Runs in its own temporary SQLite database, so it never touches a real or shared one:

    python -m bench.sheets --rows 50000 [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DEFAULT_ROWS = 50_000
EXPORT_RATIO_TARGET = 2.0
VILLAGES = 30


def _timed(work: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _peak(work: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _world(rows: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from maque.fieldwork.catalogue import policies_of
    from maque.fieldwork.models import FieldVisit
    from maque.ledger.catalogue import catalogue_install
    from maque.organisation.models import Household, Person, Role, RoleAssignment, Town, Village
    from maque.petitions.models import Petition

    town = Town.objects.create(name="蒿坪镇", short_name="蒿坪", code="hp")
    catalogue_install(town=town)
    user = get_user_model().objects.create_user(username="bench-principal", password=None)
    person = Person.objects.create(town=town, name="王主任", user=user)
    RoleAssignment.objects.create(
        person=person, role=Role.PRINCIPAL, town=town, valid_from=date(2020, 1, 1)
    )
    villages = [Village.objects.create(town=town, name=f"第{n + 1}村") for n in range(VILLAGES)]
    households = Household.objects.bulk_create(
        Household(village=villages[n % VILLAGES], head_name=f"户主{n}") for n in range(rows // 10)
    )
    policy = policies_of(town).first()
    today = timezone.localdate()
    Petition.objects.bulk_create(
        Petition(
            town=town,
            code=f"HP-XF-{2020 + n % 6}-{n:05d}",
            year=2020 + n % 6,
            channel="visit",
            received_on=today - timedelta(days=n % 1500),
            petitioner_name="王德明",
            petitioner_phone="13912345678",
            petitioner_id_number="610924199001011234",
            matter=f"反映宅基地边界纠纷第{n}件，联系电话13912345678",
            village=villages[n % VILLAGES],
            owner=person,
            state="registered",
            due_on=today,
        )
        for n in range(rows)
    )
    now = timezone.now()
    visits = FieldVisit.objects.bulk_create(
        FieldVisit(
            town=town,
            village=villages[n % VILLAGES],
            visitor=person,
            purpose="publicity",
            visited_at=now - timedelta(hours=n),
            notes=f"宣讲耕地保护第{n}次",
        )
        for n in range(rows)
    )
    through = FieldVisit.households.through
    through.objects.bulk_create(
        through(fieldvisit_id=visit.pk, household_id=households[n % len(households)].pk)
        for n, visit in enumerate(visits)
    )
    policies = FieldVisit.policies.through
    policies.objects.bulk_create(
        policies(fieldvisit_id=visit.pk, policy_id=policy.pk) for visit in visits
    )
    return user


def _first(model: Any, limit: int) -> Any:
    """The first `limit` rows (inserted in one run, so by primary key) as a queryset that can
    still be ordered."""
    first = model.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    return model.objects.filter(pk__lt=first + limit)


def _raw(cells: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("raw")
    for row in cells:
        sheet.append(row)
    book.save(io.BytesIO())


def measure(rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from maque.exchange.sheets import petitions, visits
    from maque.fieldwork.models import FieldVisit
    from maque.organisation.access import actor_for
    from maque.petitions.models import Petition

    call_command("migrate", verbosity=0)
    user = _world(rows)
    actor = actor_for(user)
    kinds: dict[str, tuple[Any, Callable[[Any], Iterable[list[Any]]]]] = {
        "petitions": (
            petitions.LAYOUT,
            lambda limit: petitions.rows(_first(Petition, limit), actor=actor),
        ),
        "visits": (
            visits.VISITS,
            lambda limit: visits.visit_rows(_first(FieldVisit, limit), masks=False),
        ),
    }
    return {
        "rows": rows,
        **{kind: _one(layout, source, rows) for kind, (layout, source) in kinds.items()},
    }


def _one(layout: Any, source: Callable[[int], Iterable[list[Any]]], rows: int) -> dict[str, Any]:
    """One kind's export: .xlsx against the raw writer of the same cells, CSV, peak memory."""
    from maque.exchange.sheets.writing import csv_lines, xlsx_write

    def export(limit: int, out: Any) -> None:
        xlsx_write(layout=layout, rows=source(limit), out=out, town_name="")

    cells = list(source(rows))
    xlsx = _timed(lambda: export(rows, io.BytesIO()))
    raw = _timed(lambda: _raw(cells))
    cells.clear()
    csv_seconds = _timed(
        lambda: sum(1 for _line in csv_lines(layout=layout, rows=source(rows), town_name=""))
    )
    small = max(rows // 5, 1)
    peak_small = _peak(lambda: export(small, tempfile.TemporaryFile()))
    peak_full = _peak(lambda: export(rows, tempfile.TemporaryFile()))
    return {
        "xlsx_s": round(xlsx, 2),
        "raw_writer_s": round(raw, 2),
        "ratio": round(xlsx / raw, 2),
        "ratio_target": EXPORT_RATIO_TARGET,
        "csv_s": round(csv_seconds, 2),
        "rows_per_s_xlsx": round(rows / xlsx),
        "peak_mb_at_n_over_5": round(peak_small / 1048576, 1),
        "peak_mb_at_n": round(peak_full / 1048576, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maque-sheets-bench-") as scratch:
        os.environ.setdefault("MAQUE_VAR_DIR", scratch)
        os.environ.setdefault("MAQUE_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
        import django

        django.setup()
        results = measure(args.rows)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
