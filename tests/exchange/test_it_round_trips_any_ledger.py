"""Property: for any generated ledger, export → import changes nothing (xlsx and CSV)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maque.exchange.exporter import csv_write, export_write, single_category
from maque.ledger import lifecycle
from maque.ledger.models import Item, Transition
from maque.ledger.queries import item_list
from maque.ledger.services import progress_add
from maque.organisation.models import VillageGroup

from ..conftest import build_world, drive_to_submitted
from .helpers import run_import

# Printable text including the characters that trouble spreadsheets: formula starts, quotes,
# commas, CJK, full-width forms and digits that look like numbers or dates.
TEXT = (
    st.text(
        alphabet=st.sampled_from(list("=+-@'\",;:/#%.0123456789 abcXYZ撂荒地复耕整改（）、，。\n")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
OPTIONAL_TEXT = st.one_of(st.just(""), TEXT)
AREA = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)

ITEM = st.fixed_dictionaries(
    {
        "title": TEXT,
        "description": OPTIONAL_TEXT,
        "measures": OPTIONAL_TEXT,
        "subject": OPTIONAL_TEXT,
        "area": AREA,
        "subsidy": st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
        "current_use": st.sampled_from(["撂荒", "林地", "园地", "坑塘水面", "设施农用地", "其他"]),
        "target_use": st.sampled_from(["复耕", "复垦", "复种"]),
        "village": st.sampled_from(["gaige", "shuangsheng"]),
        "grouped": st.booleans(),
        "days": st.integers(min_value=0, max_value=400),
        "progress": st.one_of(st.none(), TEXT),
        "state": st.sampled_from(["found", "rectifying", "submitted", "closed"]),
    }
)


def build_ledger(world, specs):
    category = world.category("farmland-outflow")
    for spec in specs:
        village = getattr(world, spec["village"])
        persona = "cadre_gaige" if spec["village"] == "gaige" else "cadre_shuangsheng"
        attributes = {
            "plot": "GG-001" if spec["village"] == "gaige" else "SS-001",
            "area_mu": str(spec["area"]),
            "current_use": spec["current_use"],
            "target_use": spec["target_use"],
        }
        if spec["subsidy"] is not None:
            attributes["subsidy_yuan"] = str(spec["subsidy"])
        item = lifecycle.item_create(
            by=world.user(persona),
            campaign=world.campaign,
            category=category,
            village=village,
            title=spec["title"],
            description=spec["description"],
            measures=spec["measures"],
            subject=spec["subject"],
            group=VillageGroup.objects.get(village=village) if spec["grouped"] else None,
            deadline=timezone.localdate() + timedelta(days=spec["days"]),
            attributes=attributes,
        )
        if spec["progress"]:
            progress_add(item=item, by=world.user(persona), text=spec["progress"])
        if spec["state"] == "rectifying":
            lifecycle.item_start(item=item, by=world.user(persona))
        elif spec["state"] == "submitted":
            drive_to_submitted(world, item, persona)
        elif spec["state"] == "closed":
            verifier = "contact_gaige" if spec["village"] == "gaige" else "contact_shuangsheng"
            item = drive_to_submitted(world, item, persona)
            lifecycle.item_verify(item=item, by=world.user(verifier), note="现场核查")


def snapshot():
    return {
        item.pk: (
            item.version,
            item.state,
            item.title,
            item.description,
            item.measures,
            item.subject,
            item.attributes,
            item.deadline,
            item.owner_id,
            item.group_id,
            item.progress_logs.count(),
        )
        for item in Item.objects.all()
    }, Transition.objects.count()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(ITEM, min_size=1, max_size=6))
def test_it_round_trips_any_ledger(db, tmp_path, specs):
    with transaction.atomic():
        world = build_world()
        build_ledger(world, specs)
        before = snapshot()
        principal = world.user("principal")
        items = item_list(user=principal)
        xlsx = tmp_path / "ledger.xlsx"
        export_write(items=items, out=str(xlsx), masks=False)
        csv = tmp_path / "ledger.csv"
        with csv.open("wb") as out:
            csv_write(items=items, category=single_category(items), masks=False, out=out)
        for path in (xlsx, csv):
            result = run_import(principal, path)
            assert result.problems == [], (path.suffix, result.problems)
            assert result.counts() == {
                "new": 0,
                "updated": 0,
                "unchanged": len(specs),
                "invalid": 0,
            }, path.suffix
            assert snapshot() == before
        transaction.set_rollback(True)
