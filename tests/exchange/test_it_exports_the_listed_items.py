"""Export takes the ledger list's filters and sort, so an exported list is exactly the listed one."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from maque.exchange.api import ExportFilters
from maque.ledger.api.items import ItemFilters
from maque.ledger.models import Item
from maque.ledger.queries import item_list
from maque.workspace.views.spreadsheets import export_url

from ..conftest import make_item


def client_for(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client


def exported_codes(response) -> list[str]:
    """The codes of an .xlsx or .csv export, sheet by sheet, in row order."""
    content = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        return [row[1] for row in rows[2:]]
    book = load_workbook(io.BytesIO(content))
    return [
        row[1]
        for sheet in book.worksheets
        if sheet.sheet_state == "visible"
        for row in sheet.iter_rows(min_row=3, values_only=True)
    ]


@pytest.fixture
def ledger(world):
    """Four 耕地流出 items of 改革村 with different deadlines; one overdue, one closed."""
    today = timezone.localdate()
    items = [
        make_item(world, title="甲", deadline=today + timedelta(days=40)),
        make_item(
            world,
            title="乙",
            deadline=today + timedelta(days=3),
            found_on=today - timedelta(days=20),
        ),
        make_item(world, title="丙", deadline=today + timedelta(days=90)),
    ]
    overdue = make_item(
        world, title="丁", found_on=today - timedelta(days=30), deadline=today - timedelta(days=2)
    )
    return [*items, overdue]


LIST_FILTERS = [
    {"light": "red"},
    {"light": "yellow"},
    {"overdue": "true"},
    {"overdue": "false"},
    {"due_before": "DAY+10"},
    {"due_after": "DAY+10", "sort": "-deadline"},
    {"sort": "deadline"},
    {"sort": "-light"},
    {"q": "丙"},
    {"state": "found,rectifying", "sort": "code"},
]


@pytest.mark.parametrize("filters", LIST_FILTERS)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_it_exports_exactly_the_items_the_list_shows(world, ledger, filters, kind):
    day = timezone.localdate()
    params = {
        k: (str(day + timedelta(days=10)) if v == "DAY+10" else v) for k, v in filters.items()
    }
    client = client_for(world, "principal")
    listed = client.get("/api/v1/items", {**params, "page_size": 200}).json()
    expected = [item["code"] for item in listed["items"]]
    response = client.get("/api/v1/ledger/export", {**params, "format": kind})
    if not expected and kind == "csv":
        assert response.status_code == 422 and "没有事项" in response.json()["detail"]
        return
    assert response.status_code == 200
    codes = exported_codes(response)
    if "sort" in params:
        assert codes == expected  # in the list's order
    else:
        assert codes == sorted(expected)  # by code, the ledger's usual order
    assert 0 < len(expected) < len(ledger) or "sort" in params


def test_it_takes_every_filter_the_list_takes(world):
    # Paging and `expand` shape the list's page, not which items it holds.
    list_filters = set(ItemFilters.model_fields) - {"page", "page_size", "expand"}
    assert list_filters <= set(ExportFilters.model_fields)


def test_it_refuses_unknown_sorts_and_states(world, ledger):
    client = client_for(world, "principal")
    response = client.get("/api/v1/ledger/export", {"sort": "nope"})
    assert response.status_code == 422 and "sort" in response.json()["errors"]
    response = client.get("/api/v1/ledger/export", {"state": "nope"})
    assert response.status_code == 422 and "state" in response.json()["errors"]


def test_it_explains_in_chinese_why_several_categories_make_no_csv(world, ledger):
    make_item(
        world,
        category=world.category("greenhouse"),
        title="大棚",
        attributes={"structure": "钢架大棚", "built_area_m2": "120", "action": "拆除"},
    )
    client = client_for(world, "principal")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(
        "/api/v1/ledger/export", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    message = response.json()["errors"]["category"][0]
    assert (
        "耕地流出整治及撂荒地治理" in message and "“大棚房”整治" in message and ".xlsx" in message
    )
    assert "类别" in message
    # One category chosen: a CSV; .xlsx holds both, one sheet each.
    assert (
        client.get("/api/v1/ledger/export", {"format": "csv", "category": "greenhouse"}).status_code
        == 200
    )
    book = load_workbook(
        io.BytesIO(b"".join(client.get("/api/v1/ledger/export").streaming_content))
    )
    assert len([s for s in book.worksheets if s.sheet_state == "visible"]) == 2


def test_the_workspace_export_link_carries_the_lists_filters_and_sort(world):
    day = timezone.localdate()
    url = export_url(
        {
            "light": "red",
            "due_after": day,
            "due_before": day,
            "sort": "-deadline",
            "overdue": True,
            "q": None,
        }
    )
    assert "light=red" in url and f"due_after={day}" in url and f"due_before={day}" in url
    assert "sort=-deadline" in url and "overdue=true" in url and "q=" not in url


def test_the_command_exports_with_the_lists_filters_and_sort(world, ledger, tmp_path):
    out = tmp_path / "e.csv"
    call_command(
        "ledger",
        "export",
        "--user",
        "principal",
        "--overdue",
        "yes",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[2:]
    assert [row[1] for row in rows] == [ledger[3].code]
    call_command(
        "ledger",
        "export",
        "--user",
        "principal",
        "--sort=-deadline",
        "--state",
        "待整改",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[2:]
    expected = [
        item.code
        for item in item_list(user=world.user("principal"), state="found", sort="-deadline")
    ]
    assert [row[1] for row in rows] == expected and len(expected) == 4
    # Without --user (the operator): the same filters over every item.
    call_command(
        "ledger",
        "export",
        "--light",
        "red",
        "--sort",
        "deadline",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[2:]
    assert [row[1] for row in rows] == [
        item.code for item in item_list(user=world.user("principal"), light="red", sort="deadline")
    ]
    with pytest.raises(CommandError, match="unknown state"):
        call_command("ledger", "export", "--state", "nope", "-o", str(out), stdout=io.StringIO())
    assert Item.objects.count() == 4
