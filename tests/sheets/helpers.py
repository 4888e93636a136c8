"""Reading exported sheets back, and building the records they hold, in the tests' world."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from maque.ledger.models import Campaign
from maque.projects.models import Project
from maque.projects.services import FundingIn, MilestoneIn, project_create
from tests.conftest import World


def client_for(world: World, persona: str | None) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(world.user(persona))
    return client


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def table(response: Any) -> list[list[Any]]:
    """The rows of an .xlsx or .csv export, title and header rows included."""
    data = content(response)
    if response["Content-Type"].startswith("text/csv"):
        return [list(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    book = load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


def cells(response: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content(response)))
    return [list(row) for row in book.worksheets[0].iter_rows()]


def make_project(world: World, *, code: str = "hetang", description: str = "") -> Project:
    today = timezone.localdate()
    owner = world.people["cadre_gaige"]
    return project_create(
        by=world.user("leader"),
        town=world.town,
        code=code,
        name="荷塘园区建设",
        campaign=Campaign.objects.get(town=world.town, code="key-projects"),
        villages=[world.gaige],
        owner=world.people["leader"],
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=40),
        budget_yuan=Decimal("1200000"),
        funding=[
            FundingIn("衔接资金", Decimal("800000")),
            FundingIn("村集体自筹", Decimal("400000")),
        ],
        description=description,
        milestones=[
            MilestoneIn("清淤", 40, today - timedelta(days=20), today - timedelta(days=5), owner),
            MilestoneIn("栈道", 60, today - timedelta(days=5), today + timedelta(days=30), owner),
        ],
    )


def token_client(persona: str) -> Client:
    from maque.api.services import token_issue

    token = token_issue(request=None, username=persona, password="pw-" + persona).token
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def upload(persona: str, kind: str, data: bytes, name: str = "sheet.xlsx") -> Any:
    """Upload a sheet for its preview; the answer's JSON (status, counts, problems)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return token_client(persona).post(
        f"/api/v1/sheets/{kind}/imports", {"file": SimpleUploadedFile(name, data)}
    )


def commit(persona: str, batch_id: str) -> Any:
    return token_client(persona).post(f"/api/v1/ledger/imports/{batch_id}/commit")


def workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
