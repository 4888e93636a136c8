"""The sample content of the demo town 蒿坪镇 (紫阳县): villages, people and the wording of items.

Everything here is invented sample data (marked `is_sample` in the database). Place names other
than the town, its county and the two villages the work method was described with are made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOWN = {"name": "蒿坪镇", "short_name": "蒿坪", "code": "hp", "county": "紫阳县"}

# The town sits near 32.5°N 108.5°E; village centres are offsets from here (degrees).
TOWN_CENTRE = (108.50, 32.50)  # lon, lat


@dataclass(frozen=True)
class VillageSample:
    key: str
    name: str
    abbr: str  # plot-code prefix
    kind: str
    product: str
    profile: str
    groups: int
    households: int
    population: int
    centre: tuple[float, float]  # offset from the town centre (lon, lat degrees)
    items: int  # how many ledger items the demo gives it
    teams: dict[str, tuple[str, int, str]] = field(default_factory=dict)


VILLAGES = [
    VillageSample(
        "gaige",
        "改革村",
        "GG",
        "village",
        "荷塘莲藕（荷塘园区）",
        "沿河平坝村，依托荷塘园区发展莲藕种植与观光，村集体经营荷塘、晒场和游客步道。",
        6,
        412,
        1386,
        (0.012, -0.008),
        66,
        {"capable": ("彭荷生", 18, "莲藕种植能手、返乡创业青年，负责荷塘园区技术指导")},
    ),
    VillageSample(
        "shuangsheng",
        "双胜村",
        "SS",
        "village",
        "紫阳富硒茶",
        "半山茶园村，富硒茶园两千余亩，村办茶叶合作社统一加工销售。",
        7,
        386,
        1247,
        (-0.021, 0.015),
        62,
        {"capable": ("韩春茶", 15, "制茶师傅和茶园管护志愿者")},
    ),
    VillageSample(
        "jinzhu",
        "金竹村",
        "JZ",
        "village",
        "紫阳富硒茶（高山茶园）",
        "高山村，茶园与竹林相间，外出务工人员较多，撂荒地治理任务较重。",
        5,
        298,
        962,
        (0.035, 0.028),
        36,
    ),
    VillageSample(
        "taoyuan",
        "桃园村",
        "TY",
        "village",
        "魔芋种植",
        "浅山村，魔芋种植基地三百亩，与县内加工企业订单合作。",
        5,
        264,
        871,
        (-0.040, -0.022),
        34,
    ),
    VillageSample(
        "qinglong",
        "青龙村",
        "QL",
        "village",
        "蚕桑",
        "河谷村，栽桑养蚕为传统产业，建有小蚕共育室两处。",
        6,
        331,
        1093,
        (0.048, -0.035),
        34,
    ),
    VillageSample(
        "shimen",
        "石门村",
        "SM",
        "village",
        "生猪养殖",
        "山区村，规模养殖场三处，林下散养土鸡为补充产业。",
        4,
        215,
        702,
        (-0.012, 0.046),
        32,
    ),
    VillageSample(
        "fenglin",
        "枫林社区",
        "FL",
        "community",
        "社区工厂（毛绒玩具加工）",
        "集镇所在地社区，易地搬迁安置点，社区工厂吸纳搬迁群众就近就业。",
        4,
        520,
        1710,
        (0.000, 0.002),
        30,
    ),
]

DEPARTMENTS = [
    "党政综合办公室",
    "经济发展办公室",
    "农业综合服务中心",
    "自然资源所",
    "社会事务服务中心",
    "综治中心",
    "财政所",
    "林业站",
    "督查考评办公室",
    "镇纪委",
]

# Contact department (包村部门) of each village at the start; 双胜村 changes later.
CONTACT_DEPARTMENTS = {
    "gaige": "经济发展办公室",
    "shuangsheng": "农业综合服务中心",
    "jinzhu": "林业站",
    "taoyuan": "社会事务服务中心",
    "qinglong": "财政所",
    "shimen": "综治中心",
    "fenglin": "党政综合办公室",
}
SHUANGSHENG_NEW_DEPARTMENT = "自然资源所"
# How many days ago 双胜村's contact department and contact cadre changed.
SHUANGSHENG_CHANGE_DAYS_AGO = 45


@dataclass(frozen=True)
class PersonSample:
    key: str
    name: str
    title: str
    department: str | None
    username: str | None
    # (role, village key or None, campaign code or None)
    roles: tuple[tuple[str, str | None, str | None], ...]
    description: str  # what the person is, in Chinese, for the log-in table


PEOPLE = [
    PersonSample(
        "principal",
        "王立新",
        "镇党委书记",
        "党政综合办公室",
        "demo-principal",
        (("principal", None, None),),
        "主要领导（镇党委书记）",
    ),
    PersonSample(
        "mayor",
        "刘振华",
        "镇长",
        "党政综合办公室",
        None,
        (("principal", None, None),),
        "主要领导（镇长）",
    ),
    PersonSample(
        "leader",
        "陈明远",
        "党委副书记",
        "党政综合办公室",
        "demo-leader",
        (("leader", None, "five-rectifications"),),
        "分管领导（五个专项整治）",
    ),
    PersonSample(
        "leader_petitions",
        "吴国栋",
        "党委委员、政法委员",
        "综治中心",
        "demo-leader-petitions",
        (("leader", None, "petitions"),),
        "分管领导（信访维稳）",
    ),
    PersonSample(
        "contact_gaige",
        "李卫东",
        "人大主席",
        "经济发展办公室",
        "demo-contact-gaige",
        (("contact_leader", "gaige", None),),
        "联村领导（改革村）",
    ),
    PersonSample(
        "contact_shuangsheng",
        "赵文博",
        "副镇长",
        "农业综合服务中心",
        "demo-contact-shuangsheng",
        (("contact_leader", "shuangsheng", None),),
        "联村领导（双胜村）",
    ),
    PersonSample(
        "contact_jinzhu",
        "孙海燕",
        "组织委员",
        "林业站",
        "demo-contact-jinzhu",
        (("contact_leader", "jinzhu", None), ("contact_leader", "taoyuan", None)),
        "联村领导（金竹村、桃园村）",
    ),
    PersonSample(
        "contact_qinglong",
        "周永平",
        "武装部长",
        "综治中心",
        "demo-contact-qinglong",
        (
            ("contact_leader", "qinglong", None),
            ("contact_leader", "shimen", None),
            ("contact_leader", "fenglin", None),
        ),
        "联村领导（青龙村、石门村、枫林社区）",
    ),
    PersonSample(
        "inspector",
        "马晓军",
        "督查考评办公室主任",
        "督查考评办公室",
        "demo-inspector",
        (("inspector", None, None),),
        "督查考评组",
    ),
    PersonSample(
        "inspector2",
        "何静",
        "督查考评办公室干部",
        "督查考评办公室",
        None,
        (("inspector", None, None),),
        "督查考评组",
    ),
    PersonSample(
        "discipline",
        "郑国庆",
        "镇纪委书记",
        "镇纪委",
        "demo-discipline",
        (("discipline", None, None),),
        "镇纪委",
    ),
    PersonSample(
        "county",
        "黄志刚",
        "县农业农村局督导员",
        None,
        "demo-county",
        (("county_supervisor", None, None),),
        "县级督导",
    ),
    PersonSample(
        "cadre_gaige",
        "杨帆",
        "经济发展办公室干部",
        "经济发展办公室",
        "demo-cadre-gaige",
        (("cadre", "gaige", None),),
        "镇村干部（改革村）",
    ),
    PersonSample(
        "cadre_gaige2",
        "吴小丽",
        "改革村文书",
        None,
        "demo-cadre-gaige-2",
        (("cadre", "gaige", None),),
        "镇村干部（改革村）",
    ),
    PersonSample(
        "secretary_gaige",
        "罗德华",
        "改革村党支部书记",
        None,
        "demo-secretary-gaige",
        (("secretary", "gaige", None),),
        "支部书记（改革村）",
    ),
    # 双胜村's contact cadre until the change; then he moves to 青龙村 (see town.py).
    PersonSample(
        "cadre_shuangsheng_old",
        "冯建军",
        "农业综合服务中心干部",
        "农业综合服务中心",
        "demo-cadre-feng",
        (("cadre", "shuangsheng", None),),
        "镇村干部（原双胜村，现青龙村）",
    ),
    PersonSample(
        "cadre_shuangsheng",
        "唐志鹏",
        "自然资源所干部",
        "自然资源所",
        "demo-cadre-shuangsheng",
        (),
        "镇村干部（双胜村）",
    ),
    PersonSample(
        "secretary_shuangsheng",
        "许长安",
        "双胜村党支部书记",
        None,
        "demo-secretary-shuangsheng",
        (("secretary", "shuangsheng", None),),
        "支部书记（双胜村）",
    ),
    PersonSample(
        "cadre_jinzhu",
        "邓思远",
        "林业站干部",
        "林业站",
        "demo-cadre-jinzhu",
        (("cadre", "jinzhu", None),),
        "镇村干部（金竹村）",
    ),
    PersonSample(
        "secretary_jinzhu",
        "曾宪林",
        "金竹村党支部书记",
        None,
        "demo-secretary-jinzhu",
        (("secretary", "jinzhu", None),),
        "支部书记（金竹村）",
    ),
    PersonSample(
        "cadre_taoyuan",
        "谢雨晴",
        "社会事务服务中心干部",
        "社会事务服务中心",
        "demo-cadre-taoyuan",
        (("cadre", "taoyuan", None),),
        "镇村干部（桃园村）",
    ),
    PersonSample(
        "secretary_taoyuan",
        "袁大勇",
        "桃园村党支部书记",
        None,
        "demo-secretary-taoyuan",
        (("secretary", "taoyuan", None),),
        "支部书记（桃园村）",
    ),
    PersonSample(
        "cadre_qinglong",
        "蒋文斌",
        "财政所干部",
        "财政所",
        "demo-cadre-qinglong",
        (("cadre", "qinglong", None),),
        "镇村干部（青龙村）",
    ),
    PersonSample(
        "secretary_qinglong",
        "潘桂香",
        "青龙村党支部书记",
        None,
        "demo-secretary-qinglong",
        (("secretary", "qinglong", None),),
        "支部书记（青龙村）",
    ),
    PersonSample(
        "cadre_shimen",
        "田国栋",
        "综治中心干部",
        "综治中心",
        "demo-cadre-shimen",
        (("cadre", "shimen", None),),
        "镇村干部（石门村）",
    ),
    PersonSample(
        "secretary_shimen",
        "董永福",
        "石门村党支部书记",
        None,
        "demo-secretary-shimen",
        (("secretary", "shimen", None),),
        "支部书记（石门村）",
    ),
    PersonSample(
        "cadre_fenglin",
        "程晓燕",
        "党政综合办公室干部",
        "党政综合办公室",
        "demo-cadre-fenglin",
        (("cadre", "fenglin", None),),
        "镇村干部（枫林社区）",
    ),
    PersonSample(
        "secretary_fenglin",
        "魏建华",
        "枫林社区党支部书记",
        None,
        "demo-secretary-fenglin",
        (("secretary", "fenglin", None),),
        "支部书记（枫林社区）",
    ),
]

# The resident work team (驻村工作队) leader of each village: a 第一书记 sent by a county office.
FIRST_SECRETARIES = {
    "gaige": "县农业农村局 徐志勇",
    "shuangsheng": "县茶业发展中心 苏文静",
    "jinzhu": "县林业局 吕国强",
    "taoyuan": "县供销社 丁晓明",
    "qinglong": "县财政局 任丽娟",
    "shimen": "县畜牧中心 姚伟",
    "fenglin": "县人社局 韦红梅",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陈"
GIVEN = [
    "德明",
    "桂兰",
    "春华",
    "建平",
    "秀英",
    "志强",
    "玉珍",
    "国华",
    "长林",
    "明芳",
    "永贵",
    "翠萍",
    "金山",
    "福全",
    "小红",
    "海军",
    "丽娟",
    "成武",
    "兴旺",
    "淑珍",
    "大伟",
    "家宝",
    "春梅",
    "开福",
    "文华",
    "庆元",
    "光明",
    "素芳",
    "德胜",
    "宗华",
    "荣",
    "勇",
    "平",
    "霞",
    "军",
    "兵",
    "芳",
    "强",
    "娟",
    "敏",
]
GROUP_NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组"]
PLACES = [
    "后山坡",
    "老屋场",
    "河沟边",
    "大湾",
    "梁上",
    "茶园坡",
    "水井湾",
    "柏树垭",
    "松树林",
    "竹园坪",
]
CROPS = ["油菜", "小麦", "玉米", "水稻", "马铃薯", "红薯", "大豆"]
COUNTERPARTIES = [
    "紫阳县兴旺茶叶专业合作社",
    "紫阳县蒿坪镇荷韵莲藕专业合作社",
    "安康市秦巴魔芋制品有限公司",
    "紫阳县绿源生态养殖有限公司",
    "紫阳县汉水蚕桑专业合作社",
    "紫阳县鑫达建材经营部",
]
ASSETS = ["荷塘", "茶园", "集体机动地", "林地", "村部门面房", "晒场", "鱼塘", "闲置校舍"]
