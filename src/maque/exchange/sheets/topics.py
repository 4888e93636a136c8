"""The topics sheet (议题台账) as the topic board exports it (`deliberation.export`): its headers
in either interface language, and the names of the topics' choices as the export writes them
(their labels) or as a clerk types them (急, 难, 小事快速办 …)."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils import translation

from maque.deliberation.models import Concern, Domain, ProposerKind, TopicState, Track
from maque.exchange.sheets.layout import SheetColumn, SheetLayout


def _both(msgid: str, *more: str) -> tuple[str, ...]:
    """A header of the topic export in English and in Chinese, and more synonyms."""
    with translation.override("zh-hans"):
        chinese = translation.gettext(msgid)
    return (msgid, chinese, *more)


def layout() -> SheetLayout:
    # Built on use: the export's headers are interface text, translated when the catalogue is
    # loaded, not at import time.
    columns = (
        ("code", "Code", 16, (), True),
        ("village", "Village", 10, ("村", "村名", "所属村", "行政村"), False),
        ("title", "Title", 24, ("议题", "议题名称", "事项"), False),
        ("description", "Description", 30, ("议题内容", "具体内容", "内容"), False),
        ("concern", "Concern", 10, ("急难愁盼", "类别"), False),
        ("domain", "Domain", 12, ("所属领域",), False),
        ("source", "Source", 10, (), True),
        ("track", "Track", 12, ("办理类型",), False),
        ("state", "State", 10, (), False),
        ("proposer_kind", "Proposer", 10, ("提议人类别", "提议人身份"), False),
        ("proposer_name", "Proposer's name", 10, ("姓名",), False),
        ("proposer_phone", "Proposer's phone", 14, ("联系电话", "电话"), False),
        ("submitted", "Submitted", 12, (), True),
        ("accept_by", "Accept by", 12, (), True),
        ("decline_reason", "Reason declined", 20, (), True),
        ("answer", "Answer", 20, (), True),
        ("answered_at", "Answered at", 12, (), True),
        ("satisfaction", "Satisfaction", 10, (), True),
    )
    built = []
    for key, msgid, width, more, derived in columns:
        names = _both(msgid, *more)
        built.append(SheetColumn(key, names[1], width, (names[0], *names[2:]), derived))
    return SheetLayout(kind="topics", title="议题台账", columns=tuple(built))


def choice_names(choices: type[TextChoices]) -> tuple[dict[str, str], dict[str, str]]:
    """value → its Chinese label, and every other name of it (English label, the Chinese in
    its brackets: 急, 小事快速办) → value."""
    names: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    for value, label in choices.choices:
        with translation.override("zh-hans"):
            names[value] = str(label)
        with translation.override("en"):
            english = str(label)
        synonyms[english] = value
        if "(" in english and english.endswith(")"):
            synonyms[english[english.index("(") + 1 : -1]] = value
    return names, synonyms


CHOICES: dict[str, type[TextChoices]] = {
    "concern": Concern,
    "domain": Domain,
    "track": Track,
    "proposer_kind": ProposerKind,
    "state": TopicState,
}
