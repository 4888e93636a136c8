"""The rhythm screens in headless Chromium, on a phone: every control labelled, nothing wider than
the screen, no console errors, no request leaving the server; an inspector records a finding
by tapping, and the discipline commission moves a case on.

Runs in the system's Chromium like the other end-to-end tests; skipped, saying why, without it.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.accountability.models import Status
from maque.accountability.services import accountability_suggest
from maque.ledger.models import State
from maque.meetings.services import diagnosis_draft
from maque.notifications.services import notify
from maque.supervision.models import InspectionFinding, Outcome
from maque.supervision.services import review_open, round_open
from tests.conftest import drive_to_closed, drive_to_submitted, make_item
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_accessibility import UNLABELLED
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def check_page(page, base: str, path: str, name: str) -> None:  # noqa: ANN001
    response = page.goto(base + path)
    assert response.status == 200, path
    assert page.evaluate(UNLABELLED) == [], path
    assert page.evaluate(OVERFLOW) <= 0, f"{path} is wider than the phone"
    screenshot(page, name)


def test_it_inspector_works_through_a_round_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    submitted = drive_to_submitted(world, make_item(world, title="待验收的复耕"))
    drive_to_closed(world, make_item(world, title="已销号的复耕"))
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村在整改")
    inspection_round = round_open(town=world.town, by=world.user("inspector"), seed=11)
    review_open(by=world.user("inspector"), category=world.category("farmland-outflow"))
    diagnosis = diagnosis_draft(town=world.town, now=timezone.now())
    notify(
        recipients=[world.user("inspector")],
        kind="escalation.overdue_7",
        title="逾期七天：三组撂荒地复耕",
        key="k",
        link=f"/items/{submitted.pk}/",
    )

    page, watch = open_context(phone=True)
    sign_in(page, base, "inspector")
    for path, name in (
        ("/inbox/", "rhythm-inbox-375"),
        ("/inspections/", "rhythm-rounds-375"),
        (f"/inspections/{inspection_round.pk}/", "rhythm-round-375"),
        (f"/inspections/{inspection_round.pk}/report/", "rhythm-report-375"),
        (f"/inspections/{inspection_round.pk}/problems/", "rhythm-problem-375"),
        (f"/meetings/{diagnosis.pk}/", "rhythm-diagnosis-375"),
        ("/meetings/", "rhythm-meetings-375"),
        ("/meetings/new/", "rhythm-meeting-new-375"),
        ("/scores/", "rhythm-scores-375"),
        ("/bulletins/", "rhythm-bulletins-375"),
    ):
        check_page(page, base, path, name)

    # Every point of a score is explained: open the first village's breakdown.
    page.goto(f"{base}/scores/")
    page.click(".score-card summary")
    assert page.is_visible(".score-card .breakdown >> text=基础分")
    screenshot(page, "rhythm-score-breakdown-375")

    # Record "inadequate" on the submitted item: open its form, tap the outcome, type, record.
    sample = inspection_round.samples.get(item=submitted)
    page.goto(f"{base}/inspections/{inspection_round.pk}/")
    page.click(f"summary[data-sample='{sample.pk}']")
    page.click(f"label[for='id_s{sample.pk}-outcome_1']")
    page.fill(f"#id_s{sample.pk}-note", "照片看不出已复耕")
    # Recorded in place: the sample's row comes back, the page stays where the inspector is.
    page.click(f"#sample-{sample.pk} button[type=submit]")
    page.wait_for_selector(f"#sample-{sample.pk} [role=status]")
    assert "已记录" in page.inner_text(f"#sample-{sample.pk}")
    submitted.refresh_from_db()
    assert submitted.state == State.RECTIFYING
    assert InspectionFinding.objects.get(sample=sample).outcome == Outcome.INADEQUATE
    screenshot(page, "rhythm-round-recorded-375")
    assert watch.console_errors == []


def test_it_discipline_commission_decides_a_case_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    item = make_item(world, title="逾期十五天的复耕")
    case = accountability_suggest(
        town=world.town,
        rule="overdue",
        subject_person=world.people["cadre_gaige"],
        village=world.gaige,
        items=[item],
        key=f"overdue:{item.pk}",
        summary="逾期15天未整改",
    )
    page, watch = open_context(phone=True)
    sign_in(page, base, "discipline")
    check_page(page, base, "/accountability/", "rhythm-cases-375")
    # The notification leads to the case.
    page.goto(f"{base}/inbox/")
    with page.expect_navigation():
        page.click(".inbox a.touch-link")
    assert page.url.rstrip("/").endswith(f"/accountability/{case.pk}")
    assert page.evaluate(UNLABELLED) == []
    page.select_option("#id_to", Status.OPENED)
    with page.expect_navigation():
        page.click("form[action$='/status/'] button[type=submit]")
    case.refresh_from_db()
    assert case.status == Status.OPENED
    screenshot(page, "rhythm-case-375")
    assert watch.console_errors == []
