"""The petition register sheet (信访登记台账): one petition a row. The petitioner's name, phone
and ID number are shown only where the reader's role sees personal data and the petition's own
rule lets them read it (`petitions.policies.may_read_personal_data`); masked everywhere else,
with phone and ID numbers in the matter masked likewise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from maque.core.masking import mask_id_number, mask_name, mask_phone, mask_text
from maque.exchange.layout import NO, YES
from maque.exchange.sheets.layout import SheetColumn, SheetLayout
from maque.organisation.actor import Actor
from maque.petitions.models import Channel, Petition, Satisfaction, State
from maque.petitions.policies import may_read_personal_data

CHUNK = 1000

CHANNEL_NAMES: dict[str, str] = {
    Channel.LETTER: "来信",
    Channel.VISIT: "来访",
    Channel.ONLINE: "网上信访",
    Channel.HOTLINE: "热线电话",
    Channel.LEADER: "领导接访",
}
STATE_NAMES: dict[str, str] = {
    State.REGISTERED: "待受理",
    State.ACCEPTED: "办理中",
    State.NOT_ACCEPTED: "不予受理",
    State.REPLIED: "已答复",
    State.REVIEW_REQUESTED: "已申请复查",
}
SATISFACTION_NAMES: dict[str, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}

LAYOUT = SheetLayout(
    kind="petitions",
    title="信访登记台账",
    columns=(
        SheetColumn("seq", "序号", 6, derived=True),
        SheetColumn("code", "信访编号", 18, ("编号", "信访件编号"), derived=True),
        SheetColumn(
            "received_on", "登记日期", 14, ("来信来访日期", "收到日期", "信访日期", "日期")
        ),
        SheetColumn("channel", "信访形式", 10, ("信访渠道", "渠道", "形式", "来源")),
        SheetColumn("name", "信访人", 10, ("信访人姓名", "姓名")),
        SheetColumn("phone", "联系电话", 14, ("电话", "手机号", "联系方式")),
        SheetColumn("id_number", "身份证号", 20, ("身份证号码", "公民身份号码", "证件号码")),
        SheetColumn("matter", "信访事项", 36, ("反映问题", "主要诉求", "信访内容", "事项")),
        SheetColumn("village", "所属村", 10, ("村", "村名", "涉及村")),
        SheetColumn("household", "涉及农户", 14, ("农户",)),
        SheetColumn("owner", "承办人", 10, ("责任人", "经办人", "办理人")),
        SheetColumn("stability", "信访维稳", 10, ("维稳", "是否维稳", "涉稳")),
        SheetColumn("state", "办理状态", 12, ("状态",)),  # read only to refuse later steps
        SheetColumn("due_on", "办理时限", 14, ("时限",), derived=True),
        SheetColumn("replied_on", "答复日期", 14, (), derived=True),
        SheetColumn("satisfaction", "满意度", 10, ("评价",), derived=True),
    ),
)


def rows(petitions: QuerySet[Petition], *, actor: Actor) -> Iterator[list[Any]]:
    masks_role = actor.masks_personal_data()
    petitions = petitions.select_related("village", "household", "owner").order_by(
        "received_on", "id"
    )
    for sequence, petition in enumerate(petitions.iterator(chunk_size=CHUNK), start=1):
        shown = not masks_role and may_read_personal_data(actor, petition)
        name, phone, id_number = (
            petition.petitioner_name,
            petition.petitioner_phone,
            petition.petitioner_id_number,
        )
        if not shown:
            name, phone, id_number = mask_name(name), mask_phone(phone), mask_id_number(id_number)
        household = petition.household
        yield [
            sequence,
            petition.code,
            petition.received_on,
            CHANNEL_NAMES.get(petition.channel, petition.channel),
            name,
            phone or None,
            id_number or None,
            petition.matter if shown else mask_text(petition.matter),
            petition.village.name if petition.village else None,
            (
                (household.head_name if shown else mask_name(household.head_name))
                + f" #{household.pk}"
                if household
                else None
            ),
            petition.owner.name if petition.owner else None,
            YES if petition.stability else NO,
            STATE_NAMES.get(petition.state, petition.state),
            petition.due_on,
            petition.replied_on,
            SATISFACTION_NAMES.get(petition.satisfaction, "") or None,
        ]
