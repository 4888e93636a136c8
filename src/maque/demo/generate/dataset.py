"""`generate_dataset`: the towns one by one, then the items in batches; what was made in a `Summary`."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from maque.demo.generate.items import _ItemWriter
from maque.demo.generate.organisation import _organisation, _town, _VillageCast
from maque.ledger.catalogue import catalogue_install
from maque.ledger.models import (
    Campaign,
    Category,
    CategoryField,
)
from maque.organisation.models import (
    Person,
    Plot,
    Town,
)

Progress = Callable[[str, int, int], None]

CAMPAIGN = "five-rectifications"


@dataclass
class Summary:
    """What was generated, and how long it took."""

    towns: int = 0
    villages: int = 0
    people: int = 0
    plots: int = 0
    items: int = 0
    transitions: int = 0
    requests: int = 0
    progress_logs: int = 0
    attachments: int = 0
    seconds: float = 0.0
    town_ids: list[int] = field(default_factory=list)


def generate_dataset(
    *,
    villages: int,
    items: int,
    seed: int,
    towns: int = 1,
    today: date | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> Summary:
    """Generate `towns` towns sharing `villages` villages and `items` items, from `seed`."""
    if towns < 1 or villages < towns or items < 0:
        raise ValueError(
            "need at least one town, at least one village per town and a non-negative item count"
        )
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    report = progress or (lambda stage, done, total: None)
    summary = Summary()
    casts: list[_VillageCast] = []
    categories: list[tuple[Campaign, list[tuple[Category, list[CategoryField]]]]] = []
    town_rows: list[Town] = []
    with transaction.atomic():
        for town_index in range(towns):
            town = _town(town_index, seed)
            town_rows.append(town)
            share = villages // towns + (1 if town_index < villages % towns else 0)
            casts.extend(_organisation(rng, town, town_index, share, seed, today))
            catalogue_install(town=town)
            campaign = Campaign.objects.get(town=town, code=CAMPAIGN)
            town_categories = list(
                campaign.categories.filter(active=True).prefetch_related("fields")
            )
            categories.append((campaign, [(c, list(c.fields.all())) for c in town_categories]))
            report("organisation", town_index + 1, towns)
    summary.towns = towns
    summary.town_ids = [t.pk for t in town_rows]
    summary.villages = len(casts)
    summary.people = Person.objects.filter(town__in=town_rows).count()
    summary.plots = Plot.objects.filter(town__in=town_rows).count()
    if connection.vendor == "sqlite":
        # A large page cache for this connection: a dozen indexes on items take random inserts.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    writer = _ItemWriter(rng=rng, today=today, towns=town_rows, categories=categories, casts=casts)
    done = 0
    while done < items:
        count = min(batch_size, items - done)
        writer.write_batch(count)
        done += count
        report("items", done, items)
    writer.finish()
    summary.items = items
    summary.transitions = writer.counts["transitions"]
    summary.requests = writer.counts["requests"]
    summary.progress_logs = writer.counts["progress"]
    summary.attachments = writer.counts["attachments"]
    summary.seconds = time.monotonic() - started
    return summary
