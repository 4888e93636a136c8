"""The wording of the demo's ledger items: titles, descriptions, measures and category fields.

One function per rectification returns a realistic item for a village; the lifecycle scripts in
`items.py` add the progress reports, reasons and notes from the lists below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from maque.demo.data import ASSETS, COUNTERPARTIES, CROPS, PLACES
from maque.organisation.models import Household, Plot, Village


@dataclass
class VillageStock:
    """What a village offers items to refer to."""

    village: Village
    abbr: str
    plots: list[Plot]
    households: list[Household]
    group_names: dict[int, str]  # group id -> 三组
    used: set[int] = field(default_factory=set)  # plots already given an item


@dataclass
class Draft:
    category: str
    title: str
    description: str
    measures: str
    scope: str
    attributes: dict[str, Any]
    subject: str = ""
    plot: Plot | None = None
    household: Household | None = None
    group_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _plot(rng: random.Random, stock: VillageStock, statuses: tuple[str, ...] = ()) -> Plot:
    """A plot of one of `statuses`, preferring plots no other item refers to yet."""
    fresh = [plot for plot in stock.plots if plot.pk not in stock.used]
    candidates = [plot for plot in fresh if plot.status in statuses] or fresh or stock.plots
    plot = rng.choice(candidates)
    stock.used.add(plot.pk)
    return plot


def _group(
    stock: VillageStock, plot: Plot | None = None, household: Household | None = None
) -> str:
    group_id = (
        plot.group_id if plot is not None else household.group_id if household is not None else None
    )
    return stock.group_names.get(group_id, "") if group_id else ""


def _mu(value: Decimal) -> str:
    return format(value.normalize(), "f")


def farmland_chief(rng: random.Random, stock: VillageStock, found_on: date) -> Draft:
    finding = rng.choices(
        ["乱占耕地建房", "挖田造湖", "堆放杂物", "非农化种植", "撂荒", "其他"],
        weights=[3, 2, 4, 2, 4, 1],
    )[0]
    plot = _plot(rng, stock, ("cultivated", "occupied", "abandoned"))
    group = _group(stock, plot)
    owner_name = plot.household.head_name if plot.household is not None else "村集体"
    area = min(plot.area_mu, Decimal(rng.choice(["0.3", "0.5", "0.8", "1.2", "1.5", "2"])))
    level = rng.choices(["网格田长", "村级田长", "镇级田长"], weights=[6, 3, 1])[0]
    texts = {
        "乱占耕地建房": (
            f"{group}{owner_name}户在{plot.code}耕地上违规建房",
            f"{level}巡田发现，{group}{owner_name}户在{plot.code}地块新建砖混结构房屋一处，已完成地基和一层墙体，"
            f"占用耕地约{_mu(area)}亩，未办理任何用地审批手续。",
            "下达停工通知，责令当事人限期自行拆除；拆除后清运建筑垃圾，覆土平整并恢复耕种。",
        ),
        "挖田造湖": (
            f"{plot.code}地块挖田造塘",
            f"{level}巡查发现{group}{plot.code}地块被挖深约1.5米改作鱼塘，耕作层被破坏，面积约{_mu(area)}亩。",
            "排干积水，分层回填压实，恢复耕作层不少于30厘米，当季种植粮油作物。",
        ),
        "堆放杂物": (
            f"{group}{plot.code}地块堆放建筑垃圾和砂石",
            f"{level}巡田发现{plot.code}地块内堆放砂石、建筑垃圾约60立方米，影响正常耕种，占地约{_mu(area)}亩。",
            "通知堆放人限期清运，村组监督清理到位，翻耕平整后交还农户耕种。",
        ),
        "非农化种植": (
            f"{plot.code}永久基本农田种植绿化苗木",
            f"{level}巡查发现{group}{plot.code}地块种植桂花、香樟等绿化苗木，属耕地“非农化”，面积约{_mu(area)}亩。",
            "与种植户签订整改承诺，苗木限期移栽，恢复粮食生产，纳入田长日常巡查重点。",
        ),
        "撂荒": (
            f"{group}{plot.code}地块撂荒",
            f"{level}巡田发现{plot.code}地块连续两季未耕种，杂草丛生，户主{owner_name}常年外出务工。",
            "电话联系户主落实复耕责任，无力耕种的引导流转给种植大户或合作社，当季完成复种。",
        ),
        "其他": (
            f"{plot.code}地块田埂和排水沟损毁",
            f"{level}巡田发现{group}{plot.code}地块田埂垮塌、排水沟淤塞，雨季易造成水土流失。",
            "组织群众投工投劳修复田埂、疏通沟渠，必要时申请农田水利小型项目资金。",
        ),
    }
    title, description, measures = texts[finding]
    attributes: dict[str, Any] = {
        "plot": plot.code,
        "chief_level": level,
        "patrol_date": found_on.isoformat(),
        "finding": finding,
        "area_mu": _mu(area),
    }
    return Draft(
        "farmland-chief",
        title,
        description,
        measures,
        f"{stock.village.name}{group}{plot.code}地块",
        attributes,
        subject=plot.code,
        plot=plot,
        group_id=plot.group_id,
    )


def farmland_outflow(rng: random.Random, stock: VillageStock, found_on: date) -> Draft:
    plot = _plot(rng, stock, ("abandoned", "outflow"))
    group = _group(stock, plot)
    current = (
        "撂荒"
        if plot.status == "abandoned"
        else rng.choice(["林地", "园地", "坑塘水面", "设施农用地"])
    )
    target = {
        "撂荒": "复耕",
        "林地": "复垦",
        "园地": "复种",
        "坑塘水面": "复垦",
        "设施农用地": "复耕",
    }[current]
    crop = rng.choice(CROPS)
    subsidy = (plot.area_mu * Decimal(rng.choice([200, 300, 400]))).quantize(Decimal("1"))
    if current == "撂荒":
        title = f"{group}{plot.code}撂荒地复耕"
        description = (
            f"摸排发现{group}{plot.code}地块撂荒两年以上，面积{_mu(plot.area_mu)}亩，"
            f"灌木杂草覆盖，地块边界清楚，具备复耕条件。"
        )
        measures = f"清除杂草灌木，机械翻耕整地，落实种植主体，种植{crop}；按亩兑现复耕奖补。"
    else:
        title = f"{plot.code}地块由{current}恢复为耕地"
        description = (
            f"国土变更调查比对发现{group}{plot.code}耕地流出为{current}，面积{_mu(plot.area_mu)}亩，"
            f"需按年度计划恢复耕地属性。"
        )
        measures = (
            f"与经营主体协商退出{current}，清理地上附着物，平整土地后种植{crop}，完成后申请核查。"
        )
    attributes = {
        "plot": plot.code,
        "area_mu": _mu(plot.area_mu),
        "current_use": current,
        "target_use": target,
        "subsidy_yuan": str(subsidy),
    }
    return Draft(
        "farmland-outflow",
        title,
        description,
        measures,
        f"{stock.village.name}{group}{plot.code}地块",
        attributes,
        subject=plot.code,
        plot=plot,
        group_id=plot.group_id,
    )


def greenhouse(rng: random.Random, stock: VillageStock, found_on: date) -> Draft:
    household = rng.choice(stock.households)
    group = _group(stock, household=household)
    structure, area, action = rng.choice(
        [
            ("钢架大棚内砌筑砖混看护房", rng.choice([36, 48, 62, 85]), "拆除"),
            ("大棚内违规建设休闲餐饮用房", rng.choice([120, 160, 210]), "拆除"),
            ("设施农业管理用房超标准建设", rng.choice([45, 70, 96]), "整改"),
            ("大棚内硬化地面改作仓储场地", rng.choice([180, 260, 340]), "复耕"),
            ("食用菌大棚改建为居住用房", rng.choice([55, 80, 110]), "拆除"),
        ]
    )
    title = f"{group}{household.head_name}户“大棚房”{structure}"
    description = (
        f"排查发现{group}{household.head_name}户以设施农业名义{structure}，建筑面积约{area}平方米，"
        f"改变了设施农用地用途，属“大棚房”问题。"
    )
    measures = {
        "拆除": "下达整改通知书，督促户主限期自行拆除违建部分，清运垃圾，恢复大棚农业生产功能。",
        "整改": "按设施农用地标准核减管理用房面积，超出部分拆除，补办设施农用地备案手续。",
        "复耕": "破除硬化地面，回填耕作土，恢复种植条件并按计划种植蔬菜。",
    }[action]
    attributes: dict[str, Any] = {
        "structure": structure,
        "built_area_m2": str(area),
        "action": action,
        "household": household.pk,
    }
    return Draft(
        "greenhouse",
        title,
        description,
        measures,
        f"{stock.village.name}{group}{household.head_name}户",
        attributes,
        subject=f"{household.head_name}户",
        household=household,
        group_id=household.group_id,
    )


def collective_contract(
    rng: random.Random, stock: VillageStock, found_on: date, serial: int
) -> Draft:
    asset = rng.choice(ASSETS)
    problem = rng.choice(["程序不规范", "价格明显偏低", "期限过长", "未按约定履行", "合同要素缺失"])
    counterparty = rng.choice(
        COUNTERPARTIES + [f"{household.head_name}" for household in stock.households[:3]]
    )
    term = rng.choice([3, 5, 10, 15, 20, 30])
    amount = rng.choice([6000, 12000, 18500, 24000, 36000, 52000, 80000])
    contract_no = f"{stock.abbr}-HT-{found_on.year - rng.randint(1, 8)}-{serial:03d}"
    details = {
        "程序不规范": (
            "未经村民代表会议表决即签订",
            "按“四议两公开”程序补充履行民主决策，补签会议纪要并公示。",
        ),
        "价格明显偏低": (
            "租金明显低于周边同类资产市场价",
            "委托评估市场租金，与承租方协商变更租金条款，签订补充协议。",
        ),
        "期限过长": (
            f"承包期{term}年，超过法定和政策规定期限",
            "依法协商缩短合同期限或重新签订，报镇农经站备案。",
        ),
        "未按约定履行": (
            "承租方连续两年拖欠租金",
            "发函催收欠缴租金，约谈承租方，逾期不履行的依法解除合同。",
        ),
        "合同要素缺失": (
            "合同缺少标的四至、违约责任等关键条款",
            "补充完善合同要素，双方签字盖章后归档管理。",
        ),
    }[problem]
    owned_by = "" if asset.startswith("集体") else "集体"
    title = f"{stock.village.name}{owned_by}{asset}租赁合同{problem.removeprefix('合同')}"
    description = (
        f"合同清理发现：{contract_no}号{asset}租赁合同（相对方：{counterparty}），{details[0]}。"
    )
    attributes = {
        "contract_no": contract_no,
        "counterparty": counterparty,
        "amount_yuan": str(amount),
        "term_years": term,
        "problem_type": problem,
    }
    return Draft(
        "collective-contract",
        title,
        description,
        details[1],
        f"{stock.village.name}集体经济合同",
        attributes,
        subject=contract_no,
    )


def grave(rng: random.Random, stock: VillageStock, found_on: date) -> Draft:
    grave_type = rng.choices(["新建", "硬化", "豪华", "占用耕地"], weights=[3, 4, 1, 3])[0]
    plot = _plot(rng, stock, ("cultivated",)) if grave_type == "占用耕地" else None
    household = rng.choice(stock.households)
    group = _group(stock, plot=plot) if plot else _group(stock, household=household)
    place = rng.choice(PLACES)
    action = {"新建": "迁移", "硬化": "绿化", "豪华": "整改", "占用耕地": "迁移"}[grave_type]
    location = f"{group}{plot.code}地块" if plot else f"{group}{place}"
    title = {
        "新建": f"{location}新建违规坟墓",
        "硬化": f"{location}坟墓硬化面积超标",
        "豪华": f"{location}修建豪华墓",
        "占用耕地": f"{plot.code if plot else place}耕地内新建坟墓",
    }[grave_type]
    description = {
        "新建": f"排查发现{location}今年新建坟墓一座，位于公路沿线可视范围内，未进入公益性公墓安葬。",
        "硬化": f"排查发现{location}坟墓水泥硬化及护栏约25平方米，超过规定标准。",
        "豪华": f"排查发现{location}修建石材墓碑、墓围的豪华墓一座，占地约40平方米。",
        "占用耕地": f"排查发现{location}在耕地内新建坟墓，占用耕地。",
    }[grave_type]
    measures = {
        "迁移": "做好家属思想工作，限期迁入公益性公墓，原址覆土复耕或绿化。",
        "绿化": "拆除硬化部分和护栏，覆土植草栽树，实现生态化改造。",
        "整改": "劝导家属拆除超标石材墓围、缩小占地，整改后覆土绿化。",
    }[action]
    attributes: dict[str, Any] = {"location": location, "grave_type": grave_type, "action": action}
    if plot is not None:
        attributes["plot"] = plot.code
    return Draft(
        "grave",
        title,
        description,
        measures,
        f"{stock.village.name}{location}",
        attributes,
        subject=location,
        plot=plot,
        group_id=plot.group_id if plot else household.group_id,
    )


CATEGORY_WEIGHTS = {
    "farmland-chief": 22,
    "farmland-outflow": 30,
    "greenhouse": 12,
    "collective-contract": 16,
    "grave": 20,
}


# Progress reports by stage (percent): the owner's voice.
PROGRESS = {
    "farmland-chief": [
        (20, "已约谈当事人，下达限期整改通知书，当事人签字确认。"),
        (50, "违建部分已停工，正在组织清理，村组干部每日巡查。"),
        (80, "清理基本完成，待翻耕平整。"),
    ],
    "farmland-outflow": [
        (20, "已联系户主和种植大户，确定复耕主体，签订复耕承诺书。"),
        (45, "灌木杂草清除完毕，已协调旋耕机进场。"),
        (75, "翻耕整地完成，正在备种备肥。"),
    ],
    "greenhouse": [
        (25, "已送达整改通知书，户主承诺自行拆除。"),
        (60, "违建墙体拆除过半，建筑垃圾正在清运。"),
        (85, "拆除完成，正在恢复大棚种植条件。"),
    ],
    "collective-contract": [
        (30, "已调取合同原件和村民代表会议记录，完成问题核实。"),
        (60, "已与合同相对方协商，形成补充协议初稿。"),
        (85, "补充协议已提交村两委会审议。"),
    ],
    "grave": [
        (30, "已上门与家属沟通，讲解殡葬改革政策。"),
        (60, "家属同意整改，已确定施工时间。"),
        (85, "硬化部分拆除完成，待覆土绿化。"),
    ],
}

DONE = {
    "farmland-chief": "整改完成：违建及杂物已清理，地块平整复耕，附整改后现场照片。",
    "farmland-outflow": "复耕完成，已播种，面积与台账一致，附复耕后现场照片。",
    "greenhouse": "违建部分已全部拆除，大棚恢复种植，附拆除后照片。",
    "collective-contract": "补充协议已签订并归档，附签字盖章页照片。",
    "grave": "整治完成，已覆土植草绿化，附整治后照片。",
}

VERIFY_NOTES = {
    "contact_leader": [
        "联村领导带队现场复核，整改到位，与台账一致，同意销号。",
        "实地查看并比对整改前后照片，符合整治标准，予以销号。",
    ],
    "inspector": [
        "督查考评组现场抽查复核通过，同意销号。",
        "对照整治标准逐项核验，资料齐全，现场无反弹，予以销号。",
    ],
    "leader": [
        "分管领导现场查看，整改到位，同意销号。",
        "审核整改资料和现场照片，符合要求，同意销号。",
    ],
}

RETURN_REASONS = {
    "farmland-chief": [
        "现场核查仍有约0.3亩未清理，地块未恢复耕种条件。",
        "建筑垃圾只是移到田边，未清运出耕地。",
    ],
    "farmland-outflow": [
        "复耕面积不足，地块东侧约0.5亩仍未翻耕。",
        "只翻耕未播种，不符合“复种”要求。",
    ],
    "greenhouse": ["看护房屋顶已拆但墙体仍在，未拆除到位。", "拆除后未恢复种植，大棚仍闲置。"],
    "collective-contract": [
        "补充协议缺少村民代表会议决议，程序仍不完整。",
        "租金调整依据不足，缺少评估或比价材料。",
    ],
    "grave": ["硬化部分未完全拆除，绿化苗木未栽植。", "墓围石材仍在原地堆放，未清理。"],
}

REOPEN_REASONS = [
    "回头看发现地块再次撂荒，复耕未巩固。",
    "督查发现已拆除的看护房又搭建彩钢棚，属虚假销号。",
    "回头看发现整改资料与现场不符，重新整改。",
]

CANCEL_REASONS = [
    "与同一地块的摸排事项重复登记，予以撤销。",
    "经核实属合法设施农用地备案范围，登记有误。",
    "经自然资源所核实，地块不属于耕地范围，登记有误。",
]

EXTENSION_REASONS = [
    "连续降雨，机械无法下田翻耕，申请延期。",
    "户主在外务工，需等返乡后当面协商，申请延期。",
    "合同相对方需召开股东会决议，申请延期。",
    "家属需择期迁坟，申请延期。",
]

SUSPENSION_REASONS = [
    "复耕需待当季作物收获后茬口衔接，申请挂起。",
    "涉及合同纠纷诉讼，待法院判决后整改，申请挂起。",
    "当事人住院治疗，待出院后协商整改，申请挂起。",
]

REJECT_REASONS = ["延期理由不充分，请按原时限推进。", "可先行整改已具备条件的部分，不同意延期。"]
