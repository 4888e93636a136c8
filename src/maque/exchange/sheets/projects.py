"""The projects sheet (重点项目台账): one row per milestone, the project's own columns repeated on
each of its rows (as a township clerk keeps it, and as it sorts and filters in a spreadsheet);
a project without milestones is one row with the milestone columns empty."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from maque.core.masking import mask_text
from maque.exchange.layout import STATE_NAMES, decimal_cell
from maque.exchange.sheets.layout import SheetColumn, SheetLayout, joined
from maque.projects.models import Milestone, Project

CHUNK = 500

LAYOUT = SheetLayout(
    kind="projects",
    title="重点项目台账",
    columns=(
        SheetColumn("seq", "序号", 6, ("编号序号",), derived=True),
        SheetColumn("code", "项目编号", 16, ("项目代码", "编号")),
        SheetColumn("name", "项目名称", 24, ("项目", "名称")),
        SheetColumn("campaign", "所属工作", 16, ("专项工作", "所属专项", "活动")),
        SheetColumn("villages", "涉及村", 18, ("村", "所属村", "实施村", "项目村")),
        SheetColumn("owner", "项目负责人", 10, ("负责人", "责任人")),
        SheetColumn("department", "牵头部门", 14, ("牵头单位", "责任部门")),
        SheetColumn("budget", "总投资（元）", 14, ("预算（元）", "总投资", "预算", "投资额（元）")),
        SheetColumn("funding", "资金来源", 24, ("资金构成", "资金来源及金额")),
        SheetColumn("starts_on", "开工日期", 14, ("开始日期", "计划开工")),
        SheetColumn("ends_on", "完工日期", 14, ("结束日期", "计划完工")),
        SheetColumn("description", "建设内容", 30, ("项目简介", "项目内容", "简介")),
        SheetColumn("milestone", "节点名称", 20, ("节点", "里程碑", "建设节点")),
        SheetColumn("weight", "权重", 8, ("节点权重",)),
        SheetColumn("planned_start", "计划开始", 14, ("节点开始", "节点计划开始")),
        SheetColumn("planned_on", "计划完成", 14, ("节点完成", "节点计划完成", "完成时限")),
        SheetColumn("milestone_owner", "节点责任人", 10, ("节点负责人",)),
        SheetColumn("milestone_village", "节点所在村", 10, ("节点村",)),
        SheetColumn("measures", "推进措施", 24, ("措施", "节点措施")),
        SheetColumn("item", "事项编号", 16, ("台账编号",), derived=True),
        SheetColumn("state", "节点状态", 10, ("状态",), derived=True),
    ),
)


def funding_text(sources: list[tuple[str, Decimal]]) -> str:
    """县级财政:200000；村集体自筹:5000 — each source and its amount in 元."""
    return "；".join(f"{source}:{format(amount.normalize(), 'f')}" for source, amount in sources)


def export_projects(projects: QuerySet[Project]) -> QuerySet[Project]:
    milestones = Milestone.objects.select_related("item__owner", "item__village").order_by(
        "order", "planned_on", "id"
    )
    return (
        projects.select_related("campaign", "owner", "lead_department")
        .prefetch_related("villages", "funding", Prefetch("milestones", queryset=milestones))
        .order_by("code", "id")
    )


def rows(projects: QuerySet[Project], *, masks: bool) -> Iterator[list[Any]]:
    """The sheet's rows, projects read in chunks (bounded memory)."""
    sequence = 0
    text = mask_text if masks else (lambda value: value)
    for project in export_projects(projects).iterator(chunk_size=CHUNK):
        head = [
            project.code,
            project.name,
            project.campaign.name,
            joined(sorted(village.name for village in project.villages.all())),
            project.owner.name,
            project.lead_department.name if project.lead_department else None,
            decimal_cell(format(project.budget_yuan.normalize(), "f")),
            funding_text([(f.source, f.amount_yuan) for f in project.funding.all()]) or None,
            project.starts_on,
            project.ends_on,
            text(project.description) or None,
        ]
        milestones: list[Milestone | None] = list(project.milestones.all())
        for milestone in milestones or [None]:
            sequence += 1
            if milestone is None:
                yield [sequence, *head, *([None] * 9)]
                continue
            item = milestone.item
            yield [
                sequence,
                *head,
                item.title,
                milestone.weight,
                milestone.planned_start,
                milestone.planned_on,
                item.owner.name,
                item.village.name,
                text(item.measures) or None,
                item.code,
                STATE_NAMES.get(item.state, item.state),
            ]
