"""The benchmarks of joint deliberation, the village diagnosis and field work run end to end on
a tiny county: each generates its data, finds the product and the hand-written SQL giving the
same answer (a benchmark raises when they differ) and reports its timings. Timings themselves
are never asserted: performance is measured by `make bench` (`python -m bench`)."""

from __future__ import annotations

import importlib
from typing import Any
from unittest import mock

import pytest
from bench.county import BenchContext
from django.db import connection
from django.utils import timezone

from maque.demo.generate import generate_dataset
from maque.organisation.models import Person, Role, Town

APPS = ("deliberation", "diagnosis", "fieldwork")


def _timings(result: Any) -> list[dict[str, Any]]:
    """Every timing in a benchmark's result."""
    if isinstance(result, dict):
        if "p50_ms" in result:
            return [result]
        return [t for value in result.values() for t in _timings(value)]
    return []


@pytest.fixture
def county(monkeypatch: pytest.MonkeyPatch) -> BenchContext:
    monkeypatch.setenv("MAQUE_BENCH_TOPICS", "300")
    monkeypatch.setenv("MAQUE_BENCH_VISITS", "600")
    monkeypatch.setenv("MAQUE_BENCH_PETITIONS", "200")
    summary = generate_dataset(villages=3, items=600, seed=1)
    town = Town.objects.get(pk=summary.town_ids[0])
    people = Person.objects.filter(town=town).select_related("user")
    now = timezone.now().replace(microsecond=0)
    return BenchContext(
        database=None,  # type: ignore[arg-type]
        villages=3,
        items=600,
        seed=1,
        repeat=1,
        day=timezone.localdate(now),
        now=now,
        town=town,
        principal=people.filter(assignments__role=Role.PRINCIPAL).first().user,
        inspector=people.filter(assignments__role=Role.INSPECTOR).first().user,
    )


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the benchmarks measure the embedded SQLite database; their hand-written SQL is its",
)
@pytest.mark.parametrize("app", APPS)
def test_it_runs_the_benchmark_at_tiny_scale(county: BenchContext, app: str) -> None:
    with mock.patch("django.utils.timezone.now", return_value=county.now):
        result = importlib.import_module(f"bench.{app}").run(county)
    assert _timings(result), "nothing measured"
    if app == "deliberation":
        assert result["topics"] == 300
        assert result["board_principal"]["topics"] == 300
    elif app == "diagnosis":
        assert result["write_day"]["villages"] == 3
        assert result["snapshots"] > 0
    else:
        assert result["visits"] == 600
        assert result["petitions"]["petitions"] == 200
