"""Benchmark of ledger spreadsheets: import and export of N rows (default 100,000).

Import (validation included, through the lifecycle's bulk creation) of a CSV and of an .xlsx
ledger, each against a baseline measured in the same run: reading the same file with the fastest
reader at hand plus a plain bulk insert of the same rows. Export of the same N items to .xlsx
against writing the same cells with the raw write-only writer, and to CSV. Peak memory is traced
(tracemalloc) at N/5 and N rows. The import keeps every checked row until it writes them all
at once, so its peak grows with N (a few hundred bytes a row); the export's stays flat. While
the largest file the installation accepts is committed (N rows, or fewer when MAQUE_IMPORT_MAX_ROWS
is lower: 20,000 on SQLite), a colleague registers an item every 50 ms in another connection:
their longest wait is reported against the 2 s target.

Runs in its own temporary SQLite database, so it never touches a real or shared one, unless
MAQUE_DATABASE_URL names an empty database of its own (PostgreSQL, say):

    python -m bench.exchange --rows 100000 [--json FILE] [--writer-only]
    MAQUE_DATABASE_URL=postgres://…/empty python -m bench.exchange --rows 100000

`run(rows)` runs the same in a child process and returns the results as a dict (the project's
`make bench` calls it with its own context object instead; N is then 100,000, or
`MAQUE_BENCH_EXCHANGE_ROWS`).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ROWS = 100_000
IMPORT_RATE_TARGET = 20_000
IMPORT_RATIO_TARGET = 3.0
EXPORT_RATIO_TARGET = 2.0
# A deadline within the sane bounds of a typed one (core/dates.py: at most five years ahead).
DEADLINE = f"{date.today().year + 2}-07-18"
WRITER_WAIT_TARGET_MS = 2000  # other writes wait under 2 s during a 100,000-row import
VILLAGES = 10
PLOTS_PER_VILLAGE = 100
HEADERS = [
    "序号",
    "编号",
    "村",
    "组",
    "对象（户/地块）",
    "事项",
    "问题描述",
    "地块",
    "面积（亩）",
    "现状用途",
    "整治方向",
    "奖补资金（元）",
    "整改措施",
    "整改标准",
    "责任人",
    "整改时限",
    "整改进展",
    "状态",
    "是否销号",
    "销号日期",
    "核查人",
    "备注",
]


def run(rows: Any = DEFAULT_ROWS) -> dict[str, Any]:
    """Measure in a child process with its own database; return the results."""
    count = (
        rows
        if isinstance(rows, int)
        else int(os.environ.get("MAQUE_BENCH_EXCHANGE_ROWS", DEFAULT_ROWS))
    )
    with tempfile.TemporaryDirectory(prefix="maque-exchange-bench-") as folder:
        output = Path(folder) / "results.json"
        env = dict(
            os.environ, MAQUE_VAR_DIR=folder, MAQUE_DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3"
        )
        # The child imports this module as `bench.exchange`, from the repository root.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        subprocess.run(  # noqa: S603 - our own module, with our own interpreter
            [sys.executable, "-m", "bench.exchange", "--rows", str(count), "--json", str(output)],
            check=True,
            env=env,
        )
        return json.loads(output.read_text())


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    answer = work()
    return time.perf_counter() - started, answer


def _peak(work: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _world(code: str = "hp", name: str = "蒿坪镇") -> tuple[Any, Any, list[str]]:
    from django.contrib.auth import get_user_model

    from maque.ledger.catalogue import catalogue_install
    from maque.organisation.models import (
        Person,
        Plot,
        Role,
        RoleAssignment,
        Town,
        Village,
        VillageGroup,
    )

    town = Town.objects.create(name=name, short_name=name[:2], code=code)
    catalogue_install(town=town)
    user = get_user_model().objects.create_user(username=f"bench-principal-{code}", password=None)
    person = Person.objects.create(town=town, name="王主任", user=user)
    from datetime import date

    RoleAssignment.objects.create(
        person=person, role=Role.PRINCIPAL, town=town, valid_from=date(2020, 1, 1)
    )
    plots = []
    for number in range(VILLAGES):
        village = Village.objects.create(town=town, name=f"第{number + 1}村")
        group = VillageGroup.objects.create(village=village, name="一组", number=1)
        Plot.objects.bulk_create(
            Plot(
                town=town,
                village=village,
                group=group,
                code=f"V{number:02d}-{plot:04d}",
                area_mu="3.00",
            )
            for plot in range(PLOTS_PER_VILLAGE)
        )
        plots.append(village.name)
    return town, user, plots


def _ledger_rows(rows: int, villages: list[str]) -> list[list[Any]]:
    data = []
    for number in range(rows):
        village = number % VILLAGES
        plot = (number // VILLAGES) % PLOTS_PER_VILLAGE
        data.append(
            [
                number + 1,
                "",
                villages[village],
                "一组",
                f"农户{number}",
                f"撂荒地复耕{number}",
                "三组撂荒约3亩未耕种",
                f"V{village:02d}-{plot:04d}",
                "3.5",
                "撂荒",
                "复耕",
                "1200",
                "组织复耕",
                "",
                "王主任",
                DEADLINE,
                "",
                "待整改",
                "否",
                "",
                "",
                "",
            ]
        )
    return data


def _write_csv(path: Path, data: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
        writer.writerow(HEADERS)
        writer.writerows(data)


def _write_xlsx(path: Path, data: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("耕地流出整治及撂荒地治理")
    sheet.append(["蒿坪镇五个专项整治·耕地流出整治及撂荒地治理台账"])
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    book.save(path)


def _import(user: Any, path: Path) -> Any:
    from django.db import transaction

    from maque.exchange.importer import ledger_import

    # Rolled back afterwards, so every measurement starts from the same database.
    with transaction.atomic():
        result = ledger_import(by=user, path=path, name=path.name)
        assert result.committed and result.new > 0, result.problems[:5]
        transaction.set_rollback(True)
    return result


def _import_with_a_writer(town: Any, user: Any, path: Path) -> dict[str, Any]:
    """Commit the import while another connection registers an item every 50 ms: how long the
    colleague's writes wait (the import holds the write lock only while it writes)."""
    import threading

    from django.db import connection

    from maque.exchange.importer import ledger_import
    from maque.ledger import lifecycle
    from maque.ledger.models import Category
    from maque.organisation.models import Plot

    category = Category.objects.select_related("campaign").get(town=town, code="farmland-outflow")
    first = Plot.objects.select_related("village", "group").filter(town=town).order_by("pk").first()
    assert first is not None
    # A plot of the colleague's own, so no row of the file matches their items by plot.
    plot = Plot.objects.create(
        town=town, village=first.village, group=first.group, code="COLLEAGUE", area_mu="3.00"
    )
    waits: list[float] = []
    stop = threading.Event()

    def colleague() -> None:
        try:
            while not stop.is_set():
                started = time.perf_counter()
                lifecycle.item_create(
                    by=user,
                    campaign=category.campaign,
                    category=category,
                    village=plot.village,
                    title="村民反映撂荒",
                    attributes={
                        "plot": plot.code,
                        "area_mu": "3.5",
                        "current_use": "撂荒",
                        "target_use": "复耕",
                    },
                )
                waits.append(time.perf_counter() - started)
                stop.wait(0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=colleague)
    thread.start()
    try:
        seconds, result = _timed(lambda: ledger_import(by=user, path=path, name=path.name))
    finally:
        stop.set()
        thread.join()
    assert result.committed, result.problems[:5]
    waits.sort()
    return {
        "import_seconds": round(seconds, 2),
        "colleague_writes": len(waits),
        "colleague_wait_p50_ms": round(waits[len(waits) // 2] * 1000, 1),
        "colleague_wait_max_ms": round(waits[-1] * 1000, 1),
        "target_max_ms": WRITER_WAIT_TARGET_MS,
    }


def _baseline_import(town: Any, user: Any, path: Path) -> None:
    """The fastest read of the same file, plus a plain bulk insert of the same rows as items."""
    from django.db import transaction

    from maque.ledger.models import Category, Item
    from maque.organisation.models import Person, Village

    category = Category.objects.select_related("campaign").get(town=town, code="farmland-outflow")
    villages = {v.name: v for v in Village.objects.filter(town=town)}
    owner = Person.objects.get(user=user)
    from datetime import date

    today = date.today()
    items = []
    for number, row in enumerate(_fastest_rows(path)):
        if number < 2:
            continue
        items.append(
            Item(
                town=town,
                code=f"B-{number}",
                year=today.year,
                campaign=category.campaign,
                category=category,
                village=villages[row[2]],
                owner=owner,
                title=row[5],
                description=row[6],
                measures=row[12],
                found_on=today,
                deadline=date.fromisoformat(row[15]),
                original_deadline=date.fromisoformat(row[15]),
                attributes={
                    "plot": row[7],
                    "area_mu": row[8],
                    "current_use": row[9],
                    "target_use": row[10],
                },
            )
        )
    with transaction.atomic():
        Item.objects.bulk_create(items, batch_size=500)
        transaction.set_rollback(True)


def _fastest_rows(path: Path) -> Any:
    """The rows as text through the fastest reader at hand: the csv module; for .xlsx the
    import's own streaming sheet reader (faster than the library's read-only worksheets, which
    read a sheet that does not declare its size twice), with none of the import's checks."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as source:
            yield from csv.reader(source)
        return
    from maque.exchange.readers import Spreadsheet

    book = Spreadsheet(path, "xlsx")
    try:
        for row in book.sheets()[0].rows():
            yield [str(value) if value is not None else "" for value in row.values]
    finally:
        book.close()


def _export(user: Any, path: Path) -> int:
    from maque.exchange.exporter import export_write
    from maque.ledger.queries import item_list

    return export_write(items=item_list(user=user), out=str(path), masks=False)


def _export_csv(user: Any, path: Path, up_to: int | None = None) -> int:
    from maque.exchange.exporter import csv_write, single_category
    from maque.ledger.queries import item_list

    items = item_list(user=user)
    if up_to is not None:
        items = items.filter(pk__lte=up_to)
    with path.open("wb") as out:
        return csv_write(items=items, category=single_category(items), masks=False, out=out)


def _export_first(user: Any, path: Path, up_to: int) -> int:
    from maque.exchange.exporter import export_write
    from maque.ledger.queries import item_list

    return export_write(
        items=item_list(user=user).filter(pk__lte=up_to), out=str(path), masks=False
    )


def _raw_export(cells: list[list[Any]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("raw")
    for row in cells:
        sheet.append(row)
    book.save(path)


def measure(rows: int, folder: Path, *, writer_only: bool = False) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    town, user, villages = _world()
    data = _ledger_rows(rows, villages)
    small = max(rows // 5, 1)
    # The largest file this installation accepts (MAQUE_IMPORT_MAX_ROWS: on SQLite, what keeps
    # one import's write under the colleague's 2 s); the speed is measured on all N rows anyway.
    accepted = min(rows, settings.MAQUE_IMPORT_MAX_ROWS)
    settings.MAQUE_IMPORT_MAX_ROWS = max(rows, settings.MAQUE_IMPORT_MAX_ROWS)
    files = {}
    for kind, writer in (("csv", _write_csv), ("xlsx", _write_xlsx)):
        files[kind] = folder / f"ledger.{kind}"
        writer(files[kind], data)
    files["csv-accepted"] = folder / "ledger-accepted.csv"
    _write_csv(files["csv-accepted"], data[:accepted])
    files["csv-small"] = folder / "ledger-small.csv"
    _write_csv(files["csv-small"], data[:small])
    files["xlsx-small"] = folder / "ledger-small.xlsx"
    _write_xlsx(files["xlsx-small"], data[:small])
    del data
    results: dict[str, Any] = {"rows": rows}
    for kind in () if writer_only else ("csv", "xlsx"):
        cpu = time.process_time()
        seconds, _result = _timed(lambda kind=kind: _import(user, files[kind]))
        cpu = time.process_time() - cpu
        baseline_cpu = time.process_time()
        baseline, _none = _timed(lambda kind=kind: _baseline_import(town, user, files[kind]))
        baseline_cpu = time.process_time() - baseline_cpu
        results[f"import_{kind}"] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "cpu_seconds": round(cpu, 2),
            "baseline_seconds": round(baseline, 2),
            "baseline_cpu_seconds": round(baseline_cpu, 2),
            "ratio_to_baseline": round(seconds / baseline, 2),
            "cpu_ratio_to_baseline": round(cpu / baseline_cpu, 2),
        }
        results[f"import_{kind}"]["cpu_rows_per_second"] = round(rows / cpu)
        results[f"import_{kind}"]["baseline_rows_per_second"] = round(rows / baseline)
        results[f"import_{kind}"]["baseline_cpu_rows_per_second"] = round(rows / baseline_cpu)
        # Traced separately: tracing slows Python down several times.
        results[f"import_{kind}"]["peak_memory_mb"] = {
            f"{small} rows": round(
                _peak(lambda kind=kind: _import(user, files[f"{kind}-small"])) / 1048576, 1
            ),
            f"{rows} rows": round(_peak(lambda kind=kind: _import(user, files[kind])) / 1048576, 1),
        }
        print(kind, results[f"import_{kind}"], flush=True)
    # The largest file accepted, in a second town of its own (so no row matches an item of the
    # first); then all N rows in the first town, past the limit, for comparison and the export.
    other_town, other_user, _names = _world(code="bx", name="白鹤镇")
    results["writer_during_import"] = {
        "import_rows": accepted,
        "database": connection_vendor(),
        **_import_with_a_writer(other_town, other_user, files["csv-accepted"]),
    }
    print("writer during import", results["writer_during_import"], flush=True)
    if rows > accepted or not writer_only:
        results["writer_during_import_of_all_rows"] = {
            "import_rows": rows,
            "over_the_limit": rows > accepted,
            **_import_with_a_writer(town, user, files["csv"]),
        }
        print("writer during import of all rows", results["writer_during_import_of_all_rows"])
    if writer_only:
        return results
    cpu = time.process_time()
    seconds, written = _timed(lambda: _export(user, folder / "export.xlsx"))
    cpu = time.process_time() - cpu
    from maque.exchange.exporter import _rows as layout_rows
    from maque.exchange.exporter import columns_for, export_queryset
    from maque.ledger.models import Category, Item

    category = Category.objects.prefetch_related("fields").get(town=town, code="farmland-outflow")
    cells = list(
        layout_rows(
            export_queryset(Item.objects.filter(town=town).order_by("code")),
            columns_for(category),
            masks=False,
        )
    )
    baseline_cpu = time.process_time()
    baseline, _none = _timed(lambda: _raw_export(cells, folder / "raw.xlsx"))
    baseline_cpu = time.process_time() - baseline_cpu
    cells.clear()
    csv_cpu = time.process_time()
    csv_seconds, _rows = _timed(lambda: _export_csv(user, folder / "export.csv"))
    csv_cpu = time.process_time() - csv_cpu
    first_small = (
        Item.objects.filter(town=town).order_by("pk").values_list("pk", flat=True)[small - 1]
    )
    results["export_xlsx"] = {
        "seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds),
        "cpu_seconds": round(cpu, 2),
        "baseline_seconds": round(baseline, 2),
        "baseline_cpu_seconds": round(baseline_cpu, 2),
        "ratio_to_baseline": round(seconds / baseline, 2),
        "cpu_ratio_to_baseline": round(cpu / baseline_cpu, 2),
        "peak_memory_mb": {
            f"{small} rows": round(
                _peak(lambda: _export_first(user, folder / "export3.xlsx", first_small)) / 1048576,
                1,
            ),
            f"{rows} rows": round(
                _peak(lambda: _export(user, folder / "export2.xlsx")) / 1048576, 1
            ),
        },
    }
    results["export_csv"] = {
        "seconds": round(csv_seconds, 2),
        "rows_per_second": round(rows / csv_seconds),
        "cpu_seconds": round(csv_cpu, 2),
        "peak_memory_mb": {
            f"{small} rows": round(
                _peak(lambda: _export_csv(user, folder / "export3.csv", first_small)) / 1048576, 1
            ),
            f"{rows} rows": round(
                _peak(lambda: _export_csv(user, folder / "export2.csv")) / 1048576, 1
            ),
        },
    }
    print("export", results["export_xlsx"], results["export_csv"], flush=True)
    results["targets"] = {
        "import_rows_per_second": IMPORT_RATE_TARGET,
        "import_ratio": IMPORT_RATIO_TARGET,
        "export_ratio": EXPORT_RATIO_TARGET,
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--writer-only",
        action="store_true",
        help="only the colleague's waits during the imports (no speed, memory or export)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maque-exchange-bench-") as scratch:
        # A private database unless the caller gave one (run() does).
        os.environ.setdefault("MAQUE_VAR_DIR", scratch)
        os.environ.setdefault("MAQUE_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maque.settings")
        import django

        django.setup()
        results = measure(args.rows, Path(scratch), writer_only=args.writer_only)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
