"""推进不力、整改质量不高的村: the accountability rule aimed at a village (first-week issue, point 11).

A village whose closure rate is far under the town's and whose items were returned often in the
period is suggested to the discipline commission, once per period; a village with returns but a
normal closure rate, or a low rate without returns, is not.
"""

from __future__ import annotations

from django.utils import timezone

from maque.accountability.models import AccountabilityCase
from maque.ledger import lifecycle
from maque.rhythm.models import rhythm_settings
from maque.supervision.scoring import period_of
from maque.supervision.services import weak_village_check
from tests.conftest import drive_to_submitted, make_item


def _returned(world, count: int) -> None:  # noqa: ANN001
    """`count` items of 改革村 submitted and returned as inadequate in this period."""
    for number in range(count):
        item = drive_to_submitted(world, make_item(world, title=f"整改不到位{number}"))
        lifecycle.item_return(item=item, by=world.user("contact_gaige"), reason="复耕面积不足")


def _closed_in_shuangsheng(world, count: int) -> None:  # noqa: ANN001
    for number in range(count):
        item = make_item(
            world, persona="cadre_shuangsheng", village=world.shuangsheng, title=f"已复耕{number}"
        )
        item = drive_to_submitted(world, item, persona="cadre_shuangsheng")
        lifecycle.item_verify(item=item, by=world.user("contact_shuangsheng"), note="现场核查")


def test_it_suggests_the_village_that_closes_little_and_is_returned_often(world):  # noqa: ANN001
    _returned(world, 5)
    _closed_in_shuangsheng(world, 3)
    period = period_of(timezone.localdate(), "month")
    assert weak_village_check(town=world.town, period=period) == [world.gaige]
    case = AccountabilityCase.objects.get(town=world.town, rule="weak_village")
    assert case.village == world.gaige and case.subject_person is None
    assert "改革村" in case.summary and "5" in case.summary
    # Once per village and period.
    weak_village_check(town=world.town, period=period)
    assert AccountabilityCase.objects.filter(rule="weak_village").count() == 1


def test_it_needs_both_the_low_rate_and_the_returns(world):  # noqa: ANN001
    _returned(world, 4)  # one return short of the town's setting
    _closed_in_shuangsheng(world, 3)
    period = period_of(timezone.localdate(), "month")
    assert weak_village_check(town=world.town, period=period) == []
    settings = rhythm_settings(world.town)
    settings.accountability_village_returns = 4
    settings.accountability_village_rate_gap = 100  # 改革村 closes 0%, the town 3/7 ≈ 43%
    settings.save()
    assert weak_village_check(town=world.town, period=period) == []
    settings.accountability_village_rate_gap = 42
    settings.save()
    assert weak_village_check(town=world.town, period=period) == [world.gaige]
